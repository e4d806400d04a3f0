import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  toolCallsOf,
  turnsOf,
  type AssistantMessage,
  type Conversation,
  type ToolCallPart,
  type ToolResultPart,
  type UserMessage,
} from '../conversation';
import type { ReplayError } from '../replay-error';
import { readTranscript } from './read-transcript';

const FIXTURES = new URL('../../../test/fixtures/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
/** Element `i`, which the fixture is known to have. */
function at<T>(list: readonly T[], i: number): T {
  const v = list[i];
  if (v === undefined) throw new Error(`fixture has no element ${i}`);
  return v;
}
const json = <T>(name: string): T => JSON.parse(fixture(name)) as T;
const jsonLines = <T>(name: string): T[] =>
  fixture(name)
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as T);

interface RawTraj {
  history: { content: string; thought: string; action: string }[];
}
type RawNebius = { instance_id: string; trajectory: { text: string; system_prompt: string }[] }[];
type RawOpenHands = {
  messages: { role: string; content: string }[];
  tools: { function: { name: string } }[];
}[];
type RawSweSmith = { messages: { content: string }[] }[];
interface RawClaudeLine {
  type: string;
  message: { content: string | { content: unknown }[] };
}
interface RawCodexLine {
  payload: { type?: string; input?: string; output?: string };
}
interface RawAnthropicBody {
  messages: { content: { input: unknown }[] }[];
}

const results = (c: Conversation): ToolResultPart[] =>
  c.messages.flatMap((m) =>
    m.role === 'user' ? m.parts.filter((p): p is ToolResultPart => p.type === 'tool_result') : [],
  );

/** Every tool call is answered in the next message, and every result follows its call. */
function expectPaired(c: Conversation): void {
  c.messages.forEach((m, i) => {
    if (m.role !== 'assistant') return;
    const ids = m.parts.filter((p): p is ToolCallPart => p.type === 'tool_call').map((p) => p.id);
    const next = c.messages[i + 1] as UserMessage | undefined;
    if (!next) return; // the final response
    const answered = next.parts
      .filter((p): p is ToolResultPart => p.type === 'tool_result')
      .map((p) => p.callId);
    expect(answered).toEqual(ids);
  });
  c.messages.forEach((m, i) => {
    if (i > 0) expect(m.role).not.toBe(c.messages[i - 1]!.role);
  });
  expect(c.messages[0]!.role).toBe('user');
}

describe('readTranscript — SWE-agent .traj', () => {
  const raw = json<RawTraj>('swe-agent.traj.json');
  const { format, conversations } = readTranscript(fixture('swe-agent.traj.json'), 'swe-agent_gpt4_x.traj');
  const c = conversations[0]!;

  it('detects the format and keeps the system prompt verbatim', () => {
    expect(format).toBe('swe-agent-traj');
    expect(conversations).toHaveLength(1);
    expect(c.system).toBe(at(raw.history, 0).content);
    expect(c.model).toBe('gpt-4');
    expect(c.tools).toBeNull();
  });

  it('turns each action into a bash call and each observation into its result, text unchanged', () => {
    const first = c.messages[1] as AssistantMessage;
    expect(first.parts[0]).toEqual({ type: 'text', text: at(raw.history, 2).thought.trimEnd() });
    const call = first.parts[1] as ToolCallPart;
    expect(call.name).toBe('bash');
    expect(call.input).toEqual({ command: at(raw.history, 2).action });
    expect(results(c).map((r) => r.content)).toEqual([
      at(raw.history, 3).content,
      at(raw.history, 5).content,
      at(raw.history, 7).content,
    ]);
    expect(turnsOf(c)).toHaveLength(4);
    expectPaired(c);
  });
});

describe('readTranscript — nebius SWE-agent trajectories', () => {
  const raw = json<RawNebius>('nebius-swe-agent.json');
  const { format, conversations } = readTranscript(fixture('nebius-swe-agent.json'), 'nebius.json');

  it('reads every trajectory as its own conversation', () => {
    expect(format).toBe('nebius-swe-agent');
    expect(conversations.map((c) => c.id)).toEqual([at(raw, 0).instance_id, at(raw, 1).instance_id]);
    expect(conversations[0]!.system).toBe(at(at(raw, 0).trajectory, 0).system_prompt);
    expect(conversations[0]!.model).toBe('swe-agent-llama-70b');
  });

  it('splits the fenced action off the prose; the observation is the result, unchanged', () => {
    const c = conversations[0]!;
    const call = toolCallsOf(c)[0]!;
    expect(call.input).toEqual({ command: 'ls -F\n' });
    const prose = (c.messages[1] as AssistantMessage).parts[0];
    expect(prose).toEqual({
      type: 'text',
      text: at(at(raw, 0).trajectory, 2).text.replace(/\n```\nls -F\n```$/, ''),
    });
    expect(results(c)[0]!.content).toBe(at(at(raw, 0).trajectory, 3).text);
    expectPaired(c);
  });
});

