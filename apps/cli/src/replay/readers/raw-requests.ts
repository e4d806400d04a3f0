/**
 * A JSONL of raw request bodies (one full Anthropic Messages, Chat Completions or Responses request a
 * line, e.g. captured by a logging proxy). Consecutive lines whose history extends the previous line's
 * form one conversation; anything else starts a new one. The recorded bytes are kept so the replay can
 * send them verbatim. A line's response is the assistant message the next line carries after its history;
 * the last line's response was never recorded and is replaced by a one-word placeholder.
 */
import type {
  AssistantMessage,
  Conversation,
  Message,
  RecordedRequest,
  ToolSpec,
  WireApi,
} from '../conversation';
import { anthropicSystemText, anthropicToolsToSpecs, parseAnthropicMessages } from './anthropic';
import { asArray, asRecord, asString, type ReaderHint } from './json-util';
import { parseChatMessages } from './openai-chat';
import { ResponsesItemReader, responsesToolsToSpecs } from './openai-responses';

export const PLACEHOLDER_RESPONSE: AssistantMessage = {
  role: 'assistant',
  parts: [{ type: 'text', text: 'Done.' }],
};

interface ParsedRequest {
  readonly api: WireApi;
  readonly body: string;
  readonly model: string | null;
  readonly system: string | null;
  readonly tools: ToolSpec[] | null;
  readonly messages: Message[];
}

/** Which API a request body is for, or null when it is not a request body. */
export function requestApi(body: unknown): WireApi | null {
  const b = asRecord(body);
  if (!b) return null;
  if ('input' in b && !('messages' in b)) return 'openai-responses';
  if (!Array.isArray(b['messages'])) return null;
  const msgs = b['messages'].map(asRecord);
  const chatish = msgs.some(
    (m) =>
      m !== null &&
      (m['role'] === 'system' || m['role'] === 'tool' || m['role'] === 'developer' || 'tool_calls' in m),
  );
  if (chatish) return 'openai-chat';
  const blockTypes = msgs.flatMap((m) => asArray(m?.['content']).map((c) => asRecord(c)?.['type']));
  if ('system' in b || blockTypes.some((t) => t === 'tool_use' || t === 'tool_result')) return 'anthropic';
  if ('max_tokens' in b && /claude/i.test(asString(b['model']) ?? '')) return 'anthropic';
  if (asArray(b['tools']).some((t) => asRecord(t)?.['type'] === 'function')) return 'openai-chat';
  return /claude/i.test(asString(b['model']) ?? '') ? 'anthropic' : 'openai-chat';
}

export function isRawRequestLines(lines: readonly unknown[]): boolean {
  return lines.length > 0 && lines.every((l) => requestApi(l) !== null);
}

function parseRequest(api: WireApi, body: Record<string, unknown>, raw: string): ParsedRequest {
  const model = asString(body['model']);
  if (api === 'anthropic') {
    return {
      api,
      body: raw,
      model,
      system: anthropicSystemText(body['system']),
      tools: anthropicToolsToSpecs(body['tools']),
      messages: parseAnthropicMessages(body['messages']),
    };
  }
  if (api === 'openai-chat') {
    const parsed = parseChatMessages(body['messages'], body['tools']);
    return { api, body: raw, model, system: parsed.system, tools: parsed.tools, messages: parsed.messages };
  }
  const reader = new ResponsesItemReader();
  const input = body['input'];
  if (typeof input === 'string') reader.add({ type: 'message', role: 'user', content: input });
  else for (const item of asArray(input)) reader.add(item);
  return {
    api,
    body: raw,
    model,
    system: asString(body['instructions']),
    tools: responsesToolsToSpecs(body['tools']),
    messages: reader.messages,
  };
}

function extendsHistory(prev: ParsedRequest, next: ParsedRequest): boolean {
  if (prev.api !== next.api || prev.system !== next.system || next.messages.length <= prev.messages.length)
    return false;
  for (let i = 0; i < prev.messages.length; i++) {
    if (JSON.stringify(prev.messages[i]) !== JSON.stringify(next.messages[i])) return false;
  }
  return true;
}

/** `rawLines` are the file's non-empty lines, `parsed` their JSON values (same order). */
export function readRawRequests(
  rawLines: readonly string[],
  parsed: readonly unknown[],
  hint: ReaderHint,
): Conversation[] {
  const requests = parsed.map((p, i) => parseRequest(requestApi(p)!, asRecord(p)!, rawLines[i]!));
  const chains: ParsedRequest[][] = [];
  for (const r of requests) {
    const chain = chains[chains.length - 1];
    const last = chain?.[chain.length - 1];
    if (chain && last && extendsHistory(last, r)) chain.push(r);
    else chains.push([r]);
  }
  return chains.map((chain, index) => {
    const last = chain[chain.length - 1]!;
    const recorded: RecordedRequest[] = chain.map((r, i) => {
      const next = chain[i + 1];
      const response = next?.messages[r.messages.length];
      return {
        api: r.api,
        body: r.body,
        response: response && response.role === 'assistant' ? response : PLACEHOLDER_RESPONSE,
      };
    });
    const format =
      last.api === 'anthropic'
        ? 'raw-anthropic'
        : last.api === 'openai-chat'
          ? 'raw-openai-chat'
          : 'raw-openai-responses';
    const notes = [
      'raw request log: the last response was not recorded (replayed as a one-word placeholder)',
      ...(last.system === null ? ['the requests carry no system prompt'] : []),
      ...(last.tools === null ? ['the requests carry no tool schemas'] : []),
    ];
    return {
      id: chains.length > 1 ? `${hint.baseName}#${index + 1}` : hint.baseName,
      format,
      model: last.model ?? hint.modelHint,
      system: last.system,
      tools: last.tools,
      messages: [...last.messages, PLACEHOLDER_RESPONSE],
      recordedRequests: recorded,
      notes,
    } satisfies Conversation;
  });
}
