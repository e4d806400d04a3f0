import { describe, expect, it } from 'vitest';
import { formatSseEvent, parseSse } from './sse-parser';
import {
  AnthropicStreamTap,
  isOpenAiUsageOnlyChunk,
  OpenAiChatStreamTap,
  OpenAiResponsesStreamTap,
  summarizeAnthropicResponse,
  summarizeOpenAiChatResponse,
  summarizeOpenAiResponsesResponse,
  UNKNOWN_USAGE,
  usageFromAnthropic,
  usageFromOpenAiChat,
  usageFromOpenAiResponses,
  type StreamTap,
} from './usage';

const sse = (events: [string | undefined, unknown][]): string =>
  events.map(([name, data]) => formatSseEvent(typeof data === 'string' ? data : JSON.stringify(data), name)).join('');

function tapAll(tap: StreamTap, text: string) {
  for (const e of parseSse(new TextEncoder().encode(text))) tap.push(e);
  return tap.finish();
}

const anthropicUsage = {
  input_tokens: 21,
  cache_creation_input_tokens: 1500,
  cache_read_input_tokens: 3000,
  cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 500 },
  output_tokens: 77,
};

const anthropicMessage = {
  id: 'msg_1',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5',
  content: [
    { type: 'text', text: 'Hi' },
    { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} },
  ],
  stop_reason: 'tool_use',
  usage: anthropicUsage,
};

function anthropicStream(start: Record<string, unknown>, deltas: Record<string, unknown>[], end = true): string {
  return sse([
    ['message_start', { type: 'message_start', message: { ...anthropicMessage, content: [], stop_reason: null, usage: start } }],
    ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } }],
    ['ping', { type: 'ping' }],
    ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } }],
    ['content_block_stop', { type: 'content_block_stop', index: 0 }],
    ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'tool_use', id: 'toolu_1', name: 'Bash', input: {} } }],
    ['content_block_stop', { type: 'content_block_stop', index: 1 }],
    ...deltas.map((u): [string, unknown] => ['message_delta', { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: u }]),
    ...(end ? ([['message_stop', { type: 'message_stop' }]] as [string, unknown][]) : []),
  ]);
}

describe('usage normalisation', () => {
  it('Anthropic: input excludes cache classes; TTL breakdown read', () => {
    expect(usageFromAnthropic(anthropicUsage)).toEqual({
      inputTokens: 21,
      outputTokens: 77,
      cacheReadTokens: 3000,
      cacheWrite5mTokens: 1000,
      cacheWrite1hTokens: 500,
      reasoningTokens: null,
    });
  });

  it('Anthropic without a breakdown: total to 5m, 1h unknown unless zero', () => {
    expect(usageFromAnthropic({ input_tokens: 1, output_tokens: 2, cache_creation_input_tokens: 40 })).toMatchObject({
      cacheWrite5mTokens: 40,
      cacheWrite1hTokens: null,
      cacheReadTokens: null,
    });
    expect(usageFromAnthropic({ input_tokens: 1, cache_creation_input_tokens: 0, cache_read_input_tokens: 0 })).toMatchObject({
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      cacheReadTokens: 0,
      outputTokens: null,
    });
    expect(usageFromAnthropic(undefined)).toEqual(UNKNOWN_USAGE);
  });

  it('OpenAI chat: prompt_tokens includes cached_tokens → uncached input', () => {
    expect(
      usageFromOpenAiChat({
        prompt_tokens: 2006,
        completion_tokens: 300,
        total_tokens: 2306,
        prompt_tokens_details: { cached_tokens: 1920, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 128 },
      }),
    ).toEqual({
      inputTokens: 86,
      outputTokens: 300,
      cacheReadTokens: 1920,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 128,
    });
    // a compatible backend without details: cache reads unknown, not 0
    expect(usageFromOpenAiChat({ prompt_tokens: 50, completion_tokens: 5 })).toMatchObject({
      inputTokens: 50,
      cacheReadTokens: null,
      reasoningTokens: null,
    });
    expect(usageFromOpenAiChat(null)).toEqual(UNKNOWN_USAGE);
  });

  it('OpenAI Responses: input_tokens_details.cached_tokens', () => {
    expect(
      usageFromOpenAiResponses({
        input_tokens: 5000,
        input_tokens_details: { cached_tokens: 4096 },
        output_tokens: 40,
        output_tokens_details: { reasoning_tokens: 12 },
        total_tokens: 5040,
      }),
    ).toEqual({
      inputTokens: 904,
      outputTokens: 40,
      cacheReadTokens: 4096,
      cacheWrite5mTokens: 0,
      cacheWrite1hTokens: 0,
      reasoningTokens: 12,
    });
  });
});

