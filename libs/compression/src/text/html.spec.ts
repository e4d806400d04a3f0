import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { detectKind } from '../detect';
import type { CompressionMode, CompressorContext } from '../types';
import { htmlCompressor, trimWhitespace } from './html';

function ctxFor(mode: CompressionMode): CompressorContext {
  return {
    mode,
    query: undefined,
    countTokens: (s) => Math.ceil(s.length / 4),
    elide(_original, summary) {
      if (mode === 'lossless') throw new Error('elide in lossless mode');
      return `[leeway: ${summary}; retrieve key=lw_0123456789abcdef]`;
    },
  };
}

const PAGE = [
  '<!DOCTYPE html>',
  '<html>',
  '<head>',
  '  <title>Build #42 failed</title>   ',
  '  <!-- analytics snippet -->',
  '  <style>',
  '    body { font-family: sans-serif; }',
  '  </style>',
  '  <script src="/app.js"></script>',
  '  <script>',
  '    window.dataLayer = window.dataLayer || [];',
  '  </script>',
  '</head>',
  '',
  '',
  '',
  '<body>',
  '  <div class="log" style="color: red" data-id="7">',
  '    <pre>error:   line 3   ',
  '',
  '',
  '',
  'expected ";"</pre>',
  '    <img src="data:image/png;base64,' + 'iVBORw0KGgo'.repeat(20) + '">',
  '    <svg viewBox="0 0 10 10"><path d="M0 0L10 10"/></svg>',
  '  </div>',
  '</body>',
  '</html>',
].join('\n');

describe('htmlCompressor', () => {
  it('is detected as HTML', () => {
    expect(detectKind(PAGE)).toBe('html');
  });

  it('lossless: drops only trailing spaces and extra blank lines, never inside <pre>', () => {
    const out = htmlCompressor.compress(PAGE, ctxFor('lossless'));
    expect(out).toContain('  <title>Build #42 failed</title>\n');
    expect(out).toContain('</head>\n\n<body>');
    expect(out).toContain('<pre>error:   line 3   \n\n\n\nexpected ";"</pre>');
    expect(out).toContain('window.dataLayer');
    expect(out.replace(/\s+/g, '')).toBe(PAGE.replace(/\s+/g, ''));
  });

  it('balanced: drops comments and script/style/svg bodies and data URIs behind one marker', () => {
    const out = htmlCompressor.compress(PAGE, ctxFor('balanced'));
    expect(out.split('\n')[0]).toBe(
      '[leeway: HTML trimmed: 1 comments, 1 script bodies, 1 style bodies, 1 svg bodies, 1 data URIs removed (… marks a removed body); retrieve key=lw_0123456789abcdef]',
    );
    expect(out).toContain('<script src="/app.js"></script>');
    expect(out).toContain('<script>…</script>');
    expect(out).toContain('<style>…</style>');
    expect(out).toContain('<svg viewBox="0 0 10 10">…</svg>');
    expect(out).toContain('<img src="data:…">');
    expect(out).toContain('<div class="log" style="color: red" data-id="7">');
    expect(out).toContain('<title>Build #42 failed</title>');
    expect(out).not.toContain('analytics');
  });

  it('aggressive: also drops style and data-* attributes', () => {
    const out = htmlCompressor.compress(PAGE, ctxFor('aggressive'));
    expect(out).toContain('<div class="log">');
  });

  it('shrinks the page through the orchestrator, with the original retrievable', () => {
    const result = compress(PAGE, { mode: 'balanced', minTokens: 1 });
    expect(result.tokensAfter).toBeLessThan(result.tokensBefore);
    expect(Object.values(result.originals)).toEqual([PAGE]);
  });

  it('never joins lines or changes indentation (property)', () => {
    const line = fc.oneof(fc.constantFrom('', '  ', '\t<p>x</p>  ', '<pre>', '</pre>', '  <div>', '<!-- c -->', '\r'), fc.string({ maxLength: 10 }));
    fc.assert(
      fc.property(fc.array(line, { maxLength: 30 }), (lines) => {
        const input = lines.join('\n');
        const out = trimWhitespace(input);
        const kept = out.split('\n').filter((l) => l.trim().length > 0);
        const original = input.split('\n').filter((l) => l.trim().length > 0);
        expect(kept.length).toBe(original.length);
        kept.forEach((l, i) => expect(original[i]!.startsWith(l.replace(/\r$/, ''))).toBe(true));
      }),
      { numRuns: 300 },
    );
  });
});
