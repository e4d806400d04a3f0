import { describe, expect, it } from 'vitest';
import { clientResponseHeaders, upstreamRequestHeaders } from './relay-headers';

describe('relay headers', () => {
  it('forwards the client headers minus hop-by-hop, host, expect, x-leeway-* and (for buffered bodies) content-length', () => {
    const out = upstreamRequestHeaders(
      {
        host: 'proxy:8787',
        connection: 'keep-alive, x-secret',
        'x-secret': 'hop',
        'keep-alive': 'timeout=5',
        'transfer-encoding': 'chunked',
        expect: '100-continue',
        'content-length': '10',
        'x-api-key': 'sk',
        'anthropic-beta': 'a,b',
        'x-leeway-key': 'team',
        'X-Leeway-Session': 's',
        'set-cookie': ['a=1', 'b=2'],
      },
      { bufferedBody: true, set: { 'accept-encoding': 'identity' } },
    );
    expect(out).toEqual({ 'x-api-key': 'sk', 'anthropic-beta': 'a,b', 'set-cookie': ['a=1', 'b=2'], 'accept-encoding': 'identity' });
  });

  it('keeps content-length for streamed bodies', () => {
    expect(upstreamRequestHeaders({ 'content-length': '3' }, { bufferedBody: false })).toEqual({ 'content-length': '3' });
  });

  it('relays upstream response headers minus hop-by-hop, adding Leeway’s', () => {
    const out = clientResponseHeaders(
      { 'content-type': 'text/event-stream', 'content-length': '99', 'transfer-encoding': 'chunked', 'retry-after': '3', 'request-id': 'r' },
      { 'x-leeway-request-id': 'id' },
      { dropContentLength: true },
    );
    expect(out).toEqual({ 'content-type': 'text/event-stream', 'retry-after': '3', 'request-id': 'r', 'x-leeway-request-id': 'id' });
  });
});
