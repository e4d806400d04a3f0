import { describe, expect, it } from 'vitest';
import { SubtreeIndex } from './json-factor';
import { parseJson, type JsonNode } from './json-parse';
import { tableColumns } from './json-table';

function columnsOf(value: unknown): string[] | null {
  const parsed = parseJson(JSON.stringify(value));
  if (!parsed.ok || !Array.isArray(parsed.value)) throw new Error('bad test value');
  const rows: JsonNode[] = parsed.value;
  return tableColumns(rows, new SubtreeIndex([rows]), () => false);
}

const row = (i: number) => ({ id: i, name: `repo-${i}`, stars: i * 10, defaultBranch: 'main' });

describe('tableColumns', () => {
  it('tabulates a uniform array of objects', () => {
    expect(columnsOf([1, 2, 3, 4, 5].map(row))).toEqual(['id', 'name', 'stars', 'defaultBranch']);
  });

  it('refuses arrays whose rows differ in keys or key order', () => {
    expect(columnsOf([row(1), row(2), { ...row(3), extra: true }])).toBeNull();
    expect(columnsOf([row(1), row(2), { name: 'x', id: 3, stars: 1, defaultBranch: 'main' }])).toBeNull();
    expect(columnsOf([row(1), row(2), 'not an object'])).toBeNull();
  });

  it('refuses duplicate keys, too few rows and cells holding big nested values', () => {
    const dup = parseJson('[{"a":1,"a":2},{"a":1,"a":2},{"a":1,"a":2},{"a":1,"a":2}]');
    if (!dup.ok || !Array.isArray(dup.value)) throw new Error('bad');
    expect(tableColumns(dup.value, new SubtreeIndex([dup.value]), () => false)).toBeNull();
    expect(columnsOf([row(1)])).toBeNull();
    const big = { nested: Array.from({ length: 40 }, (_, i) => ({ k: `value number ${i}` })) };
    expect(columnsOf([1, 2, 3, 4].map((i) => ({ ...row(i), big })))).toBeNull();
  });

  it('needs enough rows to pay for the header', () => {
    expect(columnsOf([{ a: 1, b: 2 }, { a: 3, b: 4 }])).toBeNull();
  });
});
