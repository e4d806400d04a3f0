/**
 * Request bodies as the agent would have sent them: per turn, the whole history so far, the system prompt
 * and the tools, for the wire API chosen. Serialisation is deterministic — the same message always becomes
 * the same bytes — so a client's own bodies extend each other turn over turn (apart from the cache marker
 * a cache-aware client moves to its newest message).
 *
 * Client profiles:
 * - `naive`: sets no cache markers (most SDK apps);
 * - `cache-aware`: as Claude Code does — `cache_control: {type: 'ephemeral'}` on the system prompt and on
 *   the last block of the newest message (Anthropic); a stable `prompt_cache_key` (OpenAI, as Codex does).
 */
import {
  toolCallsOf,
  toolResultText,
  type AssistantMessage,
  type Conversation,
  type Message,
  type ToolSpec,
  type Turn,
  type WireApi,
} from '../conversation';

export type ClientProfile = 'naive' | 'cache-aware';
export const CLIENT_PROFILES: readonly ClientProfile[] = ['naive', 'cache-aware'];

export interface BuildOptions {
  readonly api: WireApi;
  readonly model: string;
  readonly profile: ClientProfile;
  /** The tools to declare (recorded or reconstructed); empty → no `tools` member. */
  readonly tools: readonly ToolSpec[];
  /** Anthropic `max_tokens`. */
  readonly maxTokens?: number;
  /** Stable per conversation: OpenAI `prompt_cache_key` of the cache-aware profile. */
  readonly cacheKey: string;
}

export interface BuiltRequest {
  readonly path: string;
  readonly body: string;
}

export const API_PATHS: Readonly<Record<WireApi, string>> = {
  anthropic: '/v1/messages',
  'openai-chat': '/v1/chat/completions',
  'openai-responses': '/v1/responses',
};

const EPHEMERAL = { type: 'ephemeral' } as const;
const DEFAULT_MAX_TOKENS = 32_000;

/** The body of one turn's request. */
export function buildRequest(conversation: Conversation, turn: Turn, opts: BuildOptions): BuiltRequest {
  const body =
    opts.api === 'anthropic'
      ? buildAnthropic(conversation, turn.history, opts)
      : opts.api === 'openai-chat'
        ? buildChat(conversation, turn.history, opts)
        : buildResponses(conversation, turn.history, opts);
  return { path: API_PATHS[opts.api], body: JSON.stringify(body) };
}

// ── Anthropic Messages ────────────────────────────────────────────────────────────────────────────

type Block = Record<string, unknown>;

/**
 * `preferString`: a user message that is one text becomes `content: "…"` (naive clients); a cache-aware
 * client always sends blocks, so moving its marker never changes anything but the marker.
 */
function anthropicMessage(m: Message, preferString: boolean): { role: string; content: string | Block[] } {
  if (m.role === 'assistant') {
    const blocks: Block[] = [];
    for (const p of m.parts) {
      if (p.type === 'thinking') blocks.push({ ...p.block });
      else if (p.type === 'text' && p.text.length > 0) blocks.push({ type: 'text', text: p.text });
      else if (p.type === 'tool_call')
        blocks.push({ type: 'tool_use', id: p.id, name: p.name, input: p.input });
    }
    // Thinking blocks lead an assistant turn.
    blocks.sort((a, b) => Number(isThinking(b)) - Number(isThinking(a)));
    return { role: 'assistant', content: blocks.length > 0 ? blocks : [{ type: 'text', text: '…' }] };
  }
  const results: Block[] = [];
  const rest: Block[] = [];
  for (const p of m.parts) {
    if (p.type === 'tool_result') {
      results.push({
        type: 'tool_result',
        tool_use_id: p.callId,
        content: typeof p.content === 'string' ? p.content : p.content.map((b) => ({ ...b })),
        ...(p.isError ? { is_error: true } : {}),
      });
    } else if (p.type === 'text') {
      if (p.text.length > 0) rest.push({ type: 'text', text: p.text });
    } else if (p.block.type === 'image' || p.block.type === 'document') {
      rest.push({ ...p.block });
    }
  }
  if (preferString && results.length === 0 && rest.length === 1 && typeof rest[0]!['text'] === 'string') {
    return { role: 'user', content: rest[0]!['text'] };
  }
  const content = [...results, ...rest];
  return { role: 'user', content: content.length > 0 ? content : [{ type: 'text', text: '…' }] };
}

