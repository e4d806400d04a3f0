/**
 * JSON compressor. Lossless: minify, then factor repeated sub-objects, strings and URL prefixes into
 * `$N` definitions, near-duplicate objects into `{"$like":"$N",…changes}` and uniform arrays into
 * tables — kept only when the exact token count beats plain minified JSON. Lossy (balanced / aggressive): long arrays keep their informative rows (first/last,
 * errors, outliers, query matches, distinct values) behind one marker per array, then encode as above.
 */
import type { Compressor, CompressorContext } from '../types';
import { readJsonDocument } from './json-document';
import { encodeDocument, stringifyDocument, type EncodePlan, type JsonForm } from './json-encode';
import {
  chooseStringDefs,
  chooseSubtreeDefs,
  isContainer,
  pruneSmallDefs,
  REF_TOKENS,
  StringDefs,
  SubtreeIndex,
  walkFactored,
  writtenTokens,
  type JsonContainer,
} from './json-factor';
import { chooseLikes, LIKE_KEY } from './json-like';
import { JsonObject, minifyJsonText, type JsonNode } from './json-parse';
import { sampleDocument } from './json-sample';
import { TABLE_COLS_KEY, TABLE_ROWS_KEY, tableColumns } from './json-table';

export const jsonCompressor: Compressor = {
  kind: 'json',
  compress(input: string, ctx: CompressorContext): string {
    const doc = readJsonDocument(input);
    if (doc.status === 'invalid') return input;
    if (doc.status === 'deep') return doc.minified;
    let roots = doc.roots;
    let markers: ReadonlySet<string> = new Set();
    if (ctx.mode !== 'lossless') {
      const sampled = sampleDocument(roots, input, ctx);
      roots = sampled.roots;
      markers = sampled.markers;
    }
    // Unsampled, the plain candidate is the input minified as text (cheaper than re-serialising the tree),
    // unless it holds \u escapes (Python's ensure_ascii): written as characters they cost fewer tokens.
    const plain =
      markers.size === 0 && !input.includes('\\u') ? minifyDocumentText(input, doc.form) : stringifyDocument(roots, doc.form);
    return encodeSmallest(roots, doc.form, ctx, markers, plain);
  },
};

function minifyDocumentText(input: string, form: JsonForm): string {
  if (form === 'value') return minifyJsonText(input.trim());
  return input
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => minifyJsonText(line.trim()))
    .join('\n');
}

/** Plain minified JSON or the compact encoding, whichever has fewer tokens. */
export function encodeSmallest(
  roots: readonly JsonNode[],
  form: JsonForm,
  ctx: Pick<CompressorContext, 'countTokens'>,
  markers: ReadonlySet<string> = new Set(),
  plain: string = stringifyDocument(roots, form),
): string {
  const plan = planEncoding(roots, markers);
  if (plan === null) return plain;
  const compact = encodeDocument(roots, form, plan);
  if (compact === plain) return plain;
  return ctx.countTokens(compact) < ctx.countTokens(plain) ? compact : plain;
}

/** Decide definitions, tables and like-objects for a document; null when the compact encoding cannot be used. */
export function planEncoding(roots: readonly JsonNode[], markers: ReadonlySet<string> = new Set()): EncodePlan | null {
  const index = new SubtreeIndex(roots);
  const subtreeDefs = chooseSubtreeDefs(roots, index);
  const isRef = (node: JsonNode): boolean => isContainer(node) && subtreeDefs.has(index.idOf(node));
  const isMarker = (node: JsonNode): boolean => typeof node === 'string' && markers.has(node);

  const tables = new Map<number, readonly string[]>();
  const tableRows = new Set<number>();
  const objects = new Set<number>();
  let lookalike = false;
  walkFactored(roots, index, subtreeDefs, (node) => {
    if (node instanceof JsonObject) {
      // Data that itself looks like the notation would be misread by the decoder: leave such input plain.
      if (isNotationLookalike(node)) lookalike = true;
      objects.add(index.idOf(node));
    } else if (Array.isArray(node)) {
      const columns = tableColumns(node, index, isRef, isMarker);
      if (columns === null) return;
      tables.set(index.idOf(node), columns);
      for (const row of node) if (row instanceof JsonObject) tableRows.add(index.idOf(row));
    }
  });
  if (lookalike) return null;

  const written = writtenTokens(index, subtreeDefs);
  const valueTokens = (valueId: number): number => {
    if (valueId % 4 !== 2) return index.primitiveTokens(valueId);
    const id = (valueId - 2) / 4;
    return subtreeDefs.has(id) ? REF_TOKENS : written(id);
  };
  const likes = chooseLikes(
    [...objects].filter((id) => !tableRows.has(id)),
    index,
    valueTokens,
  );
  const defs = new Set(subtreeDefs);
  const templates = new Set(likes.values());
  for (const template of templates) defs.add(template);
  if (templates.size > 0) pruneSmallDefs(index, defs, templates);

  // Strings as written: a like-object writes only the values that differ from its template.
  const writtenMask = new Map<number, boolean[]>();
  const isWritten = (parent: JsonContainer, child: number): boolean => {
    if (!(parent instanceof JsonObject)) return true;
    const id = index.idOf(parent);
    const template = likes.get(id);
    if (template === undefined) return true;
    let mask = writtenMask.get(id);
    if (mask === undefined) {
      const own = index.objectShape(id)!.valueIds;
      const base = index.objectShape(template)!.valueIds;
      mask = own.map((v, k) => v !== base[k]);
      writtenMask.set(id, mask);
    }
    return mask[child] ?? true;
  };
  const occurrences = new Map<string, number>();
  walkFactored(
    roots,
    index,
    defs,
    (node) => {
      if (typeof node === 'string' && !markers.has(node)) occurrences.set(node, (occurrences.get(node) ?? 0) + 1);
    },
    undefined,
    isWritten,
  );
  const stringDefs = new StringDefs(chooseStringDefs(occurrences));
  return { index, subtreeDefs: defs, stringDefs, tables, likes, markers };
}

function isNotationLookalike(node: JsonObject): boolean {
  if (node.keys[0] === LIKE_KEY) return true;
  return node.keys.length === 2 && node.keys[0] === TABLE_COLS_KEY && node.keys[1] === TABLE_ROWS_KEY;
}