describe('readTranscript — OpenHands', () => {
  const raw = json<RawOpenHands>('openhands.json');
  const { format, conversations } = readTranscript(fixture('openhands.json'), 'openhands.json');
  const c = conversations[0]!;

  it('keeps tool schemas without the dataset nulls and the model from the run id', () => {
    expect(format).toBe('openhands');
    expect(c.model).toBe('gpt-4o-2024-08-06');
    expect(c.tools!.map((t) => t.name)).toEqual(raw[0]!.tools.map((t) => t.function.name));
    expect(JSON.stringify(c.tools)).not.toContain('null');
    const editor = c.tools!.find((t) => t.name === 'str_replace_editor')!;
    expect(
      (editor.parameters as { properties: { command: { enum: string[] } } }).properties.command.enum,
    ).toContain('view');
  });

  it('pairs parallel calls with their results in call order, contents unchanged', () => {
    const parallel = c.messages.find(
      (m) => m.role === 'assistant' && m.parts.filter((p) => p.type === 'tool_call').length === 2,
    )!;
    const idx = c.messages.indexOf(parallel);
    const next = c.messages[idx + 1] as UserMessage;
    const rawTools = raw[0]!.messages.filter((m) => m.role === 'tool');
    expect(next.parts.map((p) => (p as ToolResultPart).content)).toEqual([
      rawTools[3]!.content,
      rawTools[4]!.content,
    ]);
    expect(results(c).map((r) => r.content)).toEqual(rawTools.map((m) => m.content));
    expectPaired(c);
  });
});

describe('readTranscript — SWE-smith', () => {
  const raw = json<RawSweSmith>('swe-smith.json');
  const { format, conversations } = readTranscript(fixture('swe-smith.json'), 'swe-smith.json');
  const c = conversations[0]!;

  it('parses <function=…> calls and keeps observations unchanged', () => {
    expect(format).toBe('swe-smith');
    expect(c.model).toBe('claude-3-7-sonnet-20250219');
    const calls = toolCallsOf(c);
    expect(calls[0]!.name).toBe('bash');
    expect(calls[0]!.input).toEqual({
      command: 'find /testbed -type f -name "*.py" | grep -v "__pycache__" | sort',
    });
    expect(calls[1]!.name).toBe('str_replace_editor');
    expect(calls[1]!.input).toEqual({ command: 'view', path: '/testbed/arrow/arrow.py' });
    expect(results(c).map((r) => r.content)).toEqual([
      at(at(raw, 0).messages, 3).content,
      at(at(raw, 0).messages, 5).content,
    ]);
    expect(c.system).toBe(at(at(raw, 0).messages, 0).content);
    expectPaired(c);
  });
});

