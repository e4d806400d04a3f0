// Proxy benchmark (`npm run bench:proxy` → `tsx apps/proxy/bench/proxy.bench.ts [--json] [--quick]`).
//
// Three processes, as in production: the fake upstream, the proxy (split-mode entry, in-memory state) and this
// load generator. Every latency figure is measured side by side in one run — the same request straight to the
// fake upstream and through the proxy, interleaved — and "added" is the difference of the percentiles.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const JSON_OUT = process.argv.includes('--json');
const QUICK = process.argv.includes('--quick');
const scale = (n: number): number => (QUICK ? Math.max(50, Math.floor(n / 10)) : n);

// ---------------------------------------------------------------------------------------------- processes

function spawnTsx(file: string, env: Record<string, string>, nodeArgs: string[] = []): ChildProcess {
  return spawn(process.execPath, [...nodeArgs, '--import', 'tsx', file], {
    cwd: ROOT,
    // eslint-disable-next-line no-restricted-properties -- a launcher hands its environment to the processes it starts
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

function waitForUrl(child: ChildProcess, pattern: RegExp): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = pattern.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`child exited with ${code}: ${out}`)));
  });
}

// ---------------------------------------------------------------------------------------------- requests

const ANTHROPIC = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-bench', 'anthropic-version': '2023-06-01' };

const smallBody = JSON.stringify({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  system: 'You are a helpful assistant.',
  messages: [{ role: 'user', content: 'Say hello in one short sentence.' }],
});
const streamBody = JSON.stringify({ ...JSON.parse(smallBody), stream: true });

/** ~20 KB of pretty-printed JSON rows, different per seed. */
function toolJson(seed: number): string {
  const rows = [];
  for (let i = 0; rows.length < 1000; i++) {
    rows.push({
      id: seed * 1000 + i,
      user: `user-${seed}-${i}`,
      status: i % 13 === 0 ? 'error' : 'ok',
      latency_ms: (seed * 7 + i * 13) % 997,
      region: ['eu-west-1', 'us-east-1', 'ap-south-1'][i % 3],
    });
    if (JSON.stringify(rows, null, 2).length >= 20_000) break;
  }
  return JSON.stringify(rows, null, 2);
}

/** A 40-message agent turn: 19 earlier tool round trips (small outputs) and the newest output, 20 KB of JSON. */
function agentTurn(seed: number): string {
  const messages: unknown[] = [{ role: 'user', content: 'Investigate the failing requests in the last hour.' }];
  for (let i = 0; i < 19; i++) {
    messages.push({ role: 'assistant', content: [{ type: 'text', text: `Step ${i}` }, { type: 'tool_use', id: `toolu_${i}`, name: 'shell', input: { cmd: `ls -la /var/log/app/${i}` } }] });
    messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: `toolu_${i}`, content: `total ${i}\n-rw-r--r-- 1 app app ${1000 + i} app.log` }] });
  }
  messages.push({ role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_last', name: 'query_metrics', input: { window: '1h', seed } }] });
  messages.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_last', content: toolJson(seed) }] });
  return JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 512, messages });
}

interface Timed {
  total: number;
  ttfb: number;
  status: number;
}

async function timedRequest(pool: Pool, path: string, body: string): Promise<Timed> {
  const t0 = performance.now();
  const res = await pool.request({ path, method: 'POST', headers: ANTHROPIC, body });
  let ttfb = -1;
  for await (const _chunk of res.body) {
    if (ttfb < 0) ttfb = performance.now() - t0;
  }
  return { total: performance.now() - t0, ttfb: ttfb < 0 ? performance.now() - t0 : ttfb, status: res.statusCode };
}

// ---------------------------------------------------------------------------------------------- stats

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

interface Pair {
  direct: { p50: number; p99: number };
  proxy: { p50: number; p99: number };
  added: { p50: number; p99: number };
  n: number;
}

function pair(direct: number[], proxy: number[]): Pair {
  direct.sort((a, b) => a - b);
  proxy.sort((a, b) => a - b);
  const d = { p50: percentile(direct, 50), p99: percentile(direct, 99) };
  const x = { p50: percentile(proxy, 50), p99: percentile(proxy, 99) };
  return { direct: d, proxy: x, added: { p50: x.p50 - d.p50, p99: x.p99 - d.p99 }, n: direct.length };
}

