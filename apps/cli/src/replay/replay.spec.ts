import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { anthropicMinCacheTokens } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createArmEnvironment } from './environment';
import { planConversation } from './plan';
import { costOf, findPrice, toUsd, toUsdText } from './pricing';
import type { Provider } from './plan';
import { readTranscript, type TranscriptFile } from './readers/read-transcript';
import { replayTranscript, type ArmEnvironment, type ProxyHandle } from './replay';
import { ReplayError } from './replay-error';
import type { ArmReport, ReplayReport } from './report';
import { runConversation } from './runner';
import { startScriptedUpstream } from './upstream';

const FIXTURES = new URL('../../test/fixtures/', import.meta.url);
const transcript = (name: string): TranscriptFile =>
  readTranscript(readFileSync(new URL(name, FIXTURES), 'utf8'), name);
const clock = (): number => performance.now();

function expectExactCost(arm: ArmReport, provider: Provider, model: string): void {
  const price = findPrice(provider, model, new Date())!;
  const t = arm.tokens;
  // Independent arithmetic: tokens × µ$ per MTok = pico-dollars.
  const rate = (r: bigint | null): bigint => r ?? price.row.input;
  const pico =
    BigInt(t.input) * price.row.input +
    BigInt(t.cacheWrite5m) * rate(price.row.cacheWrite5m) +
    BigInt(t.cacheWrite1h) * rate(price.row.cacheWrite1h) +
    BigInt(t.cacheRead) * rate(price.row.cacheRead) +
    BigInt(t.output) * price.row.output;
  expect(costOf(t, price).total).toBe(pico);
  expect(arm.costUsd.total).toBe(toUsd(pico));
  expect(arm.costUsdExact).toBe(toUsdText(pico));
}

describe('replay through a fake upstream and an in-process Leeway proxy', () => {
  let env: ArmEnvironment;
  beforeAll(async () => {
    env = await createArmEnvironment(['direct', 'leeway']);
  });

  const cases = [
    ['swe-smith.json', 'anthropic', 'naive'],
    ['claude-code-session.jsonl', 'anthropic', 'cache-aware'],
    ['openhands.json', 'openai', 'naive'],
    ['codex-rollout-current.jsonl', 'openai', 'naive'],
    ['raw-anthropic-requests.jsonl', 'anthropic', 'as-recorded'],
  ] as const;

  const reports = new Map<string, ReplayReport>();
  it.each(cases)(
    '%s: both arms, sane totals, prefix kept, never dearer through Leeway',
    async (file, provider, client) => {
      const report = await replayTranscript(
        file,
        transcript(file),
        { arms: ['direct', 'leeway'], sessionPrefix: `t-${file}` },
        env,
        clock,
      );
      reports.set(file, report);
      const c = report.conversations[0]!;
      expect([c.provider, c.client]).toEqual([provider, client]);
      const { direct, leeway } = report.total.arms;
      for (const arm of [direct!, leeway!]) {
        const t = arm.tokens;
        expect(t.input + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead).toBeGreaterThan(300);
        expect(t.output).toBeGreaterThan(0);
        expect(arm.upstreamRequests).toBe(report.total.turns);
        expect(arm.prefixStability.rate).toBe(1);
        expectExactCost(arm, c.provider, c.model);
      }
      // Same responses on both arms: same output tokens.
      expect(leeway!.tokens.output).toBe(direct!.tokens.output);
      expect(leeway!.costUsd.total).toBeLessThanOrEqual(direct!.costUsd.total);
      expect(report.total.saving!.usd).toBeCloseTo(direct!.costUsd.total - leeway!.costUsd.total, 8);
      expect(report.total.saving!.ratio).toBeCloseTo(leeway!.costUsd.total / direct!.costUsd.total, 5);
    },
  );

  it('a naive Anthropic client gets no caching going direct; a cache-aware one reads the previous turn', () => {
    const naive = reports.get('swe-smith.json')!.total.arms.direct!.tokens;
    expect([naive.cacheRead, naive.cacheWrite5m, naive.cacheWrite1h]).toEqual([0, 0, 0]);
    const aware = reports.get('claude-code-session.jsonl')!.total.arms.direct!.tokens;
    expect(aware.cacheRead).toBeGreaterThan(0);
    expect(aware.cacheWrite5m).toBeGreaterThan(0);
  });

  it('flags transcripts without a system prompt or tool schemas', () => {
    const cc = reports.get('claude-code-session.jsonl')!;
    expect(cc.flags).toEqual({ missingSystemPrompt: true, missingToolSchemas: true });
    expect(cc.conversations[0]!.recordedUsage).not.toBeNull();
    const oh = reports.get('openhands.json')!;
    expect(oh.flags).toEqual({ missingSystemPrompt: false, missingToolSchemas: false });
  });

  it('cache-aware client, per turn: each turn reads exactly what the previous one sent', async () => {
    const t = transcript('claude-code-session.jsonl');
    const plan = planConversation(t.conversations[0]!, {});
    const upstream = await startScriptedUpstream();
    try {
      const [run] = await runConversation(
        plan,
        [{ name: 'direct', clientBaseUrl: upstream.baseUrl, upstream }],
        'per-turn',
      );
      const totals = run!.turns.map(
        (x) => x.usage.input + x.usage.cacheWrite5m + x.usage.cacheWrite1h + x.usage.cacheRead,
      );
      const min = anthropicMinCacheTokens(plan.model);
      expect(totals.filter((n) => n >= min).length).toBeGreaterThan(2);
      run!.turns.forEach((x, i) => {
        // The previous prompt was written (if it reached the model's minimum) and is read back whole.
        const expected = i > 0 && totals[i - 1]! >= min ? totals[i - 1] : 0;
        expect(x.usage.cacheRead).toBe(expected);
      });
    } finally {
      await upstream.close();
    }
  });
});