describe('readTranscript — Claude Code session', () => {
  const lines = jsonLines<RawClaudeLine>('claude-code-session.jsonl');
  const { format, conversations } = readTranscript(fixture('claude-code-session.jsonl'), 'session.jsonl');
  const c = conversations[0]!;
  const texts = c.messages.flatMap((m) => m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])));

  it('follows the parentUuid chain from the last entry (the /clear branch is not on it)', () => {
    expect(format).toBe('claude-code');
    expect(conversations).toHaveLength(1);
    expect(texts.some((t) => t.includes('<command-name>/clear'))).toBe(false);
    expect(texts[0]).toBe(at(lines, 0).message.content); // the meta caveat is sent
    expect(texts.some((t) => t.startsWith('<bash-input>'))).toBe(true);
  });

  it('merges the entries of one response (same message.id) and keeps tool results unchanged', () => {
    const assistants = c.messages.filter((m): m is AssistantMessage => m.role === 'assistant');
    expect(assistants).toHaveLength(4);
    expect(assistants[0]!.parts.map((p) => p.type)).toEqual(['text', 'tool_call']);
    const rawResults = lines.flatMap((l) =>
      l.type === 'user' && Array.isArray(l.message.content) ? [l.message.content[0]!.content] : [],
    );
    expect(results(c).map((r) => r.content)).toEqual(rawResults);
    expect(c.system).toBeNull();
    expect(c.tools).toBeNull();
    expect(c.notes.join(' ')).toMatch(/no system prompt and no tool schemas/);
    expect(c.recordedUsage?.responses).toBe(4);
    expectPaired(c);
  });

  const entry = (
    uuid: string,
    parent: string | null,
    type: 'user' | 'assistant',
    content: unknown,
    extra: object = {},
  ) =>
    JSON.stringify({
      uuid,
      parentUuid: parent,
      type,
      isSidechain: false,
      sessionId: 'abcdef12-0000',
      message:
        type === 'user'
          ? { role: 'user', content }
          : {
              id: `msg_${uuid}`,
              role: 'assistant',
              model: 'claude-sonnet-4-5',
              content,
              usage: { input_tokens: 1, output_tokens: 2 },
            },
      ...extra,
    });

  it('replays each compaction segment and each sidechain as its own conversation', () => {
    const text = [
      entry('a1', null, 'user', 'first task'),
      entry('a2', 'a1', 'assistant', [{ type: 'text', text: 'done 1' }]),
      JSON.stringify({
        uuid: 'c0',
        parentUuid: null,
        logicalParentUuid: 'a2',
        type: 'system',
        subtype: 'compact_boundary',
        content: 'Conversation compacted',
      }),
      entry('b1', 'c0', 'user', 'summary of the earlier work'),
      entry('b2', 'b1', 'assistant', [
        { type: 'tool_use', id: 'toolu_1', name: 'Task', input: { prompt: 'look' } },
      ]),
      entry('s1', null, 'user', 'look', { isSidechain: true }),
      entry('s2', 's1', 'assistant', [{ type: 'text', text: 'looked' }], { isSidechain: true }),
      entry('b3', 'b2', 'user', [
        { type: 'tool_result', tool_use_id: 'toolu_1', content: [{ type: 'text', text: 'looked' }] },
      ]),
      entry('b4', 'b3', 'assistant', [{ type: 'text', text: 'all done' }]),
      entry('x1', 'b4', 'assistant', [{ type: 'text', text: 'API Error' }], { isApiErrorMessage: true }),
    ].join('\n');
    const read = readTranscript(text, 's.jsonl').conversations;
    expect(read.map((r) => r.id)).toEqual([
      'abcdef12 segment 1/2',
      'abcdef12 segment 2/2',
      'abcdef12 sidechain 1',
    ]);
    expect(turnsOf(read[0]!)).toHaveLength(1);
    expect(turnsOf(read[1]!)).toHaveLength(2);
    expect(results(read[1]!)[0]!.content).toEqual([{ type: 'text', text: 'looked' }]);
    expect(read[1]!.notes.join(' ')).toMatch(/1 synthetic\/API-error/);
    expect(turnsOf(read[2]!)[0]!.response.parts).toEqual([{ type: 'text', text: 'looked' }]);
  });
});

