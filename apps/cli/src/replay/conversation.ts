/**
 * The neutral conversation model every transcript reader produces and every request builder consumes.
 *
 * A conversation is a list of alternating user / assistant messages. Each assistant message is one model
 * response: the request that produced it holds every message before it (see `turnsOf`). Tool observations
 * are `tool_result` parts of the user message that follows the call, their content kept exactly as recorded.
 */

/** Where a conversation came from. */
export type TranscriptFormat =
  | 'swe-agent-traj'
  | 'nebius-swe-agent'
  | 'openhands'
  | 'swe-smith'
  | 'claude-code'
  | 'codex-rollout'
  | 'codex-rollout-legacy'
  | 'raw-anthropic'
  | 'raw-openai-chat'
  | 'raw-openai-responses';

/** The wire API a request body is built for. */
export type WireApi = 'anthropic' | 'openai-chat' | 'openai-responses';

/** A tool declaration: JSON-schema parameters, provider-neutral. */
export interface ToolSpec {
  readonly name: string;
  readonly description?: string;
  readonly parameters: Record<string, unknown>;
}

/** A block inside a tool result other than text (image, document, ...): passed through as recorded. */
export interface OpaqueBlock {
  readonly type: string;
  readonly [key: string]: unknown;
}

export interface TextPart {
  readonly type: 'text';
  readonly text: string;
}

export interface ToolResultPart {
  readonly type: 'tool_result';
  readonly callId: string;
  /** Exactly as recorded: a string, or (Anthropic) a list of text / image / document blocks. */
  readonly content: string | readonly (TextPart | OpaqueBlock)[];
  readonly isError?: boolean;
}

export interface ImagePart {
  readonly type: 'image';
  /** The recorded Anthropic `image` block or OpenAI `input_image` / `image_url` part. */
  readonly block: OpaqueBlock;
}

export interface ToolCallPart {
  readonly type: 'tool_call';
  readonly id: string;
  readonly name: string;
  /** The call's arguments as an object (Anthropic `input`). */
  readonly input: Record<string, unknown>;
  /** The arguments as recorded when they were a JSON string (OpenAI `arguments`), else `JSON.stringify(input)`. */
  readonly arguments: string;
  /** A free-form (custom) tool call whose input is raw text (Codex `apply_patch`). */
  readonly freeform?: boolean;
}

export interface ThinkingPart {
  readonly type: 'thinking';
  /** The recorded Anthropic `thinking` / `redacted_thinking` block, kept as is. */
  readonly block: OpaqueBlock;
}

export interface ReasoningPart {
  readonly type: 'reasoning';
  /** The recorded OpenAI Responses `reasoning` item (summary, encrypted content), kept as is. */
  readonly item: OpaqueBlock;
}

export type UserPart = TextPart | ToolResultPart | ImagePart;
export type AssistantPart = TextPart | ToolCallPart | ThinkingPart | ReasoningPart;

export interface UserMessage {
  readonly role: 'user';
  readonly parts: readonly UserPart[];
}

export interface AssistantMessage {
  readonly role: 'assistant';
  readonly parts: readonly AssistantPart[];
}

export type Message = UserMessage | AssistantMessage;

/** A request body exactly as a client sent it (raw request logs): replayed byte for byte. */
export interface RecordedRequest {
  readonly api: WireApi;
  readonly body: string;
  /** The response to this request (taken from the next recorded request, or a placeholder). */
  readonly response: AssistantMessage;
}

export interface Conversation {
  /** A label unique within the file: instance id, session id, or `#n`. */
  readonly id: string;
  readonly format: TranscriptFormat;
  /** The model named by the transcript, if any. */
  readonly model: string | null;
  /** The system prompt as recorded; null when the transcript holds none. */
  readonly system: string | null;
  /** The recorded system text is only part of what the agent sent (older Codex: the user's instructions). */
  readonly systemPartial?: boolean;
  /** Tool schemas as recorded; null when the transcript holds none (builders then synthesise them). */
  readonly tools: readonly ToolSpec[] | null;
  readonly messages: readonly Message[];
  /** Raw request logs only: one recorded body per turn, in order. */
  readonly recordedRequests?: readonly RecordedRequest[];
  /** Provider-reported usage recorded with the responses (Claude Code, Codex), summed — for reference. */
  readonly recordedUsage?: RecordedUsage;
  /** Facts about the transcript worth reporting (what it lacks, what was skipped). */
  readonly notes: readonly string[];
}

