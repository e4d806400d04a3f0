/**
 * An Anthropic request as the prompt cache sees it: a flat list of blocks in prefix order
 * tools → system → messages (each tool, each system block, each content block of each message; a string
 * `system` or string message `content` is one block). Breakpoint positions, the 20-block look-back and the
 * minimum cacheable length are all expressed over these block ordinals.
 */
import { decodeString, findMember, spanText, type JsonObjectSpan, type JsonPath, type JsonSpan } from '../json-scan';

export type PromptBlockLocation = 'tools' | 'system' | 'messages';

/** A `cache_control` marker found on a block (or on a part inside a tool_result's content list). */
export interface ExistingMarker {
  /** Span of the object carrying `cache_control`. */
  readonly holder: JsonObjectSpan;
  readonly path: JsonPath;
  /** `5m` when the marker has no `ttl`. */
  readonly ttl: '5m' | '1h';
  /** The holder's block `type` (null for tools and the top level). */
  readonly holderType: string | null;
  /** Whether the holder is an empty block (empty text / tool_result). */
  readonly holderEmpty: boolean;
}

export type IneligibleReason = 'empty' | 'thinking' | 'string-content' | 'not-an-object' | 'unsupported-type';

export interface PromptBlock {
  /** Position in prefix order (what the 20-block look-back counts). */
  readonly ordinal: number;
  readonly location: PromptBlockLocation;
  readonly path: JsonPath;
  readonly span: JsonSpan;
  /** Index in `messages` (messages only). */
  readonly messageIndex: number | null;
  /** Role of the message (messages only). */
  readonly role: string | null;
  /** Block `type`, `tool` for a tool definition, `string` for a string system / content. */
  readonly type: string;
  /** Client markers on this block (normally zero or one). */
  readonly markers: readonly ExistingMarker[];
  /** Whether Leeway may put a marker here (a string `system` is eligible: it is wrapped in a text block). */
  readonly eligible: boolean;
  readonly ineligibleReason: IneligibleReason | null;
}

export interface AnthropicPromptLayout {
  readonly blocks: readonly PromptBlock[];
  /** First ordinal of each message (index = message index); `blocks.length` for a message without blocks. */
  readonly messageStart: readonly number[];
  /** Ordinal range of each message: [messageStart[m], messageEnd[m]). */
  readonly messageEnd: readonly number[];
  /** Top-level `cache_control` (automatic caching), or null. */
  readonly automatic: ExistingMarker | null;
  /** All client markers in prefix order (the automatic one last). */
  readonly markers: readonly ExistingMarker[];
}

/** Block types that may carry `cache_control` (when not empty). */
const MARKABLE_TYPES = new Set(['text', 'image', 'document', 'tool_use', 'tool_result', 'search_result']);

function str(raw: Buffer, span: JsonSpan | null): string | null {
  return span?.kind === 'string' ? decodeString(raw, span) : null;
}

function markerOf(raw: Buffer, holder: JsonSpan, path: JsonPath, typed = true): ExistingMarker | null {
  if (holder.kind !== 'object') return null;
  const cc = findMember(holder, 'cache_control');
  if (!cc || cc.kind === 'null') return null;
  const holderType = typed ? str(raw, findMember(holder, 'type')) : null;
  return {
    holder,
    path,
    ttl: str(raw, findMember(cc, 'ttl')) === '1h' ? '1h' : '5m',
    holderType,
    holderEmpty: holderType !== null && isEmptyBlock(raw, holder, holderType),
  };
}

function isBlank(text: string | null): boolean {
  return text === null || text.trim().length === 0;
}

/** Whether a content block has nothing in it (a marker there is rejected by the API). */
function isEmptyBlock(raw: Buffer, block: JsonObjectSpan, type: string): boolean {
  if (type === 'text') return isBlank(str(raw, findMember(block, 'text')));
  if (type === 'tool_result') {
    const content = findMember(block, 'content');
    if (!content || content.kind === 'null') return true;
    if (content.kind === 'string') return decodeString(raw, content).length === 0;
    if (content.kind === 'array') return content.items.length === 0;
  }
  return false;
}

