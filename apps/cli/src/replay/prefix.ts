/**
 * Prefix stability: does a body sent at turn N+1 extend the body sent at turn N, so a provider's prompt
 * cache written at turn N is read at turn N+1 (invariant I2)?
 *
 * Definition (applied to the bodies the upstream actually received):
 * 1. Canonical form of a body: its JSON text with (a) whitespace outside strings removed and (b) every
 *    `cache_control` member, at any depth, removed. Nothing else changes — member order, string escapes,
 *    number spellings all stay as sent. (Cache markers are breakpoints, not content: a cache-aware client
 *    moves its marker to the newest message every turn, and the provider's cache key ignores it.)
 * 2. Turn N+1 extends turn N when the canonical text of body N, from its first byte up to the end of its
 *    last conversation item (the last element of `messages`, or of `input` for the Responses API), is a
 *    prefix of the canonical text of body N+1, body N+1 holds more items, and the top-level `system`,
 *    `instructions`, `tools` and `tool_choice` members are canonically identical wherever they appear.
 *
 * The prefix-stability rate of an arm is the share of turns (after each conversation's first) that extend
 * their predecessor. The Leeway arm's rate is computed over the turns where the client's own bodies (the
 * direct arm) extend each other — a client that rewrites its own history breaks the prefix by itself.
 */

export interface CanonicalBody {
  readonly text: string;
  /** `messages` or `input`, whichever the body holds. */
  readonly itemsKey: string | null;
  /** Canonical spans `[start, end)` of the conversation items. */
  readonly items: readonly (readonly [number, number])[];
  /** Canonical text of the top-level members the cache depends on besides the items. */
  readonly members: ReadonlyMap<string, string>;
}

const CONVERSATION_KEYS = new Set(['messages', 'input']);
const COMPARED_MEMBERS = new Set(['system', 'instructions', 'tools', 'tool_choice']);

class Canonicalizer {
  private i = 0;
  private out = '';
  itemsKey: string | null = null;
  readonly items: [number, number][] = [];
  readonly members = new Map<string, string>();

  constructor(private readonly src: string) {}

  run(): CanonicalBody {
    this.ws();
    this.value(0, null);
    return { text: this.out, itemsKey: this.itemsKey, items: this.items, members: this.members };
  }

  private ws(): void {
    const s = this.src;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) this.i++;
      else break;
    }
  }

  /** `topKey`: the top-level member this value belongs to, when depth is 1. */
  private value(depth: number, topKey: string | null): void {
    const c = this.src[this.i];
    if (c === '{') this.object(depth);
    else if (c === '[') this.array(depth, topKey);
    else if (c === '"') this.out += this.string();
    else this.scalar();
  }

  private string(): string {
    const s = this.src;
    const start = this.i;
    this.i++;
    while (this.i < s.length) {
      const c = s[this.i];
      if (c === '\\') this.i += 2;
      else if (c === '"') {
        this.i++;
        return s.slice(start, this.i);
      } else this.i++;
    }
    throw new Error('unterminated string');
  }

  private scalar(): void {
    const s = this.src;
    const start = this.i;
    while (this.i < s.length && !',]} \n\r\t'.includes(s[this.i]!)) this.i++;
    if (this.i === start) throw new Error(`unexpected character at ${start}`);
    this.out += s.slice(start, this.i);
  }

  private object(depth: number): void {
    this.i++;
    this.out += '{';
    let first = true;
    this.ws();
    if (this.src[this.i] === '}') {
      this.i++;
      this.out += '}';
      return;
    }
    for (;;) {
      this.ws();
      const rawKey = this.string();
      const key = JSON.parse(rawKey) as string;
      this.ws();
      this.i++; // ':'
      this.ws();
      if (key === 'cache_control') {
        const saved = this.out;
        this.value(depth + 1, null);
        this.out = saved;
      } else {
        if (!first) this.out += ',';
        first = false;
        this.out += `${rawKey}:`;
        const valueStart = this.out.length;
        this.value(depth + 1, depth === 0 ? key : null);
        if (depth === 0 && COMPARED_MEMBERS.has(key)) this.members.set(key, this.out.slice(valueStart));
      }
      this.ws();
      const c = this.src[this.i++];
      if (c === '}') break;
      if (c !== ',') throw new Error(`expected , or } at ${this.i - 1}`);
    }
    this.out += '}';
  }

  private array(depth: number, topKey: string | null): void {
    const track = depth === 1 && topKey !== null && CONVERSATION_KEYS.has(topKey);
    if (track) {
      this.itemsKey = topKey;
      this.items.length = 0;
    }
    this.i++;
    this.out += '[';
    this.ws();
    if (this.src[this.i] === ']') {
      this.i++;
      this.out += ']';
      return;
    }
    let first = true;
    for (;;) {
      this.ws();
      if (!first) this.out += ',';
      first = false;
      const start = this.out.length;
      this.value(depth + 1, null);
      if (track) this.items.push([start, this.out.length]);
      this.ws();
      const c = this.src[this.i++];
      if (c === ']') break;
      if (c !== ',') throw new Error(`expected , or ] at ${this.i - 1}`);
    }
    this.out += ']';
  }
}

/** The canonical form of a JSON request body (see the module comment). Throws on malformed JSON. */
export function canonicalizeBody(body: string): CanonicalBody {
  return new Canonicalizer(body).run();
}

/** Whether `next` extends `prev` by the definition above. */
export function extendsPrefix(prev: CanonicalBody, next: CanonicalBody): boolean {
  if (prev.itemsKey === null || prev.itemsKey !== next.itemsKey) return false;
  if (next.items.length <= prev.items.length) return false;
  const lastEnd = prev.items[prev.items.length - 1]?.[1] ?? 0;
  if (!next.text.startsWith(prev.text.slice(0, lastEnd))) return false;
  for (const key of COMPARED_MEMBERS) {
    if (prev.members.get(key) !== next.members.get(key)) return false;
  }
  return true;
}

/** Per body after the first: whether it extends its predecessor. Malformed bodies never do. */
export function prefixExtensions(bodies: readonly string[]): boolean[] {
  const canon = bodies.map((b) => {
    try {
      return canonicalizeBody(b);
    } catch {
      return null;
    }
  });
  const out: boolean[] = [];
  for (let i = 1; i < canon.length; i++) {
    const prev = canon[i - 1];
    const next = canon[i];
    out.push(
      prev !== null && prev !== undefined && next !== null && next !== undefined && extendsPrefix(prev, next),
    );
  }
  return out;
}