describe('Anthropic stream usage is a snapshot', () => {
  const nonStreamed = summarizeAnthropicResponse(anthropicMessage);

  it('official shape: message_start has input and cache counts, message_delta the output', () => {
    const summary = tapAll(
      new AnthropicStreamTap(),
      anthropicStream({ ...anthropicUsage, output_tokens: 1 }, [{ output_tokens: 77 }]),
    );
    expect(summary.usage).toEqual(nonStreamed.usage);
    expect(summary).toMatchObject({ outcome: 'complete', stopReason: 'tool_use', model: 'claude-sonnet-4-5' });
    expect(summary.toolCalls).toEqual(nonStreamed.toolCalls);
  });

  it('running totals repeated in several message_delta events are not summed', () => {
    const summary = tapAll(
      new AnthropicStreamTap(),
      anthropicStream({ ...anthropicUsage, output_tokens: 1 }, [
        { ...anthropicUsage, output_tokens: 30 },
        { ...anthropicUsage, output_tokens: 77 },
        anthropicUsage,
      ]),
    );
    expect(summary.usage).toEqual(nonStreamed.usage);
  });

  it('zeros in message_start, real counts only in message_delta (compatible backends)', () => {
    const zeros = {
      input_tokens: 0,
      output_tokens: 0,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 0,
      cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    };
    const summary = tapAll(new AnthropicStreamTap(), anthropicStream(zeros, [anthropicUsage]));
    expect(summary.usage).toEqual(nonStreamed.usage);
  });

  it('an error event fails the stream; a missing message_stop truncates it', () => {
    const withError =
      anthropicStream({ input_tokens: 5, output_tokens: 1 }, [], false) +
      sse([['error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } }]]);
    const failed = tapAll(new AnthropicStreamTap(), withError);
    expect(failed.outcome).toBe('error');
    expect(failed.error).toEqual({ type: 'overloaded_error', message: 'Overloaded' });
    expect(failed.usage.inputTokens).toBe(5);

    const truncated = tapAll(new AnthropicStreamTap(), anthropicStream({ input_tokens: 5, output_tokens: 1 }, [{ output_tokens: 9 }], false));
    expect(truncated.outcome).toBe('truncated');
    expect(truncated.usage).toMatchObject({ inputTokens: 5, outputTokens: 9, cacheReadTokens: null });
  });
});

describe('OpenAI chat stream usage', () => {
  const usage = { prompt_tokens: 1300, completion_tokens: 7, total_tokens: 1307, prompt_tokens_details: { cached_tokens: 1152 } };
  const chunk = (delta: unknown, finish: string | null = null, extra: Record<string, unknown> = {}) => ({
    id: 'chatcmpl-1',
    object: 'chat.completion.chunk',
    model: 'gpt-4.1',
    choices: [{ index: 0, delta, finish_reason: finish }],
    ...extra,
  });
  const stream = (withUsage: boolean, done = true) =>
    sse([
      [undefined, chunk({ role: 'assistant', content: '' })],
      [undefined, chunk({ tool_calls: [{ index: 0, id: 'call_1', type: 'function', function: { name: 'grep', arguments: '' } }] })],
      [undefined, chunk({ tool_calls: [{ index: 0, function: { arguments: '{}' } }] })],
      [undefined, chunk({}, 'tool_calls')],
      ...(withUsage ? ([[undefined, { id: 'chatcmpl-1', object: 'chat.completion.chunk', model: 'gpt-4.1', choices: [], usage }]] as [undefined, unknown][]) : []),
      ...(done ? ([[undefined, '[DONE]']] as [undefined, string][]) : []),
    ]);

  it('reads the usage chunk and equals the non-streamed usage', () => {
    const summary = tapAll(new OpenAiChatStreamTap(), stream(true));
    const nonStreamed = summarizeOpenAiChatResponse({
      model: 'gpt-4.1',
      choices: [{ index: 0, finish_reason: 'tool_calls', message: { role: 'assistant', tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'grep', arguments: '{}' } }] } }],
      usage,
    });
    expect(summary.usage).toEqual(nonStreamed.usage);
    expect(summary).toMatchObject({ outcome: 'complete', stopReason: 'tool_calls', model: 'gpt-4.1' });
    expect(summary.toolCalls).toEqual(nonStreamed.toolCalls);
  });

  it('without usage the usage is unknown, not zero; without [DONE] the stream is truncated', () => {
    expect(tapAll(new OpenAiChatStreamTap(), stream(false)).usage).toEqual(UNKNOWN_USAGE);
    expect(tapAll(new OpenAiChatStreamTap(), stream(true, false)).outcome).toBe('truncated');
    const err = tapAll(new OpenAiChatStreamTap(), sse([[undefined, { error: { message: 'boom', type: 'server_error' } }]]));
    expect(err).toMatchObject({ outcome: 'error', error: { type: 'server_error', message: 'boom' } });
  });

  it('recognises exactly the extra usage-only chunk', () => {
    const events = parseSse(new TextEncoder().encode(stream(true)));
    expect(events.map(isOpenAiUsageOnlyChunk)).toEqual([false, false, false, false, true, false]);
    // a normal chunk carrying "usage": null is not the usage chunk
    const nullUsage = parseSse(new TextEncoder().encode(sse([[undefined, chunk({ content: 'x' }, null, { usage: null })]])));
    expect(isOpenAiUsageOnlyChunk(nullUsage[0]!)).toBe(false);
  });
});