function classify(raw: Buffer, span: JsonSpan): { type: string; eligible: boolean; reason: IneligibleReason | null } {
  if (span.kind === 'string') return { type: 'string', eligible: false, reason: 'string-content' };
  if (span.kind !== 'object') return { type: 'unknown', eligible: false, reason: 'not-an-object' };
  const type = str(raw, findMember(span, 'type')) ?? 'unknown';
  if (type === 'thinking' || type === 'redacted_thinking') return { type, eligible: false, reason: 'thinking' };
  if (!MARKABLE_TYPES.has(type)) return { type, eligible: false, reason: 'unsupported-type' };
  if (isEmptyBlock(raw, span, type)) return { type, eligible: false, reason: 'empty' };
  return { type, eligible: true, reason: null };
}

/** Flattens an Anthropic request body (already scanned) into prompt blocks. */
export function anthropicPromptLayout(raw: Buffer, root: JsonObjectSpan): AnthropicPromptLayout {
  const blocks: PromptBlock[] = [];
  const markers: ExistingMarker[] = [];
  const push = (b: Omit<PromptBlock, 'ordinal'>): void => {
    blocks.push({ ...b, ordinal: blocks.length });
    markers.push(...b.markers);
  };

  const tools = findMember(root, 'tools');
  if (tools?.kind === 'array') {
    tools.items.forEach((tool, i) => {
      const m = markerOf(raw, tool, ['tools', i], false);
      push({
        location: 'tools',
        path: ['tools', i],
        span: tool,
        messageIndex: null,
        role: null,
        type: 'tool',
        markers: m ? [m] : [],
        eligible: tool.kind === 'object',
        ineligibleReason: tool.kind === 'object' ? null : 'not-an-object',
      });
    });
  }

  const system = findMember(root, 'system');
  if (system?.kind === 'string') {
    const text = decodeString(raw, system);
    const empty = isBlank(text);
    if (text.length > 0) {
      push({
        location: 'system',
        path: ['system'],
        span: system,
        messageIndex: null,
        role: null,
        type: 'string',
        markers: [],
        eligible: !empty,
        ineligibleReason: empty ? 'empty' : null,
      });
    }
  } else if (system?.kind === 'array') {
    system.items.forEach((block, i) => {
      const c = classify(raw, block);
      const m = markerOf(raw, block, ['system', i]);
      push({
        location: 'system',
        path: ['system', i],
        span: block,
        messageIndex: null,
        role: null,
        type: c.type,
        markers: m ? [m] : [],
        eligible: c.eligible && c.type === 'text',
        ineligibleReason: c.eligible && c.type !== 'text' ? 'unsupported-type' : c.reason,
      });
    });
  }

  const messageStart: number[] = [];
  const messageEnd: number[] = [];
  const messages = findMember(root, 'messages');
  if (messages?.kind === 'array') {
    messages.items.forEach((message, mi) => {
      messageStart.push(blocks.length);
      const role = str(raw, findMember(message, 'role'));
      const content = findMember(message, 'content');
      if (content?.kind === 'string') {
        push({
          location: 'messages',
          path: ['messages', mi, 'content'],
          span: content,
          messageIndex: mi,
          role,
          type: 'string',
          markers: [],
          eligible: false,
          ineligibleReason: 'string-content',
        });
      } else if (content?.kind === 'array') {
        content.items.forEach((part, pi) => {
          const path: JsonPath = ['messages', mi, 'content', pi];
          const c = classify(raw, part);
          const own = markerOf(raw, part, path);
          const found: ExistingMarker[] = own ? [own] : [];
          const inner = findMember(part, 'content');
          if (c.type === 'tool_result' && inner?.kind === 'array') {
            inner.items.forEach((p, k) => {
              const m = markerOf(raw, p, [...path, 'content', k]);
              if (m) found.push(m);
            });
          }
          push({
            location: 'messages',
            path,
            span: part,
            messageIndex: mi,
            role,
            type: c.type,
            markers: found,
            eligible: c.eligible,
            ineligibleReason: c.reason,
          });
        });
      }
      messageEnd.push(blocks.length);
    });
  }

  const automatic = markerOf(raw, root, [], false);
  if (automatic) markers.push(automatic);
  return { blocks, messageStart, messageEnd, automatic, markers };
}

