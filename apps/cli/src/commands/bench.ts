import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { CliError } from '../cli-error';
import { runCompressionBench, type BenchReport } from '../bench/compression-bench';
import { loadCorpus } from '../bench/corpus';
import { loadFacts } from '../bench/facts';

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `leeway bench [DIR] [--json] [--out FILE]`: the compression benchmark over a corpus directory. */
export async function runBench(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { json: { type: 'boolean', default: false }, out: { type: 'string' } },
  });
  const dir = resolve(positionals[0] ?? join(REPO_ROOT, '../shared/corpus'));
  let items;
  try {
    items = loadCorpus(dir);
  } catch (err) {
    throw new CliError(`${(err as Error).message} (pass the corpus directory: leeway bench DIR)`);
  }
  if (items.length === 0) throw new CliError(`no benchmark inputs under ${dir}`);
  const facts = loadFacts(join(REPO_ROOT, 'bench'));
  const tty = process.stderr.isTTY && !values.json;
  const report = runCompressionBench(dir, items, facts, (done, total, id) => {
    if (tty) process.stderr.write(`\r\x1b[K[${done}/${total}] ${id}`);
  });
  if (tty) process.stderr.write('\r\x1b[K');
  if (values.out) writeFileSync(values.out, `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(report));
}

function pad(s: string | number, n: number): string {
  return String(s).padStart(n);
}

function formatReport(r: BenchReport): string {
  const out: string[] = [];
  out.push(`Leeway compression benchmark — ${r.corpus}`);
  out.push(`${r.items.length} items, ${(r.speed.bytes / 1e6).toFixed(2)} MB; tokens: o200k_base (exact)`);
  out.push(`speed: detect + compress, balanced, tokenising excluded; each item's best of ${r.speed.runs} runs after a warm pass (p50/p99: wall clock)\n`);
  out.push('kind      items   tokens in   lossless  balanced  aggressive  MB/s cpu  MB/s wall  p50 ms  p99 ms');
  for (const c of r.categories) {
    out.push(
      `${c.category.padEnd(8)}${pad(c.items, 7)}${pad(c.tokensBefore, 12)}${pad(c.ratioLossless.toFixed(3), 11)}` +
        `${pad(c.ratioBalanced.toFixed(3), 10)}${pad(c.ratioAggressive.toFixed(3), 12)}${pad(c.cpuMbPerSec.toFixed(1), 10)}` +
        `${pad(c.mbPerSec.toFixed(1), 11)}${pad(c.p50Ms.toFixed(2), 8)}${pad(c.p99Ms.toFixed(2), 8)}`,
    );
  }
  out.push('\nper file (code views summarised above)');
  out.push('file                                              kind      tokens  lossless  balanced  minJSON    TOON   ms');
  for (const i of r.items) {
    if (i.category === 'code') continue;
    const ratio = (n: number) => (i.tokensBefore ? (n / i.tokensBefore).toFixed(3) : '-');
    out.push(
      `${i.id.slice(0, 49).padEnd(50)}${i.kind.padEnd(8)}${pad(i.tokensBefore, 8)}${pad(ratio(i.lossless), 10)}${pad(ratio(i.balanced), 10)}` +
        `${pad(i.minifiedJson !== undefined ? ratio(i.minifiedJson) : '', 9)}${pad(i.toon !== undefined ? ratio(i.toon) : '', 8)}${pad(i.timeMs.toFixed(1), 6)}`,
    );
  }
  const checks = [...r.items.flatMap((i) => (i.facts ? [i.facts] : [])), ...r.groupFacts];
  const missing = checks.filter((f) => f.missing.length > 0);
  if (missing.length) {
    out.push('\nfacts not visible in balanced output (* = not reachable either)');
    for (const f of missing) {
      const list = f.missing.map((m) => `${JSON.stringify(m.slice(0, 60))}${f.unreachable.includes(m) ? '*' : ''}`);
      out.push(`  ${f.id}: ${list.join(', ')}`);
    }
  }
  out.push('\ntargets (issue 2; INFO lines are context, not targets)');
  for (const t of r.targets) {
    const mark = t.target === 'info' ? 'INFO' : t.pass ? 'PASS' : 'MISS';
    out.push(`  [${mark}] ${t.name}: ${t.value} (target ${t.target})`);
    if (t.detail) out.push(`         ${t.detail.length > 1200 ? `${t.detail.slice(0, 1200)}…` : t.detail}`);
  }
  const judged = r.targets.filter((t) => t.target !== 'info');
  const missed = judged.filter((t) => !t.pass);
  out.push(`\n${judged.length - missed.length} of ${judged.length} targets PASS${missed.length ? `; MISS: ${missed.map((t) => t.name.split(' (')[0]).join('; ')}` : ''}`);
  out.push(`\nbenchmark ran in ${r.elapsedSeconds.toFixed(1)} s`);
  return `${out.join('\n')}\n`;
}
