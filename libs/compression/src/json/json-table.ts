/**
 * Tabular form for uniform arrays: an array of objects that all have the same keys in the same order is
 * written `{"$cols":["id","name"],"$rows":[[1,"a"],[2,"b"]]}` — the keys once, then one value list per
 * object. Lossy markers (strings) may sit among the rows. Used only where it saves tokens and the rows stay readable (no big nested values in cells).
 */
import { JsonObject, type JsonNode } from './json-parse';
import { isContainer, type SubtreeIndex } from './json-factor';

export const TABLE_COLS_KEY = '$cols';
export const TABLE_ROWS_KEY = '$rows';

/** Estimated tokens of `{"$cols":[…],"$rows":[…]}` around the content. */
const TABLE_OVERHEAD_TOKENS = 10;
const MIN_TABLE_GAIN = 6;
/** A nested object or array bigger than this in a cell makes rows hard to read by position. */
const MAX_CONTAINER_CELL_TOKENS = 60;
const MIN_COLUMNS = 2;

/**
 * The columns of `array` if it should be written as a table, else null. `isRef(node)` tells whether a
 * node will be written as a reference to a definition (then it is cheap and readable in a cell).
 */
export function tableColumns(
  array: readonly JsonNode[],
  index: SubtreeIndex,
  isRef: (node: JsonNode) => boolean,
  isMarker: (node: JsonNode) => boolean = () => false,
): string[] | null {
  const first = array.find((row) => !isMarker(row));
  if (!(first instanceof JsonObject) || first.keys.length < MIN_COLUMNS) return null;
  const columns = first.keys;
  if (new Set(columns).size !== columns.length) return null;
  let keyTokens = 0;
  for (const key of columns) keyTokens += index.keyTokens(key);
  let writtenRows = 0;
  for (const row of array) {
    if (isMarker(row)) continue;
    if (!(row instanceof JsonObject) || row.keys.length !== columns.length) return null;
    for (let k = 0; k < columns.length; k++) if (row.keys[k] !== columns[k]) return null;
    if (isRef(row)) continue;
    writtenRows++;
    for (const cell of row.values) {
      if (isContainer(cell) && !isRef(cell) && index.nodeTokens(cell) > MAX_CONTAINER_CELL_TOKENS) return null;
    }
  }
  if (writtenRows < 2) return null;
  const gain = (writtenRows - 1) * keyTokens - TABLE_OVERHEAD_TOKENS;
  return gain >= MIN_TABLE_GAIN ? columns : null;
}