/** Interleave direct and proxied requests (same body) and compare the chosen timing. */
async function sideBySide(
  direct: Pool,
  proxy: Pool,
  n: number,
  body: (i: number) => string,
  pick: (t: Timed) => number,
  warmup = 20,
): Promise<Pair> {
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < n + warmup; i++) {
    const payload = body(i);
    const first = i % 2 === 0;
    const r1 = await timedRequest(first ? direct : proxy, '/v1/messages', payload);
    const r2 = await timedRequest(first ? proxy : direct, '/v1/messages', payload);
    if (r1.status !== 200 || r2.status !== 200) throw new Error(`unexpected status ${r1.status}/${r2.status}`);
    if (i < warmup) continue;
    (first ? a : b).push(pick(r1));
    (first ? b : a).push(pick(r2));
  }
  return pair(a, b);
}

async function throughput(pool: Pool, seconds: number, concurrency: number): Promise<{ rps: number; errors: number }> {
  const deadline = performance.now() + seconds * 1000;
  let done = 0;
  let errors = 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < deadline) {
      try {
        const res = await pool.request({ path: '/v1/messages', method: 'POST', headers: ANTHROPIC, body: smallBody });
        await res.body.dump();
        if (res.statusCode === 200) done++;
        else errors++;
      } catch {
        errors++;
      }
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { rps: done / ((performance.now() - t0) / 1000), errors };
}

