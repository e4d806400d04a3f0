import { compress } from '@leeway/compression';
import { describe, expect, it } from 'vitest';
import { countedTemplates, lineTemplate, runCompressionBench } from './compression-bench';
import type { BenchItem } from './corpus';

/** 600 log lines: routine INFO, a repeated WARN with varying ids, two distinct ERROR templates. */
function syntheticLog(): string {
  const lines: string[] = [];
  for (let i = 0; i < 600; i++) {
    const ts = `2024-03-01 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')},${String(i % 1000).padStart(3, '0')}`;
    if (i % 7 === 3) lines.push(`${ts} WARN  [worker-${i % 5}] Retrying request ${1000 + i} after timeout`);
    else if (i === 250 || i === 410) lines.push(`${ts} ERROR [db] Connection refused to db-${i % 3}.internal:5432`);
    else if (i === 333) lines.push(`${ts} ERROR [auth] Token signature invalid for user u-${i}`);
    else lines.push(`${ts} INFO  [http] GET /api/items/${i} 200 ${10 + (i % 13)}ms`);
  }
  return `${lines.join('\n')}\n`;
}

describe('countedTemplates', () => {
  it('covers every warning and error line of a real summary, verbatim or by its counted template', () => {
    const log = syntheticLog();
    const out = compress(log, { mode: 'balanced', keySecret: 'bench-spec' }).output;
    const patterns = countedTemplates(out);
    expect(patterns.length).toBeGreaterThan(0);
    const important = log.split('\n').filter((l) => / (?:WARN|ERROR) /.test(l));
    expect(important.length).toBeGreaterThan(80);
    const uncovered = important.filter((l) => !out.includes(l) && !patterns.some((re) => re.test(l)));
    expect(uncovered).toEqual([]);
    // Not every warning is verbatim: the check has something to do.
    expect(important.filter((l) => out.includes(l)).length).toBeLessThan(important.length);
  });

  it('reads <*>, {a×k|b} and {v×k} and matches nothing else', () => {
    const out = [
      'templates, first seen first (…):',
      '12 × WARN [worker-{1×5|2×7}] Retrying request <*> after timeout  (10:00 … 10:09; 3 shown below)',
      '4 × ERROR data address: {0x02×4}  (10:01 … 10:02)',
    ].join('\n');
    const [retry, address] = countedTemplates(out);
    expect(retry!.test('2024-03-01 10:00:03 WARN [worker-2] Retrying request 1003 after timeout')).toBe(true);
    expect(retry!.test('2024-03-01 10:00:03 WARN [worker-3] Retrying request 1003 after timeout')).toBe(false);
    expect(address!.test('x ERROR data address: 0x02')).toBe(true);
    expect(address!.test('x ERROR data address space....0')).toBe(false);
  });
});

describe('lineTemplate', () => {
  it('masks every token holding a digit', () => {
    expect(lineTemplate('2024-03-01 10:00:03 WARN [worker-2] Retrying request 1003')).toBe('# # WARN # Retrying request #');
  });
});

describe('runCompressionBench', () => {
  it('judges every target from the measured items and says PASS or MISS', () => {
    const rows = Array.from({ length: 80 }, (_, i) => ({
      id: `ord_${String(i).padStart(4, '0')}`,
      status: i === 41 ? 'failed' : 'paid',
      amount: i === 17 ? 990_000 : 1000 + i,
      customer: { id: 'cus_1', url: 'https://api.example.com/v1/customers/cus_1' },
    }));
    const items: BenchItem[] = [
      { id: 'json/orders.json', category: 'json', text: JSON.stringify(rows, null, 2) },
      { id: 'logs/app.log', category: 'logs', text: syntheticLog() },
    ];
    const facts = {
      'json/orders.json': ['ord_0041', 'ord_0017', 'https://api.example.com/v1/customers/cus_1', 'ord_0060'],
      'logs/app.log': ['Token signature invalid for user u-333'],
    };
    const report = runCompressionBench('test', items, facts);
    const target = (prefix: string) => report.targets.find((t) => t.name.startsWith(prefix));

    const arrays = target('JSON balanced on arrays ≥ 50 items')!;
    expect(arrays.value).toBeLessThanOrEqual(0.35);
    expect(arrays.pass).toBe(true);
    expect(arrays.detail).toContain('orders.json:(root) (80 items');

    expect(target('log error/warning lines shown verbatim or counted')!.pass).toBe(true);
    // ord_0060 is sampled away: not visible, but reachable through the original.
    expect(report.facts).toMatchObject({ total: 5, reachable: 5 });
    expect(report.facts.visible).toBe(4);
    expect(target('facts reachable')!.pass).toBe(true);

    expect(report.speed.cpuSeconds).toBeGreaterThan(0);
    expect(report.speed.runs).toBe(3);
    for (const t of report.targets) expect(typeof t.pass).toBe('boolean');
    expect(report.targets.some((t) => t.target === 'info')).toBe(true);
  });
});
