/**
 * Agents that predate native tool calling write their action into the assistant text. These helpers split
 * such a message into the prose and one tool call, so the replay can send it as a real tool call and the
 * observation that follows as its tool result.
 */

export interface TextAction {
  /** The prose before the action (trailing whitespace removed). */
  readonly thought: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

/** SWE-agent's own interface runs every action as a command line: one tool, one `command` argument. */
export const SWE_AGENT_TOOL = 'bash';

const FENCE_AT_END = /```[^\n`]*\n([\s\S]*?)\n?```\s*$/;

/** SWE-agent (v0.x, nebius): the action is the last fenced block at the end of the message. */
export function parseFencedAction(text: string): TextAction | null {
  const match = FENCE_AT_END.exec(text);
  if (!match || match.index === undefined) return null;
  const command = match[1]!;
  if (command.trim().length === 0) return null;
  return {
    thought: text.slice(0, match.index).trimEnd(),
    name: SWE_AGENT_TOOL,
    input: { command: `${command}\n` },
  };
}

const FUNCTION_BLOCK = /<function=([^>\s]+)>([\s\S]*?)<\/function>/;
const PARAMETER = /<parameter=([^>\s]+)>([\s\S]*?)<\/parameter>/g;

/**
 * SWE-smith / OpenHands non-native calling: `<function=NAME><parameter=K>V</parameter>…</function>`.
 * Only the first block counts (the agent executes one action per turn); text after it stays prose.
 */
export function parseXmlFunctionAction(text: string): TextAction | null {
  const match = FUNCTION_BLOCK.exec(text);
  if (!match || match.index === undefined) return null;
  const input: Record<string, unknown> = {};
  for (const p of match[2]!.matchAll(PARAMETER)) input[p[1]!] = stripOneNewline(p[2]!);
  const before = text.slice(0, match.index).trimEnd();
  const after = text.slice(match.index + match[0].length).trim();
  return { thought: after ? `${before}\n\n${after}` : before, name: match[1]!, input };
}

/** `<parameter=x>\nvalue\n</parameter>` carries the value without its framing newlines. */
function stripOneNewline(value: string): string {
  let v = value;
  if (v.startsWith('\n')) v = v.slice(1);
  if (v.endsWith('\n')) v = v.slice(0, -1);
  return v;
}
