/**
 * Near-duplicate objects: API responses repeat objects that differ in a key or two (response headers
 * that differ only in `content-length`, records sharing most fields). Such an object is written
 * `{"$like":"$N","content-length":"7024"}` — definition N with the listed keys changed (same keys, same
 * order) — where that saves tokens.
 */
import { REF_TOKENS, type SubtreeIndex } from './json-factor';

export const LIKE_KEY = '$like';

/** Objects with fewer keys than this are written in full. */
const MIN_LIKE_KEYS = 5;
/** Estimated tokens of `"$like":"$N",`. */
const LIKE_OVERHEAD_TOKENS = 6;
/** A like-object must save at least this much over writing the object in full. */
const MIN_LIKE_GAIN = 10;

/**
 * Choose templates for groups of objects with the same keys. `candidates` are the ids of objects as
 * written (each distinct object once); `valueTokens` sizes a value as written (references included).
 * Returns member id → template id.
 */
export function chooseLikes(
  candidates: Iterable<number>,
  index: SubtreeIndex,
  valueTokens: (valueId: number) => number,
): Map<number, number> {
  const groups = new Map<string, number[]>();
  for (const id of candidates) {
    const shape = index.objectShape(id);
    if (shape === null || shape.keyIds.length < MIN_LIKE_KEYS) continue;
    if (new Set(shape.keyIds).size !== shape.keyIds.length) continue;
    const signature = shape.keyIds.join(',');
    const group = groups.get(signature);
    if (group === undefined) groups.set(signature, [id]);
    else group.push(id);
  }
  const likes = new Map<number, number>();
  for (const members of groups.values()) {
    if (members.length < 2) continue;
    const shapes = members.map((id) => index.objectShape(id)!);
    const width = shapes[0]!.keyIds.length;
    // The template: the member that agrees most with the most common value of each key.
    const modes: number[] = [];
    for (let k = 0; k < width; k++) {
      const counts = new Map<number, number>();
      let best = shapes[0]!.valueIds[k]!;
      for (const shape of shapes) {
        const v = shape.valueIds[k]!;
        const c = (counts.get(v) ?? 0) + 1;
        counts.set(v, c);
        if (c > (counts.get(best) ?? 0)) best = v;
      }
      modes.push(best);
    }
    let template = 0;
    let templateScore = -1;
    shapes.forEach((shape, m) => {
      let score = 0;
      for (let k = 0; k < width; k++) if (shape.valueIds[k] === modes[k]) score++;
      if (score > templateScore) {
        template = m;
        templateScore = score;
      }
    });
    const base = shapes[template]!;
    shapes.forEach((shape, m) => {
      if (m === template) return;
      let saved = -LIKE_OVERHEAD_TOKENS - REF_TOKENS;
      for (let k = 0; k < width; k++) {
        const v = shape.valueIds[k]!;
        if (v === base.valueIds[k]) saved += index.keyTokensById(shape.keyIds[k]!) + valueTokens(v);
      }
      if (saved >= MIN_LIKE_GAIN) likes.set(members[m]!, members[template]!);
    });
  }
  return likes;
}
