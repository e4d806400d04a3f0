import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** item id → exact strings a model would need from it. */
export type Facts = Record<string, string[]>;

/** Read `bench/facts.json` (and any `bench/facts/*.json` fragments) from the repository. */
export function loadFacts(benchDir: string): Facts {
  const facts: Facts = {};
  const add = (file: string): void => {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    for (const [id, list] of Object.entries(parsed)) {
      if (id.startsWith('$')) continue;
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) {
        throw new Error(`${file}: facts for ${id} must be an array of strings`);
      }
      facts[id] = [...(facts[id] ?? []), ...list];
    }
  };
  const main = join(benchDir, 'facts.json');
  if (existsSync(main)) add(main);
  const fragments = join(benchDir, 'facts');
  if (existsSync(fragments)) {
    for (const f of readdirSync(fragments).sort()) if (f.endsWith('.json')) add(join(fragments, f));
  }
  return facts;
}