function isThinking(b: Block): boolean {
  return b['type'] === 'thinking' || b['type'] === 'redacted_thinking';
}

function markNewest(message: { role: string; content: string | Block[] }): {
  role: string;
  content: Block[];
} {
  const blocks: Block[] =
    typeof message.content === 'string'
      ? [{ type: 'text', text: message.content }]
      : message.content.map((b) => ({ ...b }));
  for (let i = blocks.length - 1; i >= 0; i--) {
    if (isThinking(blocks[i]!)) continue;
    blocks[i] = { ...blocks[i], cache_control: EPHEMERAL };
    break;
  }
  return { role: message.role, content: blocks };
}

function buildAnthropic(
  conversation: Conversation,
  history: readonly Message[],
  opts: BuildOptions,
): Record<string, unknown> {
  const aware = opts.profile === 'cache-aware';
  const messages: { role: string; content: string | Block[] }[] = history.map((m) =>
    anthropicMessage(m, !aware),
  );
  if (aware && messages.length > 0)
    messages[messages.length - 1] = markNewest(messages[messages.length - 1]!);
  const body: Record<string, unknown> = {
    model: opts.model,
    max_tokens: opts.maxTokens ?? DEFAULT_MAX_TOKENS,
  };
  if (conversation.system !== null && conversation.system.length > 0) {
    body['system'] = aware
      ? [{ type: 'text', text: conversation.system, cache_control: EPHEMERAL }]
      : conversation.system;
  }
  if (opts.tools.length > 0) {
    body['tools'] = opts.tools.map((t) => ({
      name: t.name,
      ...(t.description !== undefined ? { description: t.description } : {}),
      input_schema: t.parameters,
    }));
  }
  body['messages'] = messages;
  return body;
}

// ── OpenAI Chat Completions ───────────────────────────────────────────────────────────────────────

function chatMessages(m: Message): Record<string, unknown>[] {
  if (m.role === 'assistant') {
    const text = m.parts
      .filter((p) => p.type === 'text')
      .map((p) => p.text)
      .join('\n\n');
    const calls = m.parts.flatMap((p) =>
      p.type === 'tool_call'
        ? [
            {
              id: p.id,
              type: 'function',
              function: { name: p.name, arguments: p.freeform ? JSON.stringify(p.input) : p.arguments },
            },
          ]
        : [],
    );
    return [
      {
        role: 'assistant',
        content: text.length > 0 ? text : calls.length > 0 ? null : '…',
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
      },
    ];
  }
  const out: Record<string, unknown>[] = [];
  for (const p of m.parts) {
    if (p.type === 'tool_result')
      out.push({ role: 'tool', tool_call_id: p.callId, content: toolResultText(p.content) });
  }
  const userParts = m.parts.filter((p) => p.type === 'text' || p.type === 'image');
  if (userParts.length === 1 && userParts[0]!.type === 'text') {
    out.push({ role: 'user', content: userParts[0]!.text });
  } else if (userParts.length > 0) {
    out.push({
      role: 'user',
      content: userParts.map((p) =>
        p.type === 'text' ? { type: 'text', text: p.text } : openAiImage(p.block),
      ),
    });
  }
  return out;
}

function openAiImage(block: Record<string, unknown>): Record<string, unknown> {
  if (block['type'] === 'image_url') return { ...block };
  const source = block['source'] as Record<string, unknown> | undefined;
  if (source && source['type'] === 'base64') {
    return {
      type: 'image_url',
      image_url: { url: `data:${String(source['media_type'])};base64,${String(source['data'])}` },
    };
  }
  if (block['type'] === 'input_image') return { type: 'image_url', image_url: { url: block['image_url'] } };
  return { type: 'text', text: '[image]' };
}

