import { describe, expect, it } from 'vitest';
import { originalResolver, parseRetrieveCall, resolveRetrieveCalls } from './retrieve-calls';

const KEY = 'lw_9f3a2c1d8e7b4a60';

describe('parseRetrieveCall', () => {
  it('normalises keys case-insensitively and tolerates pasted markers', () => {
    expect(parseRetrieveCall('c1', `{"key":"${KEY.toUpperCase()}"}`)).toMatchObject({ id: 'c1', key: KEY, rawKey: KEY.toUpperCase(), query: null });
    expect(parseRetrieveCall('c2', { key: ` key=${KEY}]`, query: 'error' })).toMatchObject({ key: KEY, query: 'error' });
    expect(parseRetrieveCall('c3', '{"key":"hash=abc"}').key).toBeNull();
    expect(parseRetrieveCall('c4', 'not json').key).toBeNull();
    expect(parseRetrieveCall('c5', '').key).toBeNull();
    expect(parseRetrieveCall('c6', { key: KEY, query: '  ' }).query).toBeNull();
  });
});

describe('resolveRetrieveCalls', () => {
  it('answers found, unknown (expired / another tenant) and invalid keys — never an error', async () => {
    const store = new Map([[KEY, 'line one\nthe error line\nline three']]);
    const calls = [
      parseRetrieveCall('a', { key: KEY.toUpperCase() }),
      parseRetrieveCall('b', { key: 'lw_0000000000000000' }),
      parseRetrieveCall('c', { key: 'nope' }),
      parseRetrieveCall('d', { key: KEY, query: 'error' }),
    ];
    const answers = await resolveRetrieveCalls(calls, originalResolver((k) => store.get(k) ?? null));
    expect(answers.map((a) => [a.callId, a.status])).toEqual([
      ['a', 'found'],
      ['b', 'unknown'],
      ['c', 'invalid-key'],
      ['d', 'found'],
    ]);
    expect(answers[0]!.text).toBe('line one\nthe error line\nline three');
    expect(answers[1]!.text).toMatch(/expired.*Re-run the command/);
    expect(answers[2]!.text).toMatch(/not a retrieve key/);
    expect(answers[3]!.text).toContain('2: the error line');
  });

  it('asks the resolver once per key and query; a throwing resolver counts as unknown', async () => {
    let asked = 0;
    const calls = [parseRetrieveCall('a', { key: KEY }), parseRetrieveCall('b', { key: KEY.toUpperCase() })];
    await resolveRetrieveCalls(calls, () => {
      asked++;
      return 'x';
    });
    expect(asked).toBe(1);
    const failed = await resolveRetrieveCalls(calls, () => {
      throw new Error('redis down');
    });
    expect(failed.map((a) => a.status)).toEqual(['unknown', 'unknown']);
  });
});
