/**
 * Claude Code session files (`~/.claude/projects/<project>/<session>.jsonl`): one JSON object a line.
 * `user` / `assistant` entries carry an API `message`; `parentUuid` links each entry to the previous one
 * (a tree: edits and `/clear` branch it); `isSidechain` marks sub-agent (Task) conversations; `system`,
 * `summary` and other entries are local bookkeeping that never reaches the model. One assistant response
 * is written as several entries (one per content block) sharing `message.id`.
 *
 * Replayed: the active chain (walked back from the last entry), each compaction segment and each
 * sub-agent sidechain as its own conversation. The file holds no system prompt and no tool schemas.
 */
import {
  pushPart,
  type Conversation,
  type Message,
  type OpaqueBlock,
  type RecordedUsage,
} from '../conversation';
import { asArray, asRecord, asString, type ReaderHint } from './json-util';

const CONVERSATION_TYPES = new Set(['user', 'assistant']);

interface Entry {
  readonly raw: Record<string, unknown>;
  readonly uuid: string;
  readonly parent: string | null;
  readonly logicalParent: string | null;
  readonly type: string;
  readonly sidechain: boolean;
  readonly line: number;
}

export function isClaudeCodeLines(lines: readonly unknown[]): boolean {
  return lines.some((l) => {
    const r = asRecord(l);
    return (
      r !== null &&
      typeof r['uuid'] === 'string' &&
      'parentUuid' in r &&
      (r['type'] === 'user' || r['type'] === 'assistant') &&
      asRecord(r['message']) !== null
    );
  });
}

export function readClaudeCode(lines: readonly unknown[], hint: ReaderHint): Conversation[] {
  const entries: Entry[] = [];
  lines.forEach((l, line) => {
    const r = asRecord(l);
    const uuid = asString(r?.['uuid']);
    if (!r || !uuid) return;
    entries.push({
      raw: r,
      uuid,
      parent: asString(r['parentUuid']),
      logicalParent: asString(r['logicalParentUuid']),
      type: asString(r['type']) ?? '',
      sidechain: r['isSidechain'] === true,
      line,
    });
  });
  const byUuid = new Map(entries.map((e) => [e.uuid, e]));
  const hasChild = new Set(entries.map((e) => e.parent).filter((p): p is string => p !== null));

  const chains: { label: string; chain: Entry[] }[] = [];
  // Main conversation: walk back from the last non-sidechain message entry; a compaction boundary
  // (parentUuid null, logicalParentUuid set) starts an earlier segment.
  const mainLeaf = [...entries].reverse().find((e) => !e.sidechain && CONVERSATION_TYPES.has(e.type));
  if (mainLeaf) {
    const segments = walkSegments(mainLeaf, byUuid);
    segments.forEach((chain, i) => {
      chains.push({ label: segments.length > 1 ? `segment ${i + 1}/${segments.length}` : 'main', chain });
    });
  }
  // Sidechains: one conversation per root, from its last leaf.
  const sideRoots = new Map<string, Entry[]>();
  for (const leaf of entries) {
    if (!leaf.sidechain || hasChild.has(leaf.uuid) || !CONVERSATION_TYPES.has(leaf.type)) continue;
    const chain = walkSegments(leaf, byUuid).flat();
    const root = chain[0];
    if (root) sideRoots.set(root.uuid, chain);
  }
  let side = 0;
  for (const chain of sideRoots.values()) chains.push({ label: `sidechain ${++side}`, chain });

  const sessionId = asString(entries[0]?.raw['sessionId']) ?? hint.baseName;
  const conversations: Conversation[] = [];
  for (const { label, chain } of chains) {
    const conv = chainToConversation(chain, `${sessionId.slice(0, 8)} ${label}`);
    if (conv) conversations.push(conv);
  }
  return conversations;
}

/** The chain ending at `leaf`, root first, split at compaction boundaries (earliest segment first). */
function walkSegments(leaf: Entry, byUuid: Map<string, Entry>): Entry[][] {
  const segments: Entry[][] = [];
  let current: Entry[] = [];
  const seen = new Set<string>();
  let e: Entry | undefined = leaf;
  while (e && !seen.has(e.uuid)) {
    seen.add(e.uuid);
    current.push(e);
    if (e.parent !== null) {
      e = byUuid.get(e.parent);
    } else if (e.logicalParent !== null) {
      segments.push(current.reverse());
      current = [];
      e = byUuid.get(e.logicalParent);
    } else {
      e = undefined;
    }
  }
  segments.push(current.reverse());
  return segments.reverse().filter((s) => s.some((x) => CONVERSATION_TYPES.has(x.type)));
}

