// `npm run start:proxy` (split mode) and `leeway start` (embedded) boot, serve, and stop on SIGTERM.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startFakeUpstream } from '@leeway/testing';
import type { FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANTHROPIC_HEADERS, postRaw } from './harness';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));

function start(args: string[], env: Record<string, string>): ChildProcessWithoutNullStreams {
  return spawn(process.execPath, args, {
    cwd: ROOT,
    // The embedded stack gets its own PGlite directory and a free admin port (no DATABASE_URL: embedded default).
    env: { ...process.env, ...env, REDIS_URL: '', DATABASE_URL: '', LEEWAY_LOG_LEVEL: 'info' },
    stdio: 'pipe',
  });
}

/** Resolves with the proxy URL once the process logs it. */
function urlOf(child: ChildProcessWithoutNullStreams): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      // Split mode logs `proxy listening` with its url; the embedded stack prints `Leeway proxy on URL`
      // (its other apps log urls of their own, e.g. the admin API).
      const m = /"url":"(http:\/\/[^"]+)"[^\n]*"msg":"proxy listening"/.exec(out) ?? /^Leeway proxy on (http:\/\/\S+)/m.exec(out);
      if (m) resolve(m[1]!);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
  });
}

function exitCode(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

describe('process entry points', () => {
  let upstream: FakeUpstream;
  beforeAll(async () => {
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
  });
  afterAll(() => upstream.close());

  const cases = [
    { name: 'split mode: tsx apps/proxy/src/main.ts', args: ['--import', 'tsx', 'apps/proxy/src/main.ts'] },
    { name: 'embedded: leeway start', args: ['apps/cli/bin/leeway.mjs', 'start'] },
  ];
  for (const c of cases) {
    it(`${c.name} serves and stops gracefully on SIGTERM`, async () => {
      const child = start(c.args, {
        LEEWAY_PROXY_PORT: '0',
        LEEWAY_ADMIN_PORT: '0',
        LEEWAY_DATA_DIR: mkdtempSync(join(tmpdir(), 'leeway-split-')),
        LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
        LEEWAY_OPENAI_BASE_URL: upstream.url,
      });
      const exited = exitCode(child);
      try {
        const url = await urlOf(child);
        expect((await fetch(`${url}/healthz`)).status).toBe(200);
        const res = await postRaw(`${url}/v1/messages`, JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 5, messages: [{ role: 'user', content: 'hi' }] }), ANTHROPIC_HEADERS);
        expect(res.status).toBe(200);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
    }, 60_000);
  }

  it('refuses to boot on bad configuration, listing KEY: problem', async () => {
    const child = start(['--import', 'tsx', 'apps/proxy/src/main.ts'], { LEEWAY_PROXY_PORT: 'x', LEEWAY_COMPRESSION_MODE: 'max' });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    expect(await exitCode(child)).toBe(78);
    expect(err).toMatch(/LEEWAY_PROXY_PORT: /);
    expect(err).toMatch(/LEEWAY_COMPRESSION_MODE: /);
  }, 60_000);
});