describe('readTranscript — Codex CLI rollouts', () => {
  it('reads the current RolloutLine layout', () => {
    const lines = jsonLines<RawCodexLine>('codex-rollout-current.jsonl');
    const { format, conversations } = readTranscript(fixture('codex-rollout-current.jsonl'), 'rollout.jsonl');
    const c = conversations[0]!;
    expect(format).toBe('codex-rollout');
    expect(c.model).toBe('gpt-5-codex');
    expect(c.system).toBeNull();
    const calls = toolCallsOf(c);
    expect(calls.map((x) => x.name)).toEqual(['shell', 'shell', 'apply_patch', 'shell']);
    const patch = calls[2]!;
    expect(patch.freeform).toBe(true);
    expect(patch.arguments).toBe(lines.find((l) => l.payload.type === 'custom_tool_call')!.payload.input);
    const outputs = lines.filter((l) => /_output$/.test(l.payload.type ?? '')).map((l) => l.payload.output);
    expect(results(c).map((r) => r.content)).toEqual(outputs);
    expect(c.messages[1]!.parts[0]!.type).toBe('reasoning');
    expect(turnsOf(c)).toHaveLength(5);
    expect(c.recordedUsage).toEqual({
      responses: 0,
      inputTokens: 21530 - 14592,
      cacheWriteTokens: 0,
      cacheReadTokens: 14592,
      outputTokens: 301,
    });
    expectPaired(c);
  });

  it('reads the older layout (meta line, bare items, state records)', () => {
    const { format, conversations } = readTranscript(
      fixture('codex-rollout-legacy.jsonl'),
      'rollout-old.jsonl',
    );
    const c = conversations[0]!;
    expect(format).toBe('codex-rollout-legacy');
    expect(c.system).toBe('Run the tests with pytest -q before you finish.');
    expect(c.systemPartial).toBe(true);
    expect(toolCallsOf(c).map((x) => x.name)).toEqual(['shell', 'local_shell', 'shell']);
    const userTexts = c.messages.flatMap((m) =>
      m.role === 'user' ? m.parts.flatMap((p) => (p.type === 'text' ? [p.text] : [])) : [],
    );
    expect(userTexts).toEqual(['test_add fails, please fix it', 'yes']);
    expect(turnsOf(c)).toHaveLength(5);
    expectPaired(c);
  });

  it('starts a new conversation after a compaction', () => {
    const line = (type: string, payload: object) =>
      JSON.stringify({ timestamp: '2025-10-01T00:00:00.000Z', type, payload });
    const text = [
      line('session_meta', { id: '11112222-aaaa', cwd: '/x', cli_version: '0.44.0' }),
      line('response_item', {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'one' }],
      }),
      line('response_item', {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'ok one' }],
      }),
      line('compacted', { message: 'summary so far' }),
      line('response_item', {
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: 'two' }],
      }),
      line('response_item', {
        type: 'message',
        role: 'assistant',
        content: [{ type: 'output_text', text: 'ok two' }],
      }),
    ].join('\n');
    const read = readTranscript(text, 'r.jsonl').conversations;
    expect(read).toHaveLength(2);
    expect(read[1]!.messages[0]!.parts.map((p) => (p as { text: string }).text)).toEqual([
      'summary so far',
      'two',
    ]);
  });
});

describe('readTranscript — raw request bodies', () => {
  it('groups requests that extend each other and keeps their bytes', () => {
    const text = fixture('raw-anthropic-requests.jsonl');
    const lines = text.trim().split('\n');
    const { format, conversations } = readTranscript(text, 'requests.jsonl');
    expect(format).toBe('raw-anthropic');
    expect(conversations).toHaveLength(1);
    const c = conversations[0]!;
    expect(c.recordedRequests!.map((r) => r.body)).toEqual(lines);
    const second = JSON.parse(lines[1]!) as RawAnthropicBody;
    expect(c.recordedRequests![0]!.response.parts.map((p) => p.type)).toEqual(['text', 'tool_call']);
    expect((c.recordedRequests![0]!.response.parts[1] as ToolCallPart).input).toEqual(
      second.messages[1]!.content[1]!.input,
    );
    expect(c.recordedRequests![2]!.response.parts).toEqual([{ type: 'text', text: 'Done.' }]);
    expect(c.tools!.map((t) => t.name)).toEqual(['bash']);
  });

  it('reads Chat Completions bodies and splits unrelated requests', () => {
    const chat = fixture('raw-openai-chat-requests.jsonl');
    const { format, conversations } = readTranscript(chat, 'chat.jsonl');
    expect(format).toBe('raw-openai-chat');
    expect(conversations).toHaveLength(1);
    expect(conversations[0]!.system).toBe(
      'You are a coding agent. Use the tools to inspect and fix the repository.',
    );
    const first = chat.trim().split('\n')[0]!;
    const other = JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'unrelated' }] });
    const split = readTranscript(`${first}\n${other}\n`, 'mixed.jsonl').conversations;
    expect(split).toHaveLength(2);
  });
});

describe('readTranscript — errors', () => {
  it('rejects what it cannot read with a typed error', () => {
    const code = (text: string): string | undefined => {
      try {
        readTranscript(text, 'x.json');
        return undefined;
      } catch (err) {
        return (err as ReplayError).code;
      }
    };
    expect(code('')).toBe('RPL_EMPTY');
    expect(code('hello world\nnot json')).toBe('RPL_UNKNOWN_FORMAT');
    expect(code('{"foo": 1}\n{"bar": 2}')).toBe('RPL_UNKNOWN_FORMAT');
    const onlyUser = JSON.stringify({
      uuid: 'u1',
      parentUuid: null,
      type: 'user',
      message: { role: 'user', content: 'hi' },
    });
    expect(code(onlyUser)).toBe('RPL_NO_TURNS');
    // A single request body is one turn, answered by a placeholder.
    expect(
      code(JSON.stringify({ model: 'gpt-4o', messages: [{ role: 'user', content: 'hi' }] })),
    ).toBeUndefined();
  });
});