function chainToConversation(chain: readonly Entry[], id: string): Conversation | null {
  const messages: Message[] = [];
  const notes: string[] = [
    'Claude Code logs hold no system prompt and no tool schemas (tool schemas are reconstructed from the calls)',
  ];
  let model: string | null = null;
  let skippedSynthetic = 0;
  const usageById = new Map<string, Record<string, unknown>>();
  for (const entry of chain) {
    if (!CONVERSATION_TYPES.has(entry.type)) continue;
    const msg = asRecord(entry.raw['message']);
    if (!msg) continue;
    if (entry.type === 'assistant') {
      const m = asString(msg['model']);
      if (m === '<synthetic>' || entry.raw['isApiErrorMessage'] === true) {
        skippedSynthetic++;
        continue;
      }
      if (m) model = m;
      const usage = asRecord(msg['usage']);
      const mid = asString(msg['id']) ?? entry.uuid;
      if (usage) usageById.set(mid, usage);
      for (const raw of asArray(msg['content'])) {
        const b = asRecord(raw);
        if (!b) continue;
        if (b['type'] === 'text' && typeof b['text'] === 'string') {
          if (b['text'].length > 0) pushPart(messages, 'assistant', { type: 'text', text: b['text'] });
        } else if (b['type'] === 'tool_use') {
          const input = asRecord(b['input']) ?? {};
          pushPart(messages, 'assistant', {
            type: 'tool_call',
            id: asString(b['id']) ?? `toolu_${messages.length}`,
            name: asString(b['name']) ?? 'tool',
            input,
            arguments: JSON.stringify(input),
          });
        } else if (b['type'] === 'thinking' || b['type'] === 'redacted_thinking') {
          pushPart(messages, 'assistant', { type: 'thinking', block: b as OpaqueBlock });
        }
      }
      if (typeof msg['content'] === 'string' && msg['content'].length > 0) {
        pushPart(messages, 'assistant', { type: 'text', text: msg['content'] });
      }
      continue;
    }
    const content = msg['content'];
    if (typeof content === 'string') {
      pushPart(messages, 'user', { type: 'text', text: content });
      continue;
    }
    for (const raw of asArray(content)) {
      const b = asRecord(raw);
      if (!b) continue;
      if (b['type'] === 'tool_result') {
        const c = b['content'];
        pushPart(messages, 'user', {
          type: 'tool_result',
          callId: asString(b['tool_use_id']) ?? 'toolu_unknown',
          content:
            typeof c === 'string' ? c : (asArray(c).filter((x) => asRecord(x) !== null) as OpaqueBlock[]),
          ...(b['is_error'] === true ? { isError: true } : {}),
        });
      } else if (b['type'] === 'text' && typeof b['text'] === 'string') {
        pushPart(messages, 'user', { type: 'text', text: b['text'] });
      } else if (b['type'] === 'image' || b['type'] === 'document') {
        pushPart(messages, 'user', { type: 'image', block: b as OpaqueBlock });
      }
    }
  }
  while (messages.length > 0 && messages[0]!.role !== 'user') messages.shift();
  if (!messages.some((m) => m.role === 'assistant')) return null;
  if (skippedSynthetic > 0)
    notes.push(`${skippedSynthetic} synthetic/API-error assistant entries skipped (never sent by the model)`);
  return {
    id,
    format: 'claude-code',
    model,
    system: null,
    tools: null,
    messages,
    recordedUsage: sumAnthropicUsage(usageById),
    notes,
  };
}

function sumAnthropicUsage(byId: Map<string, Record<string, unknown>>): RecordedUsage | undefined {
  if (byId.size === 0) return undefined;
  const n = (u: Record<string, unknown>, k: string): number => (typeof u[k] === 'number' ? u[k] : 0);
  let input = 0;
  let write = 0;
  let read = 0;
  let output = 0;
  for (const u of byId.values()) {
    input += n(u, 'input_tokens');
    write += n(u, 'cache_creation_input_tokens');
    read += n(u, 'cache_read_input_tokens');
    output += n(u, 'output_tokens');
  }
  return {
    responses: byId.size,
    inputTokens: input,
    cacheWriteTokens: write,
    cacheReadTokens: read,
    outputTokens: output,
  };
}
