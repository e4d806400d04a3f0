import { describe, expect, it } from 'vitest';
import { bm25Scores, queryTerms, topRelevant } from './relevance';

describe('relevance', () => {
  it('splits camelCase and snake_case and drops stop words', () => {
    expect(queryTerms('Why does parseConfig fail on max_retries?')).toEqual(
      expect.arrayContaining(['parseconfig', 'parse', 'config', 'fail', 'max_retries', 'max', 'retries']),
    );
    expect(queryTerms('why does the')).toEqual([]);
  });

  it('ranks matching documents above others', () => {
    const docs = ['user alice logged in', 'payment failed for order 42', 'user bob logged in', 'cache warm'];
    const scores = bm25Scores(docs, 'which payment failed');
    expect(scores[1]).toBeGreaterThan(0);
    expect(scores[0]).toBe(0);
    expect(topRelevant(docs, 'payment failed', 2)).toEqual([1]);
    expect(topRelevant(docs, undefined, 2)).toEqual([]);
  });
});
