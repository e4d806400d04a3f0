import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REDACTED, createLogger, withRequestId } from './logger';

function capture(): { lines: Array<Record<string, unknown>>; stream: Writable } {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      callback();
    },
  });
  return { lines, stream };
}

describe('createLogger', () => {
  it('writes JSON with a static message, app, level and request id', () => {
    const { lines, stream } = capture();
    const log = withRequestId(createLogger({ app: 'proxy', destination: stream }), 'req_42');
    log.info({ status: 200 }, 'request completed');
    expect(lines[0]).toMatchObject({ app: 'proxy', level: 'info', requestId: 'req_42', status: 200, msg: 'request completed' });
    expect(typeof lines[0]?.time).toBe('string');
  });

  it('redacts credentials and prompt content by default', () => {
    const { lines, stream } = capture();
    const log = createLogger({ app: 'proxy', destination: stream });
    log.warn(
      {
        headers: { authorization: 'Bearer sk-ant-secret', 'x-api-key': 'sk-secret', 'content-type': 'application/json' },
        upstream: { apiKey: 'sk-live' },
        body: '{"messages":[{"role":"user","content":"my secret plan"}]}',
        messages: [{ role: 'user', content: 'hello' }],
      },
      'request rejected',
    );
    const line = JSON.stringify(lines[0]);
    expect(line).not.toContain('sk-ant-secret');
    expect(line).not.toContain('sk-secret');
    expect(line).not.toContain('sk-live');
    expect(line).not.toContain('my secret plan');
    expect(line).not.toContain('hello');
    expect(lines[0]).toMatchObject({ body: REDACTED, messages: REDACTED, headers: { 'content-type': 'application/json' } });
  });

  it('logs content only when enabled, credentials never', () => {
    const { lines, stream } = capture();
    const log = createLogger({ app: 'proxy', destination: stream, logContent: true });
    log.debug({ body: 'visible', headers: { authorization: 'Bearer x' } }, 'debug body');
    log.info({ body: 'visible', headers: { authorization: 'Bearer x' } }, 'debug body');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({ body: 'visible', headers: { authorization: REDACTED } });
  });
});