describe('OpenAI Responses stream usage', () => {
  const usage = { input_tokens: 2000, input_tokens_details: { cached_tokens: 1024 }, output_tokens: 50, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 2050 };
  const response = (status: string, extra: Record<string, unknown> = {}) => ({ id: 'resp_1', object: 'response', model: 'gpt-5', status, output: [], usage: null, ...extra });
  const item = { type: 'function_call', id: 'fc_1', call_id: 'call_1', name: 'shell', arguments: '' };

  it('response.completed carries the usage of the non-streamed response', () => {
    const text = sse([
      ['response.created', { type: 'response.created', sequence_number: 0, response: response('in_progress') }],
      ['response.in_progress', { type: 'response.in_progress', sequence_number: 1, response: response('in_progress') }],
      ['response.output_item.added', { type: 'response.output_item.added', sequence_number: 2, output_index: 0, item }],
      ['response.completed', { type: 'response.completed', sequence_number: 3, response: response('completed', { usage, output: [item] }) }],
    ]);
    const summary = tapAll(new OpenAiResponsesStreamTap(), text);
    const nonStreamed = summarizeOpenAiResponsesResponse(response('completed', { usage, output: [item] }));
    expect(summary.usage).toEqual(nonStreamed.usage);
    expect(summary.outcome).toBe('complete');
    expect(summary.toolCalls).toEqual([{ id: 'call_1', name: 'shell', type: 'function_call' }]);
    expect(nonStreamed.toolCalls).toEqual(summary.toolCalls);
  });

  it('failed and cut streams are reported as such', () => {
    const failed = tapAll(
      new OpenAiResponsesStreamTap(),
      sse([['response.failed', { type: 'response.failed', response: response('failed', { error: { code: 'server_error', message: 'x' } }) }]]),
    );
    expect(failed).toMatchObject({ outcome: 'error', error: { type: 'server_error', message: 'x' } });
    const cut = tapAll(new OpenAiResponsesStreamTap(), sse([['response.created', { type: 'response.created', response: response('in_progress') }]]));
    expect(cut.outcome).toBe('truncated');
    expect(cut.usage).toEqual(UNKNOWN_USAGE);
    const incomplete = tapAll(
      new OpenAiResponsesStreamTap(),
      sse([['response.incomplete', { type: 'response.incomplete', response: response('incomplete', { usage, incomplete_details: { reason: 'max_output_tokens' } }) }]]),
    );
    expect(incomplete).toMatchObject({ outcome: 'complete', stopReason: 'incomplete:max_output_tokens' });
  });
});
