/**
 * Relevance of short documents (rows, hits, lines) to the task query: BM25 over simple word tokens.
 * Shared by every compressor that keeps "rows relevant to the task".
 */
const WORD_RE = /[\p{L}\p{N}_]+/gu;
const STOP = new Set([
  'the', 'a', 'an', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'is', 'are', 'be', 'it', 'this', 'that', 'with',
  'as', 'at', 'by', 'from', 'what', 'which', 'where', 'why', 'how', 'me', 'show', 'find', 'all', 'any', 'i', 'we',
  'you', 'do', 'does', 'did', 'not', 'no', 'can', 'please', 'there', 'was', 'were', 'has', 'have',
]);

/** Lower-cased word tokens; camelCase and snake_case are also split into parts. */
export function queryTerms(text: string): string[] {
  const out = new Set<string>();
  for (const m of text.matchAll(WORD_RE)) {
    const word = m[0];
    const lower = word.toLowerCase();
    if (!STOP.has(lower) && lower.length > 1) out.add(lower);
    for (const part of word.split(/_|(?<=[a-z0-9])(?=[A-Z])/)) {
      const p = part.toLowerCase();
      if (p.length > 2 && !STOP.has(p)) out.add(p);
    }
  }
  return [...out];
}

function docTerms(text: string): Map<string, number> {
  const tf = new Map<string, number>();
  for (const m of text.matchAll(WORD_RE)) {
    const word = m[0];
    const lower = word.toLowerCase();
    tf.set(lower, (tf.get(lower) ?? 0) + 1);
    if (/_|[a-z0-9][A-Z]/.test(word)) {
      for (const part of word.split(/_|(?<=[a-z0-9])(?=[A-Z])/)) {
        const p = part.toLowerCase();
        if (p.length > 2) tf.set(p, (tf.get(p) ?? 0) + 1);
      }
    }
  }
  return tf;
}

/**
 * BM25 score of each document against the query (k1 = 1.2, b = 0.75). Returns an array of scores in
 * document order; all zeros when the query is empty or matches nothing.
 */
export function bm25Scores(documents: readonly string[], query: string | undefined): number[] {
  const terms = query ? queryTerms(query) : [];
  const scores = new Array<number>(documents.length).fill(0);
  if (terms.length === 0 || documents.length === 0) return scores;
  const tfs = documents.map(docTerms);
  const lengths = tfs.map((tf) => {
    let n = 0;
    for (const v of tf.values()) n += v;
    return n;
  });
  const avg = lengths.reduce((a, b) => a + b, 0) / documents.length || 1;
  const k1 = 1.2;
  const b = 0.75;
  for (const term of terms) {
    let df = 0;
    for (const tf of tfs) if (tf.has(term)) df++;
    if (df === 0) continue;
    const idf = Math.log(1 + (documents.length - df + 0.5) / (df + 0.5));
    for (let i = 0; i < tfs.length; i++) {
      const f = tfs[i]!.get(term);
      if (!f) continue;
      scores[i]! += (idf * (f * (k1 + 1))) / (f + k1 * (1 - b + (b * lengths[i]!) / avg));
    }
  }
  return scores;
}

/** Indices of the `limit` best-scoring documents with a score above zero, in document order. */
export function topRelevant(documents: readonly string[], query: string | undefined, limit: number): number[] {
  if (limit <= 0) return [];
  const scores = bm25Scores(documents, query);
  return scores
    .map((score, index) => ({ score, index }))
    .filter((s) => s.score > 0)
    .sort((x, y) => y.score - x.score || x.index - y.index)
    .slice(0, limit)
    .map((s) => s.index)
    .sort((x, y) => x - y);
}