/** Usage a transcript recorded for its own responses (what the original session was billed). */
export interface RecordedUsage {
  readonly responses: number;
  readonly inputTokens: number;
  readonly cacheWriteTokens: number;
  readonly cacheReadTokens: number;
  readonly outputTokens: number;
}

/** One model call: the request messages and the recorded response. */
export interface Turn {
  /** 0-based index of the turn within its conversation. */
  readonly index: number;
  /** Every message before the response. */
  readonly history: readonly Message[];
  readonly response: AssistantMessage;
}

/** The turns of a conversation: one per assistant message that follows at least one user message. */
export function turnsOf(conversation: Conversation): Turn[] {
  const turns: Turn[] = [];
  const { messages } = conversation;
  for (let i = 1; i < messages.length; i++) {
    const message = messages[i]!;
    if (message.role !== 'assistant' || messages[i - 1]!.role !== 'user') continue;
    turns.push({ index: turns.length, history: messages.slice(0, i), response: message });
  }
  return turns;
}

/** Append a part to the last message when it has the same role, else start a new message. */
export function pushPart(messages: Message[], role: 'user', part: UserPart): void;
export function pushPart(messages: Message[], role: 'assistant', part: AssistantPart): void;
export function pushPart(
  messages: Message[],
  role: 'user' | 'assistant',
  part: UserPart | AssistantPart,
): void {
  const last = messages[messages.length - 1];
  if (last && last.role === role) {
    messages[messages.length - 1] = { role, parts: [...last.parts, part] } as Message;
  } else {
    messages.push({ role, parts: [part] } as Message);
  }
}

/** The text of a tool result's content (text blocks joined by newlines; other blocks skipped). */
export function toolResultText(content: ToolResultPart['content']): string {
  if (typeof content === 'string') return content;
  return content
    .filter((b): b is TextPart => b.type === 'text' && typeof (b as TextPart).text === 'string')
    .map((b) => b.text)
    .join('\n');
}

/** Parse tool-call arguments recorded as a JSON string; anything that is not an object is wrapped. */
export function argumentsToInput(args: unknown): { input: Record<string, unknown>; arguments: string } {
  if (typeof args === 'string') {
    try {
      const parsed: unknown = JSON.parse(args);
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
        return { input: parsed as Record<string, unknown>, arguments: args };
      }
      return { input: parsed === null ? {} : { value: parsed }, arguments: args };
    } catch {
      return { input: { raw: args }, arguments: args };
    }
  }
  if (args !== null && typeof args === 'object' && !Array.isArray(args)) {
    return { input: args as Record<string, unknown>, arguments: JSON.stringify(args) };
  }
  return {
    input: args === null || args === undefined ? {} : { value: args },
    arguments: JSON.stringify(args ?? {}),
  };
}

/** Every tool call in the conversation, in order. */
export function toolCallsOf(conversation: Conversation): ToolCallPart[] {
  const calls: ToolCallPart[] = [];
  for (const m of conversation.messages) {
    if (m.role !== 'assistant') continue;
    for (const p of m.parts) if (p.type === 'tool_call') calls.push(p);
  }
  return calls;
}

/**
 * Tool schemas for a transcript that recorded none: one per tool name called, its parameters the union of
 * the argument names seen (typed from the first value seen). Built from the whole conversation so the tools
 * array is identical on every turn, as a real agent's is.
 */
export function synthesizeTools(conversation: Conversation): ToolSpec[] {
  const byName = new Map<string, Map<string, string>>();
  for (const call of toolCallsOf(conversation)) {
    const props = byName.get(call.name) ?? new Map<string, string>();
    for (const [key, value] of Object.entries(call.input)) {
      if (!props.has(key)) props.set(key, jsonType(value));
    }
    byName.set(call.name, props);
  }
  return [...byName.entries()].map(([name, props]) => ({
    name,
    description: `${name} (schema reconstructed from the recorded calls; the transcript holds no tool schemas)`,
    parameters: {
      type: 'object',
      properties: Object.fromEntries([...props.entries()].map(([k, t]) => [k, { type: t }])),
    },
  }));
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return 'array';
  if (value === null) return 'string';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'object') return 'object';
  if (typeof value === 'boolean') return 'boolean';
  return 'string';
}

/** Which model family a model name belongs to. */
export function modelFamily(model: string | null): 'claude' | 'gpt' | 'other' {
  if (model === null) return 'other';
  const m = model.toLowerCase();
  if (m.includes('claude') || m.includes('anthropic')) return 'claude';
  if (/^(gpt|o\d|chatgpt|codex|openai)/.test(m) || m.includes('gpt')) return 'gpt';
  return 'other';
}
