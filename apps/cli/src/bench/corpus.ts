import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

/** Benchmark categories: the corpus folders, with listings split out of search/. */
export type BenchCategory = 'json' | 'logs' | 'search' | 'listing' | 'diff' | 'code' | 'other';

export interface BenchItem {
  /** Path relative to the corpus dir; code views are `code/file_views.json#<index>`. */
  readonly id: string;
  readonly category: BenchCategory;
  readonly text: string;
}

const LISTING_FILE_RE = /^(find_|rg_files_|ls_|tree_)/;

/** Collect the benchmark inputs of a corpus directory (label CSVs, licences and transcripts are not inputs). */
export function loadCorpus(dir: string): BenchItem[] {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new Error(`no corpus directory at ${dir}`);
  const items: BenchItem[] = [];
  const files = (sub: string): string[] =>
    existsSync(join(dir, sub)) ? readdirSync(join(dir, sub)).filter((f) => statSync(join(dir, sub, f)).isFile()).sort() : [];

  for (const f of files('json')) items.push({ id: `json/${f}`, category: 'json', text: read(dir, 'json', f) });
  for (const f of files('logs')) {
    if (!f.endsWith('.log')) continue;
    items.push({ id: `logs/${f}`, category: 'logs', text: read(dir, 'logs', f) });
  }
  for (const f of files('search')) {
    items.push({ id: `search/${f}`, category: LISTING_FILE_RE.test(f) ? 'listing' : 'search', text: read(dir, 'search', f) });
  }
  for (const f of files('diff')) {
    items.push({ id: `diff/${f}`, category: f.endsWith('.diff') ? 'diff' : 'other', text: read(dir, 'diff', f) });
  }
  for (const f of files('code')) {
    if (!f.endsWith('.json')) continue;
    const views = JSON.parse(read(dir, 'code', f)) as { text?: unknown }[];
    views.forEach((view, i) => {
      if (typeof view.text === 'string') items.push({ id: `code/${f}#${i}`, category: 'code', text: view.text });
    });
  }
  return items;
}

function read(dir: string, sub: string, file: string): string {
  return readFileSync(join(dir, sub, basename(file)), 'utf8');
}