/** CPU time (user + system, ms) a process has used so far, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime, in clock ticks (100 Hz)
  return ticks * 10;
}

let proxyPid = 0;

async function scrapeMemory(proxyUrl: string): Promise<{ rssMb: number; heapUsedMb: number }> {
  process.kill(proxyPid, 'SIGUSR2'); // full GC in the proxy (bench preload), then sample live memory
  await new Promise((r) => setTimeout(r, 300));
  const text = await (await fetch(`${proxyUrl}/metrics`)).text();
  const value = (name: string): number => Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? NaN);
  return {
    rssMb: value('(?:leeway_proxy_)?process_resident_memory_bytes') / 2 ** 20,
    heapUsedMb: value('(?:leeway_proxy_)?nodejs_heap_size_used_bytes') / 2 ** 20,
  };
}

async function memoryRun(pool: Pool, proxyUrl: string, total: number, concurrency: number): Promise<{ samples: { requests: number; rssMb: number; heapUsedMb: number }[]; driftRssPct: number; driftHeapPct: number; seconds: number }> {
  const samples: { requests: number; rssMb: number; heapUsedMb: number }[] = [];
  const step = total / 10;
  let issued = 0;
  let completed = 0;
  let nextSample = step;
  const replayed = agentTurn(424242);
  const t0 = performance.now();
  const worker = async (): Promise<void> => {
    while (issued < total) {
      const i = issued++;
      const kind = i % 20;
      const body = kind === 0 ? streamBody : kind === 1 ? replayed : smallBody;
      const res = await pool.request({ path: '/v1/messages', method: 'POST', headers: ANTHROPIC, body });
      await res.body.dump();
      completed++;
      if (completed >= nextSample) {
        nextSample += step;
        samples.push({ requests: completed, ...(await scrapeMemory(proxyUrl)) });
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - t0) / 1000;
  // Drift: the last three samples against the three after warm-up (samples 2-4), as a percentage.
  const avg = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
  const early = samples.slice(1, 4);
  const late = samples.slice(-3);
  const drift = (key: 'rssMb' | 'heapUsedMb'): number => (100 * (avg(late.map((s) => s[key])) - avg(early.map((s) => s[key])))) / avg(early.map((s) => s[key]));
  return { samples, driftRssPct: drift('rssMb'), driftHeapPct: drift('heapUsedMb'), seconds };
}

// ---------------------------------------------------------------------------------------------- main

const children: ChildProcess[] = [];
try {
  const upstreamProcess = spawnTsx('apps/proxy/bench/fake-upstream.process.ts', {});
  children.push(upstreamProcess);
  const upstreamUrl = await waitForUrl(upstreamProcess, /"url":"(http:[^"]+)"/);
  const proxyProcess = spawnTsx(
    'apps/proxy/src/main.ts',
    {
    LEEWAY_PROXY_PORT: '0',
    LEEWAY_ANTHROPIC_BASE_URL: upstreamUrl,
    LEEWAY_OPENAI_BASE_URL: upstreamUrl,
    LEEWAY_LOG_LEVEL: 'info',
      LEEWAY_OPTIMIZE_BUDGET_MS: '1000',
      REDIS_URL: '',
    },
    ['--expose-gc', '--require', './apps/proxy/bench/gc-on-signal.cjs'],
  );
  children.push(proxyProcess);
  proxyPid = proxyProcess.pid!;
  const proxyUrl = await waitForUrl(proxyProcess, /"url":"(http:[^"]+)"/);

  const direct = new Pool(upstreamUrl, { connections: 128 });
  const proxy = new Pool(proxyUrl, { connections: 128 });

  const log = (line: string): void => {
    if (!JSON_OUT) process.stdout.write(`${line}\n`);
  };
  const fmt = (p: Pair): string =>
    `p50 ${p.direct.p50.toFixed(2)} → ${p.proxy.p50.toFixed(2)} ms (added ${p.added.p50.toFixed(2)}), p99 ${p.direct.p99.toFixed(2)} → ${p.proxy.p99.toFixed(2)} ms (added ${p.added.p99.toFixed(2)}), n=${p.n}`;

  log(`machine: ${process.platform} node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const passThrough = await sideBySide(direct, proxy, scale(2000), () => smallBody, (t) => t.total);
  log(`pass-through (non-streaming):            ${fmt(passThrough)}`);

  // Every request carries a new 20 KB output: the proxy compresses it (first sight of that segment).
  let seed = 0;
  const agentFresh = await sideBySide(direct, proxy, scale(300), () => agentTurn(++seed), (t) => t.total, 5);
  log(`agent turn, newest 20 KB JSON compressed: ${fmt(agentFresh)}`);
  // The same turn again: its decision replays from prefix state (what every later turn of a session pays).
  const fixed = agentTurn(7);
  const agentReplayed = await sideBySide(direct, proxy, scale(1000), () => fixed, (t) => t.total);
  log(`agent turn, decision replayed:            ${fmt(agentReplayed)}`);

  const ttfb = await sideBySide(direct, proxy, scale(1000), () => streamBody, (t) => t.ttfb);
  log(`stream time to first byte:                ${fmt(ttfb)}`);

  const directRps = await throughput(direct, QUICK ? 3 : 10, 64);
  const cpuBefore = cpuMs(proxyPid);
  const proxyRps = await throughput(proxy, QUICK ? 3 : 10, 64);
  const proxyCpuMs = cpuMs(proxyPid) - cpuBefore;
  const cpuPerRequestMs = proxyCpuMs / (proxyRps.rps * (QUICK ? 3 : 10));
  log(`throughput, non-streaming pass-through:   direct ${directRps.rps.toFixed(0)} req/s, through the proxy ${proxyRps.rps.toFixed(0)} req/s (errors ${proxyRps.errors}), concurrency 64`);
  log(`  proxy CPU per request ${(cpuPerRequestMs * 1000).toFixed(0)} µs → at most ${(1000 / cpuPerRequestMs).toFixed(0)} req/s per core for the proxy alone`);

  const memory = await memoryRun(proxy, proxyUrl, QUICK ? 10_000 : 100_000, 32);
  log(`memory over ${QUICK ? '10,000' : '100,000'} requests (${memory.seconds.toFixed(0)} s): RSS ${memory.samples.map((s) => s.rssMb.toFixed(0)).join(' ')} MB; heap used ${memory.samples.map((s) => s.heapUsedMb.toFixed(0)).join(' ')} MB`);
  log(`  drift (last 3 samples vs samples 2-4): RSS ${memory.driftRssPct.toFixed(1)}%, heap ${memory.driftHeapPct.toFixed(1)}%`);

  if (JSON_OUT) {
    process.stdout.write(
      `${JSON.stringify({ loadavg: loadavg(), passThrough, agentFresh, agentReplayed, ttfb, throughput: { direct: directRps, proxy: proxyRps, proxyCpuPerRequestMs: cpuPerRequestMs }, memory }, null, 2)}\n`,
    );
  }
  await direct.close();
  await proxy.close();
} finally {
  for (const child of children.reverse()) child.kill('SIGTERM');
}
