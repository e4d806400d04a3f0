import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { findMarkerKeys } from '../markers';

const SECRET = 'sample-spec';

/** 200 request records: a few failures, one latency outlier, one row about "checkout". */
function requests(): Record<string, unknown>[] {
  return Array.from({ length: 200 }, (_, i) => ({
    id: `req-${String(i).padStart(4, '0')}`,
    method: i % 2 === 0 ? 'GET' : 'POST',
    path: i === 120 ? '/api/checkout/confirm' : `/api/items/${i}`,
    status: [37, 81, 140, 177].includes(i) ? 503 : 200,
    latency_ms: i === 150 ? 9000 : 100 + (i % 7) * 10,
    region: 'eu-west-1',
  }));
}

describe('json lossy sampling (balanced)', () => {
  it('keeps first/last, error, outlier and query rows and names exactly what was dropped', () => {
    const input = JSON.stringify(requests(), null, 2);
    const result = compress(input, { mode: 'balanced', query: 'why did checkout fail', keySecret: SECRET });
    const out = result.output;
    for (const id of ['req-0000', 'req-0001', 'req-0002', 'req-0198', 'req-0199']) expect(out).toContain(id);
    for (const id of ['req-0037', 'req-0081', 'req-0140', 'req-0177']) expect(out).toContain(id);
    expect(out).toContain('req-0150'); // latency outlier
    expect(out).toContain('/api/checkout/confirm');
    expect(out).not.toContain('req-0100');
    expect(out).toMatch(
      /\[leeway: 189 of 200 rows omitted \(kept: first 3, last 2, 4 with errors, 1 matching the query, 1 numeric outlier\); kept rows are #1-3,38,82,121,141,151,178,199-200 counting from 1; retrieve key=lw_[0-9a-f]{16}\]/,
    );
    const keys = findMarkerKeys(out);
    expect(keys).toHaveLength(1);
    expect(result.originals[keys[0]!]).toBe(input);
    expect(result.lossless).toBe(false);
    expect(result.tokensAfter).toBeLessThan(0.2 * result.tokensBefore);
  });

  it('samples a nested array (items of a Kubernetes List) and keeps the envelope', () => {
    const items = Array.from({ length: 40 }, (_, i) => ({
      kind: 'Pod',
      metadata: { name: `web-${i}`, namespace: 'default' },
      status: { phase: i === 22 ? 'Failed' : 'Running', restartCount: 0 },
    }));
    const input = JSON.stringify({ apiVersion: 'v1', kind: 'List', items }, null, 4);
    const out = compress(input, { mode: 'balanced', keySecret: SECRET }).output;
    expect(out).toContain('"apiVersion":"v1"');
    expect(out).toContain('web-22');
    expect(out).toMatch(/\d+ of 40 rows of items omitted \(kept: first 3, last 2, 1 with errors/);
  });

  it('samples JSON Lines by line', () => {
    const lines = requests()
      .map((r) => JSON.stringify(r))
      .join('\n');
    const out = compress(lines, { mode: 'balanced', keySecret: SECRET }).output;
    expect(out).toMatch(/of 200 lines omitted/);
    expect(out).toContain('req-0140');
  });

  it('keeps one row per distinct categorical value and per type', () => {
    const rows = Array.from({ length: 60 }, (_, i) => ({
      type: i === 30 ? 'summary' : 'match',
      level: i === 41 ? 'debug' : 'info',
      text: `line ${i}`,
    }));
    const out = compress(JSON.stringify(rows, null, 2), { mode: 'balanced', keySecret: SECRET }).output;
    expect(out).toContain('line 30');
    expect(out).toContain('line 41');
    expect(out).toMatch(/2 with distinct values/);
  });

  it('cuts long free text in kept rows behind a marker naming the field', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, body: `${'lorem ipsum dolor '.repeat(60)}#${i}` }));
    const input = JSON.stringify(rows, null, 2);
    const result = compress(input, { mode: 'balanced', keySecret: SECRET });
    expect(result.output).toMatch(/lorem ipsum[^"]*…\[leeway: \d+ more characters of body omitted; retrieve key=lw_[0-9a-f]{16}\]/);
    for (const key of findMarkerKeys(result.output)) expect(result.originals[key]).toBe(input);
  });

  it('samples a keyed collection of records like rows, listing every omitted key', () => {
    const services: Record<string, unknown> = {};
    for (let i = 0; i < 60; i++) {
      services[`svc-${String(i).padStart(2, '0')}`] = {
        owner: 'platform',
        status: i === 33 ? 'failed' : 'healthy',
        endpoint: i === 47 ? 'https://billing.internal/refunds' : `https://svc-${i}.internal/api`,
      };
    }
    const input = JSON.stringify({ region: 'eu-west-1', services }, null, 2);
    const result = compress(input, { mode: 'balanced', query: 'refunds endpoint', keySecret: SECRET });
    const out = result.output;
    expect(out).toContain('"region":"eu-west-1"');
    for (const key of ['svc-00', 'svc-01', 'svc-02', 'svc-58', 'svc-59']) expect(out).toContain(`"${key}":{`);
    expect(out).toContain('"svc-33":{'); // the failed one
    expect(out).toContain('https://billing.internal/refunds'); // the query match
    expect(out).not.toContain('"svc-20":{');
    const marker =
      /"\[leeway: (\d+) of 60 entries of services omitted \(kept: first 3, last 2, 1 with errors, \d matching the query\); the value lists the omitted keys; retrieve key=(lw_[0-9a-f]{16})\]":"([^"]*)"/.exec(
        out,
      );
    expect(marker).not.toBeNull();
    const omitted = marker![3]!.split(', ');
    expect(omitted).toHaveLength(Number(marker![1]));
    expect(omitted.length).toBeGreaterThanOrEqual(50);
    for (const key of omitted) expect(out).not.toContain(`"${key}":{`);
    expect(omitted).toContain('svc-20');
    expect(omitted).not.toContain('svc-33');
    expect(result.originals[marker![2]!]).toBe(input);
    expect(result.tokensAfter).toBeLessThan(0.35 * result.tokensBefore);
  });

  it('keyed collections: every marker resolves, output is deterministic and never larger (property)', () => {
    const record = fc.record({ status: fc.constantFrom('ok', 'failed', 'pending'), size: fc.integer(), note: fc.string({ maxLength: 80 }) });
    fc.assert(
      fc.property(
        fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), record, { minKeys: 30, maxKeys: 70 }),
        fc.constantFrom('balanced', 'aggressive' as const),
        (map, mode) => {
          const input = JSON.stringify({ resources: map }, null, 2);
          const a = compress(input, { mode, keySecret: SECRET });
          expect(compress(input, { mode, keySecret: SECRET }).output).toBe(a.output);
          expect(a.tokensAfter).toBeLessThanOrEqual(a.tokensBefore);
          for (const key of findMarkerKeys(a.output)) expect(a.originals[key]).toBe(input);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('leaves objects of primitives and small keyed collections whole', () => {
    const flat = Object.fromEntries(Array.from({ length: 80 }, (_, i) => [`key_${i}`, `value ${i}`]));
    expect(findMarkerKeys(compress(JSON.stringify(flat, null, 2), { mode: 'balanced', keySecret: SECRET }).output)).toEqual([]);
    const small = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`svc-${i}`, { status: 'ok', port: 8000 + i }]));
    const result = compress(JSON.stringify({ services: small }, null, 2), { mode: 'balanced', keySecret: SECRET });
    expect(findMarkerKeys(result.output)).toEqual([]);
    expect(result.lossless).toBe(true);
  });

  it('leaves short arrays whole', () => {
    const rows = requests().slice(0, 12);
    const result = compress(JSON.stringify(rows, null, 2), { mode: 'balanced', keySecret: SECRET });
    expect(findMarkerKeys(result.output)).toEqual([]);
    expect(result.lossless).toBe(true);
    for (const row of rows) expect(result.output).toContain(String(row.id));
  });

  it('every marker resolves, output is deterministic and never larger (property)', () => {
    const row = fc.record({
      id: fc.integer(),
      name: fc.string({ maxLength: 30 }),
      status: fc.constantFrom('ok', 'failed', 'error', 'running', 200, 404, 500),
      value: fc.double({ noNaN: true, noDefaultInfinity: true }),
      note: fc.string({ maxLength: 600 }),
    });
    fc.assert(
      fc.property(fc.array(row, { minLength: 0, maxLength: 80 }), fc.constantFrom('balanced', 'aggressive' as const), fc.option(fc.string()), (rows, mode, query) => {
        const input = JSON.stringify({ items: rows }, null, 2);
        const options = { mode, keySecret: SECRET, ...(query ? { query } : {}) };
        const a = compress(input, options);
        expect(compress(input, options).output).toBe(a.output);
        expect(a.tokensAfter).toBeLessThanOrEqual(a.tokensBefore);
        for (const key of findMarkerKeys(a.output)) expect(a.originals[key]).toBe(input);
      }),
      { numRuns: 60 },
    );
  });
});
