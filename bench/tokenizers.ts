// Benchmark: js-tiktoken vs gpt-tokenizer on the corpus (same counts? how fast?). Prints numbers.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Tiktoken } from 'js-tiktoken/lite';
import o200kRanks from 'js-tiktoken/ranks/o200k_base';
import cl100kRanks from 'js-tiktoken/ranks/cl100k_base';
import { countTokens as gptO200k } from 'gpt-tokenizer/encoding/o200k_base';
import { countTokens as gptCl100k } from 'gpt-tokenizer/encoding/cl100k_base';

const dir = process.argv[2] ?? '../shared/corpus';
if (!existsSync(dir)) {
  console.error(`no corpus at ${dir}`);
  process.exit(1);
}
const texts: string[] = [];
for (const sub of readdirSync(dir)) {
  const p = join(dir, sub);
  try {
    for (const f of readdirSync(p)) texts.push(readFileSync(join(p, f), 'utf8'));
  } catch {
    /* not a directory */
  }
}
const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const tikO = new Tiktoken(o200kRanks);
const tikC = new Tiktoken(cl100kRanks);
function run(name: string, f: (t: string) => number): number {
  f('warm up');
  const t0 = performance.now();
  let total = 0;
  for (const t of texts) total += f(t);
  const ms = performance.now() - t0;
  console.log(`${name.padEnd(28)} tokens=${total} ${(bytes / 1e6 / (ms / 1000)).toFixed(2)} MB/s (${ms.toFixed(0)} ms)`);
  return total;
}
console.log(`corpus: ${texts.length} files, ${(bytes / 1e6).toFixed(2)} MB`);
const a = run('js-tiktoken o200k_base', (t) => tikO.encode(t, [], []).length);
const b = run('gpt-tokenizer o200k_base', (t) => gptO200k(t, { disallowedSpecial: new Set() }));
const c = run('js-tiktoken cl100k_base', (t) => tikC.encode(t, [], []).length);
const d = run('gpt-tokenizer cl100k_base', (t) => gptCl100k(t, { disallowedSpecial: new Set() }));
console.log(`same counts: o200k ${a === b}, cl100k ${c === d}`);