describe('replay — prefix stability and failures are measured, not assumed', () => {
  let mangler: Server;
  let upstreamUrl = '';
  beforeAll(async () => {
    // A "proxy" that breaks the cache: it rewrites the system prompt on every request.
    let n = 0;
    mangler = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        body.system = `${String(body.system)} [request ${++n}]`;
        void fetch(`${upstreamUrl}${req.url}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-api-key': 'k',
            'anthropic-version': '2023-06-01',
          },
          body: JSON.stringify(body),
        })
          .then(async (r) => {
            res.writeHead(r.status, { 'content-type': 'application/json' });
            res.end(await r.text());
          })
          .catch(() => res.destroy());
      });
    });
    await new Promise<void>((resolve) => mangler.listen(0, '127.0.0.1', resolve));
  });
  afterAll(() => new Promise<void>((resolve) => mangler.close(() => resolve())));

  it('reports the broken prefix and the extra cost of a cache-busting proxy', async () => {
    const env: ArmEnvironment = {
      startUpstream: startScriptedUpstream,
      startProxy: async (url): Promise<ProxyHandle> => {
        upstreamUrl = url;
        return {
          baseUrl: `http://127.0.0.1:${(mangler.address() as AddressInfo).port}`,
          close: async () => undefined,
        };
      },
    };
    const report = await replayTranscript(
      'x',
      transcript('swe-smith.json'),
      { arms: ['direct', 'leeway'], sessionPrefix: 'm', client: 'cache-aware' },
      env,
      clock,
    );
    const { direct, leeway } = report.total.arms;
    expect(direct!.prefixStability).toEqual({ extended: 2, turns: 2, rate: 1 });
    expect(leeway!.prefixStability).toEqual({ extended: 0, turns: 2, rate: 0 });
    expect(leeway!.tokens.cacheRead).toBe(0);
    expect(direct!.tokens.cacheRead).toBeGreaterThan(0);
    expect(report.total.saving!.ratio).toBeGreaterThan(1);
  });

  it('turns an upstream error into a typed replay error', async () => {
    const env: ArmEnvironment = {
      startUpstream: async () => {
        const up = await startScriptedUpstream();
        return { ...up, script: () => undefined, baseUrl: `${up.baseUrl}/nope` };
      },
      startProxy: null,
    };
    await expect(
      replayTranscript(
        'x',
        transcript('swe-smith.json'),
        { arms: ['direct'], sessionPrefix: 'e' },
        env,
        clock,
      ),
    ).rejects.toSatisfy(
      (err: unknown) =>
        err instanceof ReplayError && err.code === 'RPL_UPSTREAM_FAILED' && /HTTP 404/.test(err.message),
    );
  });
});
