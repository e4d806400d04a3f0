import { describe, expect, it } from 'vitest';
import { isHopByHopHeader, mergeAnthropicBeta, parseAnthropicBeta, stripHopByHopHeaders } from './headers';

describe('mergeAnthropicBeta', () => {
  it('keeps the client order, drops duplicates and appends new flags', () => {
    expect(mergeAnthropicBeta('prompt-caching-2024-07-31, fine-grained-tool-streaming-2025-05-14', 'extended-cache-ttl-2025-04-11')).toBe(
      'prompt-caching-2024-07-31,fine-grained-tool-streaming-2025-05-14,extended-cache-ttl-2025-04-11',
    );
    expect(mergeAnthropicBeta(['a,b', 'b', 'c'], ['b', 'd'])).toBe('a,b,c,d');
    expect(mergeAnthropicBeta('a,,a', 'a')).toBe('a');
  });

  it('never loses a client flag and handles absence', () => {
    expect(mergeAnthropicBeta(undefined, 'x')).toBe('x');
    expect(mergeAnthropicBeta(undefined, [])).toBeNull();
    const client = 'f1,f2,f3';
    const merged = mergeAnthropicBeta(client, 'f2');
    for (const f of parseAnthropicBeta(client)) expect(parseAnthropicBeta(merged ?? '')).toContain(f);
  });
});

describe('hop-by-hop headers', () => {
  it('strips hop-by-hop headers and those named in Connection', () => {
    const out = stripHopByHopHeaders(
      {
        Connection: 'keep-alive, X-Trace-Hop',
        'Keep-Alive': 'timeout=5',
        'Transfer-Encoding': 'chunked',
        'x-trace-hop': '1',
        'anthropic-version': '2023-06-01',
        'set-cookie': ['a=1', 'b=2'],
        host: 'api.anthropic.com',
        te: 'trailers',
        upgrade: 'h2c',
        'proxy-authorization': 'x',
        missing: undefined,
      },
      ['host'],
    );
    expect(out).toEqual({ 'anthropic-version': '2023-06-01', 'set-cookie': ['a=1', 'b=2'] });
    expect(isHopByHopHeader('Transfer-Encoding')).toBe(true);
    expect(isHopByHopHeader('anthropic-beta')).toBe(false);
  });
});