/** Fixed token sizes the provider charges for non-text blocks (Anthropic: an image ≈ w×h/750, ≤ ~1600). */
const IMAGE_TOKENS = 1600;
const DOCUMENT_TOKENS = 2000;
const MESSAGE_OVERHEAD_TOKENS = 3;

/**
 * The text to count for a block, or a fixed token count for media. Cheap: one pass over the block's own
 * bytes; `limit` caps the characters handed to the tokenizer (a prefix of the text is enough to know that
 * a threshold is reached).
 */
export function blockTokenSource(raw: Buffer, block: PromptBlock): { text: string; fixed: number } {
  const span = block.span;
  if (span.kind === 'string') return { text: decodeString(raw, span), fixed: 0 };
  if (block.location === 'tools') return { text: spanText(raw, span), fixed: 0 };
  switch (block.type) {
    case 'text':
      return { text: str(raw, findMember(span, 'text')) ?? '', fixed: 0 };
    case 'thinking':
      return { text: str(raw, findMember(span, 'thinking')) ?? '', fixed: 0 };
    case 'image':
      return { text: '', fixed: IMAGE_TOKENS };
    case 'document': {
      const source = findMember(span, 'source');
      const data = str(raw, findMember(source, 'data'));
      return str(raw, findMember(source, 'type')) === 'text' && data !== null ? { text: data, fixed: 0 } : { text: '', fixed: DOCUMENT_TOKENS };
    }
    case 'tool_use': {
      const input = findMember(span, 'input');
      return { text: `${str(raw, findMember(span, 'name')) ?? ''}${input ? spanText(raw, input) : ''}`, fixed: 0 };
    }
    case 'tool_result': {
      const content = findMember(span, 'content');
      if (content?.kind === 'string') return { text: decodeString(raw, content), fixed: 2 };
      if (content?.kind === 'array') {
        let text = '';
        let fixed = 2;
        for (const part of content.items) {
          const t = str(raw, findMember(part, 'type'));
          if (t === 'text') text += str(raw, findMember(part, 'text')) ?? '';
          else if (t === 'image') fixed += IMAGE_TOKENS;
          else if (t === 'document') fixed += DOCUMENT_TOKENS;
          else text += spanText(raw, part);
        }
        return { text, fixed };
      }
      return { text: '', fixed: 2 };
    }
    default:
      return { text: spanText(raw, span), fixed: 0 };
  }
}

export type TokenCount = (text: string) => number;

/**
 * Cumulative token counts in prefix order, computed lazily and only as far as needed: `firstReaching(min)`
 * tokenises blocks from the start until the running total reaches `min`, handing the tokenizer at most a
 * bounded prefix of each block's text. Requests whose early blocks are large cost one bounded count.
 */
export class PrefixTokenMeter {
  private readonly found = new Map<number, number | null>();

  constructor(
    private readonly raw: Buffer,
    private readonly layout: AnthropicPromptLayout,
    private readonly count: TokenCount,
  ) {}

  /** The first block ordinal whose prefix (blocks 0..ordinal) reaches `min` tokens; null when none does. */
  firstReaching(min: number): number | null {
    const known = this.found.get(min);
    if (known !== undefined) return known;
    let total = 0;
    let at: number | null = null;
    for (const block of this.layout.blocks) {
      total += this.blockTokens(block, min - total);
      if (total >= min) {
        at = block.ordinal;
        break;
      }
    }
    this.found.set(min, at);
    return at;
  }

  private blockTokens(block: PromptBlock, need: number): number {
    const first = block.messageIndex !== null && this.layout.messageStart[block.messageIndex] === block.ordinal;
    const overhead = first ? MESSAGE_OVERHEAD_TOKENS : 0;
    const { text, fixed } = blockTokenSource(this.raw, block);
    const base = overhead + fixed;
    if (base >= need || text.length === 0) return base;
    // ~4 characters a token in prose and code: 8 characters per needed token is a generous prefix.
    const cap = Math.max(256, (need - base) * 8);
    if (text.length <= cap) return base + this.count(text);
    const partial = this.count(text.slice(0, cap));
    return partial >= need - base ? base + partial : base + this.count(text);
  }
}
