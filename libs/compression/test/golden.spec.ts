// Golden vectors: every fixture under test/fixtures/<kind>/ is compressed in each mode and compared with
// test/golden/<kind>/<fixture>.<mode>.txt. Regenerate deliberately with `UPDATE_GOLDEN=1 npx vitest run
// libs/compression/test/golden.spec.ts` and review the diff.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compress, COMPRESSION_MODES, findMarkerKeys } from '../src/index';

const here = dirname(fileURLToPath(import.meta.url));
const fixturesDir = join(here, 'fixtures');
const goldenDir = join(here, 'golden');
const update = process.env['UPDATE_GOLDEN'] === '1';
const SECRET = 'golden-secret';

const cases: { kind: string; name: string; path: string }[] = [];
for (const kind of readdirSync(fixturesDir).sort()) {
  const dir = join(fixturesDir, kind);
  if (!existsSync(dir) || kind.endsWith('.md')) continue;
  for (const name of readdirSync(dir).sort()) {
    if (name.endsWith('.md') || name.endsWith('LICENSE.txt') || name.endsWith('.query')) continue;
    cases.push({ kind, name, path: join(dir, name) });
  }
}

describe('golden vectors', () => {
  it('has fixtures', () => {
    expect(cases.length).toBeGreaterThan(0);
  });
  for (const c of cases) {
    for (const mode of COMPRESSION_MODES) {
      it(`${c.kind}/${c.name} (${mode})`, () => {
        const input = readFileSync(c.path, 'utf8');
        const queryPath = `${c.path}.query`;
        const query = existsSync(queryPath) ? readFileSync(queryPath, 'utf8').trim() : undefined;
        const result = compress(input, { mode, keySecret: SECRET, ...(query ? { query } : {}) });
        expect(result.tokensAfter).toBeLessThanOrEqual(result.tokensBefore);
        for (const key of findMarkerKeys(result.output)) expect(result.originals[key]).toBeDefined();
        if (mode === 'lossless') expect(result.lossless).toBe(true);
        const goldenPath = join(goldenDir, c.kind, `${c.name}.${mode}.txt`);
        if (update || !existsSync(goldenPath)) {
          mkdirSync(dirname(goldenPath), { recursive: true });
          writeFileSync(goldenPath, result.output);
          if (!update) throw new Error(`golden file was missing and has been written: ${goldenPath}`);
        }
        expect(result.output).toBe(readFileSync(goldenPath, 'utf8'));
      });
    }
  }
});
