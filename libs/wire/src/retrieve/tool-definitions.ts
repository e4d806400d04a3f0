/**
 * The `leeway_retrieve` tool in the three request shapes, as exact constant bytes: once it appears in a
 * session it is sent byte-identically on every later turn (sticky), so the cached prefix holds.
 */
import { WireError } from '../errors';
import { decodeString, findMember, spanText, type JsonSpan } from '../json-scan';
import type { ParsedRequest, WireApi } from '../providers/provider-adapter';
import { addMemberEdit, appendToArrayEdit, replaceValueEdit, type ByteEdit } from '../splice';

export const RETRIEVE_TOOL_NAME = 'leeway_retrieve';

const DESCRIPTION =
  'Get back content that Leeway shortened in an earlier tool output. A shortened output contains a marker ' +
  'like [leeway: 180 of 200 rows omitted; retrieve key=lw_0123456789abcdef]. Call this tool with that key to ' +
  'read the original; add query to get only the lines of the original that contain those words.';
const KEY_DESCRIPTION = 'The key from the marker, e.g. lw_0123456789abcdef.';
const QUERY_DESCRIPTION = 'Optional words to search for: only the matching lines of the original are returned.';

const SCHEMA =
  `{"type":"object","properties":{"key":{"type":"string","description":${JSON.stringify(KEY_DESCRIPTION)}},` +
  `"query":{"type":"string","description":${JSON.stringify(QUERY_DESCRIPTION)}}},"required":["key"]}`;

/** Anthropic Messages `tools[]` entry. */
export const RETRIEVE_TOOL_ANTHROPIC = `{"name":"${RETRIEVE_TOOL_NAME}","description":${JSON.stringify(DESCRIPTION)},"input_schema":${SCHEMA}}`;

/** Chat Completions `tools[]` entry. */
export const RETRIEVE_TOOL_CHAT = `{"type":"function","function":{"name":"${RETRIEVE_TOOL_NAME}","description":${JSON.stringify(DESCRIPTION)},"parameters":${SCHEMA}}}`;

/** Responses `tools[]` entry (`strict: false`: `query` is optional, which strict mode forbids). */
export const RETRIEVE_TOOL_RESPONSES = `{"type":"function","name":"${RETRIEVE_TOOL_NAME}","description":${JSON.stringify(DESCRIPTION)},"parameters":${SCHEMA},"strict":false}`;

/** The exact tool bytes for an API. */
export function retrieveToolJson(api: WireApi): string {
  switch (api) {
    case 'anthropic-messages':
      return RETRIEVE_TOOL_ANTHROPIC;
    case 'openai-chat':
      return RETRIEVE_TOOL_CHAT;
    case 'openai-responses':
      return RETRIEVE_TOOL_RESPONSES;
  }
}

function toolName(parsed: ParsedRequest, tool: JsonSpan): string | null {
  const holder = parsed.api === 'openai-chat' ? findMember(tool, 'function') : tool;
  const name = findMember(holder, 'name');
  return name?.kind === 'string' ? decodeString(parsed.raw, name) : null;
}

/** Whether the request declares a tool named `leeway_retrieve` with other bytes than Leeway's (the client's own). */
export function clientDeclaresRetrieveTool(parsed: ParsedRequest): boolean {
  const ours = retrieveToolJson(parsed.api);
  return (parsed.toolsSpan?.items ?? []).some((t) => toolName(parsed, t) === RETRIEVE_TOOL_NAME && spanText(parsed.raw, t) !== ours);
}

/**
 * Whether the request carries Leeway's retrieve tool, byte for byte: only then does Leeway answer
 * `leeway_retrieve` calls (a client tool of that name is the client's to answer).
 */
export function hasLeewayRetrieveTool(parsed: ParsedRequest): boolean {
  const ours = retrieveToolJson(parsed.api);
  return (parsed.toolsSpan?.items ?? []).some((t) => t.end - t.start === Buffer.byteLength(ours) && spanText(parsed.raw, t) === ours);
}

/**
 * The edit appending Leeway's retrieve tool to `tools` (creating `tools` when absent or null), or null
 * when the request already declares a tool of that name (the client's own, or ours already there) or uses
 * the legacy chat `functions` list (OpenAI rejects `tools` next to `functions`).
 */
export function addRetrieveToolEdit(raw: Buffer, parsed: ParsedRequest): ByteEdit | null {
  if (raw !== parsed.raw && raw.length !== parsed.raw.length) throw new WireError('WIRE_BAD_EDIT', 'addRetrieveToolEdit: parsed does not belong to raw');
  const tools = parsed.toolsSpan;
  if (tools?.items.some((t) => toolName(parsed, t) === RETRIEVE_TOOL_NAME)) return null;
  const json = retrieveToolJson(parsed.api);
  if (tools) return appendToArrayEdit(tools, json);
  if (parsed.api === 'openai-chat' && findMember(parsed.root, 'functions')) return null;
  const entry = findMember(parsed.root, 'tools');
  if (entry && entry.kind !== 'null') return null; // a malformed `tools`: leave it to the provider
  return entry ? replaceValueEdit(entry, `[${json}]`) : addMemberEdit(parsed.root, 'tools', `[${json}]`);
}
