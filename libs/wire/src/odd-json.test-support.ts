/**
 * Test support: serialises a JSON value with the oddities real clients produce — random whitespace
 * (including CR/tab), unicode escapes for some characters, escaped slashes, exponent numbers — so
 * properties run on bodies whose bytes differ from `JSON.stringify`. Deterministic per seed.
 */
function prng(seed: number): () => number {
  let s = seed >>> 0 || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 0x100000000;
  };
}

const WS = [' ', '\n', '\r\n', '\t', '  '];

function oddString(s: string, rnd: () => number): string {
  let out = '"';
  for (const ch of s) {
    const code = ch.codePointAt(0)!;
    const r = rnd();
    if (ch === '"') out += '\\"';
    else if (ch === '\\') out += '\\\\';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (ch === '/' && r < 0.5) out += '\\/';
    else if (r < 0.15) {
      // escape as \uXXXX (surrogate pairs for astral characters)
      for (let i = 0; i < ch.length; i++) {
        const hex = ch.charCodeAt(i).toString(16).padStart(4, '0');
        out += `\\u${r < 0.07 ? hex.toUpperCase() : hex}`;
      }
    } else out += ch;
  }
  return `${out}"`;
}

export function oddJson(value: unknown, seed: number): string {
  const rnd = prng(seed);
  const ws = (): string => (rnd() < 0.3 ? WS[Math.floor(rnd() * WS.length)]! : '');
  const ser = (v: unknown): string => {
    if (v === null) return 'null';
    if (typeof v === 'boolean') return String(v);
    if (typeof v === 'number') {
      const plain = JSON.stringify(v);
      return rnd() < 0.2 && !/[eE.]/.test(plain) ? `${plain}e0` : plain;
    }
    if (typeof v === 'string') return oddString(v, rnd);
    if (Array.isArray(v)) return `[${ws()}${v.map((x) => `${ws()}${ser(x)}${ws()}`).join(',')}${ws()}]`;
    const entries = Object.entries(v as Record<string, unknown>);
    return `{${ws()}${entries.map(([k, x]) => `${ws()}${oddString(k, rnd)}${ws()}:${ws()}${ser(x)}${ws()}`).join(',')}${ws()}}`;
  };
  return `${ws()}${ser(value)}${ws()}`;
}