function buildChat(
  conversation: Conversation,
  history: readonly Message[],
  opts: BuildOptions,
): Record<string, unknown> {
  const messages: Record<string, unknown>[] = [];
  if (conversation.system !== null && conversation.system.length > 0)
    messages.push({ role: 'system', content: conversation.system });
  for (const m of history) messages.push(...chatMessages(m));
  const body: Record<string, unknown> = { model: opts.model };
  if (opts.profile === 'cache-aware') body['prompt_cache_key'] = opts.cacheKey;
  if (opts.tools.length > 0) {
    body['tools'] = opts.tools.map((t) => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description !== undefined ? { description: t.description } : {}),
        parameters: t.parameters,
      },
    }));
  }
  body['messages'] = messages;
  return body;
}

// ── OpenAI Responses ──────────────────────────────────────────────────────────────────────────────

function responsesItems(m: Message, freeformIds: ReadonlySet<string>): Record<string, unknown>[] {
  const items: Record<string, unknown>[] = [];
  if (m.role === 'assistant') {
    for (const p of m.parts) {
      if (p.type === 'reasoning') {
        // Only reasoning carrying its encrypted content can be sent back statelessly (store: false).
        if (typeof p.item['encrypted_content'] === 'string') {
          const { id: _id, ...rest } = p.item as Record<string, unknown>;
          items.push(rest);
        }
      } else if (p.type === 'text') {
        items.push({ type: 'message', role: 'assistant', content: [{ type: 'output_text', text: p.text }] });
      } else if (p.type === 'tool_call') {
        items.push(
          p.freeform
            ? { type: 'custom_tool_call', call_id: p.id, name: p.name, input: p.arguments }
            : { type: 'function_call', call_id: p.id, name: p.name, arguments: p.arguments },
        );
      }
    }
    return items;
  }
  const content: Record<string, unknown>[] = [];
  for (const p of m.parts) {
    if (p.type === 'tool_result') {
      items.push({
        type: freeformIds.has(p.callId) ? 'custom_tool_call_output' : 'function_call_output',
        call_id: p.callId,
        output: toolResultText(p.content),
      });
    } else if (p.type === 'text') {
      content.push({ type: 'input_text', text: p.text });
    } else if (p.block.type === 'input_image') {
      content.push({ ...p.block });
    }
  }
  if (content.length > 0) items.push({ type: 'message', role: 'user', content });
  return items;
}

function buildResponses(
  conversation: Conversation,
  history: readonly Message[],
  opts: BuildOptions,
): Record<string, unknown> {
  const freeform = new Set(toolCallsOf(conversation).flatMap((c) => (c.freeform ? [c.id] : [])));
  const freeformNames = new Set(toolCallsOf(conversation).flatMap((c) => (c.freeform ? [c.name] : [])));
  const body: Record<string, unknown> = { model: opts.model };
  if (conversation.system !== null && conversation.system.length > 0)
    body['instructions'] = conversation.system;
  if (opts.tools.length > 0) {
    body['tools'] = opts.tools.map((t) =>
      freeformNames.has(t.name)
        ? {
            type: 'custom',
            name: t.name,
            ...(t.description !== undefined ? { description: t.description } : {}),
          }
        : {
            type: 'function',
            name: t.name,
            ...(t.description !== undefined ? { description: t.description } : {}),
            strict: false,
            parameters: t.parameters,
          },
    );
  }
  body['store'] = false;
  if (opts.profile === 'cache-aware') body['prompt_cache_key'] = opts.cacheKey;
  body['input'] = history.flatMap((m) => responsesItems(m, freeform));
  return body;
}

/** The text and tool calls of a recorded response, for scripting the fake upstream. */
export function responseSummary(response: AssistantMessage): {
  text: string;
  toolCalls: { id: string; name: string; input: Record<string, unknown> }[];
} {
  return {
    text: response.parts
      .filter((p) => p.type === 'text')
      .map((p) => p.text)
      .join('\n\n'),
    toolCalls: response.parts.flatMap((p) =>
      p.type === 'tool_call' ? [{ id: p.id, name: p.name, input: p.input }] : [],
    ),
  };
}
