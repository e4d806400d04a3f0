import type { Compressor, CompressorContext } from '../types';

/**
 * HTML pages. Lossless: only whitespace a browser ignores — trailing spaces at line ends and runs of blank
 * lines — outside `<pre>`, `<textarea>`, `<script>` and `<style>`; indentation and line breaks stay.
 * Balanced: also drops comments and the bodies of `<script>`, `<style>` and `<svg>` elements (their tags
 * and attributes stay, the body becomes `…`) and long `data:` URIs, behind one marker at the top that
 * says what went. Aggressive: also drops `style="…"` and `data-*` attributes.
 */
const COMMENT_RE = /<!--[\s\S]*?-->/g;
const BODY_ELEMENTS = ['script', 'style', 'svg'] as const;
const BODY_RE: Record<(typeof BODY_ELEMENTS)[number], RegExp> = {
  script: /(<script\b[^>]*>)([\s\S]*?)(<\/script\s*>)/gi,
  style: /(<style\b[^>]*>)([\s\S]*?)(<\/style\s*>)/gi,
  svg: /(<svg\b[^>]*>)([\s\S]*?)(<\/svg\s*>)/gi,
};
const DATA_URI_RE = /(\s(?:src|href|srcset|poster|content)\s*=\s*)(["'])data:[^"'\s]{0,64}?[;,][^"']{64,}\2/gi;
const STYLE_ATTR_RE = /\s(?:style|data-[\w-]+)\s*=\s*(?:"[^"]*"|'[^']*')/gi;
/** Elements whose whitespace is content. */
const VERBATIM_RE = /<(pre|textarea|script|style)\b[\s\S]*?<\/\1\s*>/gi;
const ELLIPSIS = '…';

export const htmlCompressor: Compressor = {
  kind: 'html',
  compress(input: string, ctx: CompressorContext): string {
    if (ctx.mode === 'lossless') return trimWhitespace(input);
    const counts = new Map<string, number>();
    const count = (what: string): void => {
      counts.set(what, (counts.get(what) ?? 0) + 1);
    };
    let html = input.replace(COMMENT_RE, () => {
      count('comments');
      return '';
    });
    for (const element of BODY_ELEMENTS) {
      html = html.replace(BODY_RE[element], (whole: string, open: string, body: string, close: string) => {
        if (body.trim().length === 0 || body === ELLIPSIS) return whole;
        count(`${element} bodies`);
        return `${open}${ELLIPSIS}${close}`;
      });
    }
    html = html.replace(DATA_URI_RE, (_whole: string, attr: string, quote: string) => {
      count('data URIs');
      return `${attr}${quote}data:${ELLIPSIS}${quote}`;
    });
    if (ctx.mode === 'aggressive') {
      html = html.replace(STYLE_ATTR_RE, () => {
        count('style/data attributes');
        return '';
      });
    }
    html = trimWhitespace(html);
    if (counts.size === 0) return html;
    const what = [...counts].map(([name, n]) => `${n} ${name}`).join(', ');
    return `${ctx.elide(input, `HTML trimmed: ${what} removed (${ELLIPSIS} marks a removed body)`)}\n${html}`;
  },
};

/**
 * Drop trailing spaces/tabs at line ends and fold runs of blank lines into one, outside elements whose
 * whitespace matters. Never touches indentation or joins lines.
 */
export function trimWhitespace(html: string): string {
  let out = '';
  let last = 0;
  VERBATIM_RE.lastIndex = 0;
  for (const m of html.matchAll(VERBATIM_RE)) {
    out += trimFree(html.slice(last, m.index));
    out += m[0];
    last = m.index + m[0].length;
  }
  return out + trimFree(html.slice(last));
}

function trimFree(text: string): string {
  return text.replace(/[ \t]+(?=\r?\n)/g, '').replace(/(\r?\n)(?:[ \t]*\r?\n){2,}/g, '$1$1');
}
