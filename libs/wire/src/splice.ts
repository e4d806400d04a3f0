/**
 * Byte splicing: apply edits to the original body without re-serialising anything else (invariant I1).
 * A replacement is already-encoded JSON text (`JSON.stringify(text)` for a string value).
 */
import { WireError } from './errors';
import { findEntry, type JsonArraySpan, type JsonObjectSpan, type JsonSpan } from './json-scan';

/** Replace bytes `[start, end)` with `replacement` (UTF-8 encoded). `start === end` inserts. */
export interface ByteEdit {
  readonly start: number;
  readonly end: number;
  readonly replacement: string;
}

/**
 * Applies edits to `raw`. Edits must not overlap (insertions at the same offset are applied in the order
 * given); they are sorted by offset here, stably. With no edits the very same Buffer is returned.
 * Throws `WireError('WIRE_BAD_EDIT')` on out-of-range or overlapping edits.
 */
export function applyEdits(raw: Buffer, edits: readonly ByteEdit[]): Buffer {
  if (edits.length === 0) return raw;
  const sorted = edits.length === 1 ? edits : [...edits].sort((a, b) => a.start - b.start || a.end - b.end);
  const parts: Buffer[] = [];
  let cursor = 0;
  for (const edit of sorted) {
    if (!Number.isInteger(edit.start) || !Number.isInteger(edit.end) || edit.start > edit.end || edit.end > raw.length || edit.start < 0) {
      throw new WireError('WIRE_BAD_EDIT', `edit [${edit.start}, ${edit.end}) out of range for ${raw.length} bytes`);
    }
    if (edit.start < cursor) {
      throw new WireError('WIRE_BAD_EDIT', `edit [${edit.start}, ${edit.end}) overlaps a previous edit ending at ${cursor}`);
    }
    if (edit.start > cursor) parts.push(raw.subarray(cursor, edit.start));
    if (edit.replacement.length > 0) parts.push(Buffer.from(edit.replacement, 'utf8'));
    cursor = edit.end;
  }
  if (cursor < raw.length) parts.push(raw.subarray(cursor));
  return Buffer.concat(parts);
}

/** Replace a value (any kind) with already-encoded JSON. */
export function replaceValueEdit(span: JsonSpan, json: string): ByteEdit {
  return { start: span.start, end: span.end, replacement: json };
}

/** Replace a value with a JSON string holding `text`. */
export function replaceStringEdit(span: JsonSpan, text: string): ByteEdit {
  return { start: span.start, end: span.end, replacement: JSON.stringify(text) };
}

/** Append an element (already-encoded JSON) at the end of an array. */
export function appendToArrayEdit(array: JsonArraySpan, json: string): ByteEdit {
  const last = array.items[array.items.length - 1];
  if (last === undefined) return { start: array.start + 1, end: array.start + 1, replacement: json };
  return { start: last.end, end: last.end, replacement: `,${json}` };
}

/** Insert an element (already-encoded JSON) before position `index` (0 ≤ index ≤ length). */
export function insertIntoArrayEdit(array: JsonArraySpan, index: number, json: string): ByteEdit {
  if (index < 0 || index > array.items.length) {
    throw new WireError('WIRE_BAD_EDIT', `insert index ${index} out of range for an array of ${array.items.length}`);
  }
  if (index === array.items.length) return appendToArrayEdit(array, json);
  const at = array.items[index]!.start;
  return { start: at, end: at, replacement: `${json},` };
}

/** Add a member at the end of an object (does not check for an existing key: see `setMemberEdit`). */
export function addMemberEdit(object: JsonObjectSpan, key: string, json: string): ByteEdit {
  const member = `${JSON.stringify(key)}:${json}`;
  const last = object.entries[object.entries.length - 1];
  if (last === undefined) return { start: object.start + 1, end: object.start + 1, replacement: member };
  return { start: last.value.end, end: last.value.end, replacement: `,${member}` };
}

/** Set member `key`: replace the value of its last occurrence, or add it at the end of the object. */
export function setMemberEdit(object: JsonObjectSpan, key: string, json: string): ByteEdit {
  const entry = findEntry(object, key);
  return entry ? replaceValueEdit(entry.value, json) : addMemberEdit(object, key, json);
}

/**
 * Remove every occurrence of member `key` (with one adjoining comma each), or nothing when absent.
 * Returned edits are sorted and non-overlapping.
 */
export function removeMemberEdits(object: JsonObjectSpan, key: string): ByteEdit[] {
  const entries = object.entries;
  const doomed = new Set<number>();
  entries.forEach((e, i) => {
    if (e.key === key) doomed.add(i);
  });
  if (doomed.size === 0) return [];
  // Rebuild the member list by cutting ranges: each removed member takes the separator before it, or the
  // one after it when it is the first surviving position.
  const edits: ByteEdit[] = [];
  let i = 0;
  while (i < entries.length) {
    if (!doomed.has(i)) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < entries.length && doomed.has(j + 1)) j++;
    const first = entries[i]!;
    const lastDoomed = entries[j]!;
    if (i > 0) {
      edits.push({ start: entries[i - 1]!.value.end, end: lastDoomed.value.end, replacement: '' });
    } else if (j + 1 < entries.length) {
      edits.push({ start: first.keyStart, end: entries[j + 1]!.keyStart, replacement: '' });
    } else {
      edits.push({ start: object.start + 1, end: object.end - 1, replacement: '' });
    }
    i = j + 1;
  }
  return edits;
}
