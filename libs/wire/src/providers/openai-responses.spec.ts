import { describe, expect, it } from 'vitest';
import { applyEdits } from '../splice';
import { openAiResponsesAdapter } from './openai-responses';
import { segmentEdit } from './provider-adapter';

const parse = (body: unknown) => openAiResponsesAdapter.parseRequest(Buffer.from(JSON.stringify(body), 'utf8'));

const ENCRYPTED = 'gAAAAABo' + 'q'.repeat(300);

/** A Codex-CLI-like request: reasoning items with encrypted content, multi-part input_text. */
const codexBody = {
  model: 'gpt-5-codex',
  instructions: 'You are Codex.',
  stream: true,
  store: false,
  include: ['reasoning.encrypted_content'],
  input: [
    { type: 'message', role: 'developer', content: [{ type: 'input_text', text: '<permissions>' }] },
    {
      type: 'message',
      role: 'user',
      content: [
        { type: 'input_text', text: '<environment_context>cwd=/repo</environment_context>' },
        { type: 'input_text', text: 'run the tests' },
      ],
    },
    { type: 'reasoning', id: 'rs_1', summary: [], content: null, encrypted_content: ENCRYPTED },
    { type: 'function_call', name: 'shell', arguments: '{"command":["npm","test"]}', call_id: 'call_1' },
    { type: 'function_call_output', call_id: 'call_1', output: 'PASS 12 tests\n'.repeat(10) },
    { type: 'custom_tool_call', name: 'apply_patch', input: '*** Begin Patch', call_id: 'call_2' },
    { type: 'custom_tool_call_output', call_id: 'call_2', output: 'Done!' },
    {
      type: 'function_call_output',
      call_id: 'call_3',
      output: [
        { type: 'input_text', text: 'part one' },
        { type: 'input_image', image_url: 'data:image/png;base64,AAAA' },
      ],
    },
    { role: 'assistant', content: 'ok' },
  ],
};

describe('openAiResponsesAdapter.parseRequest', () => {
  it('lists function_call_output items, never reasoning or user/developer text', () => {
    const parsed = parse(codexBody);
    expect(parsed.messagesKey).toBe('input');
    expect(parsed.messages.map((m) => m.type)).toEqual([
      'message',
      'message',
      'reasoning',
      'function_call',
      'function_call_output',
      'custom_tool_call',
      'custom_tool_call_output',
      'function_call_output',
      'message',
    ]);
    expect(parsed.segments.map((s) => [s.messageIndex, s.path.join('.'), s.toolName, s.toolCallId])).toEqual([
      [4, 'input.4.output', 'shell', 'call_1'],
      [6, 'input.6.output', 'apply_patch', 'call_2'],
      [7, 'input.7.output.0.text', null, 'call_3'],
    ]);
    expect(parsed.segments[0]!.toolInput).toBe('{"command":["npm","test"]}');
    expect(parsed.systemSpan?.kind).toBe('string');
  });

  it('joins multi-part input_text for the task query and adds the latest calls', () => {
    const parsed = parse(codexBody);
    expect(parsed.taskQuery).toBe(
      '<environment_context>cwd=/repo</environment_context>\nrun the tests\n{"command":["npm","test"]}\n*** Begin Patch',
    );
  });

  it('keeps encrypted reasoning byte-identical when a neighbouring output is compressed', () => {
    const raw = Buffer.from(JSON.stringify(codexBody));
    const parsed = openAiResponsesAdapter.parseRequest(raw);
    const out = applyEdits(raw, [segmentEdit(parsed.segments[0]!, 'PASS 12 tests (x10)')]);
    const after = JSON.parse(out.toString()) as typeof codexBody;
    expect(after.input[2]).toEqual(codexBody.input[2]);
    expect(out.includes(ENCRYPTED)).toBe(true);
    expect((after.input[4] as { output: string }).output).toBe('PASS 12 tests (x10)');
  });

  it('handles input given as a plain string', () => {
    const parsed = parse({ model: 'gpt-5', input: 'hello there' });
    expect(parsed.segments).toEqual([]);
    expect(parsed.messagesSpan).toBeNull();
    expect(parsed.taskQuery).toBe('hello there');
    expect(parsed.stream).toBe(false);
  });
});
