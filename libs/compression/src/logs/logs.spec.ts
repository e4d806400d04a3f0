import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compress } from '../compress';
import { findMarkerKeys } from '../markers';
import { approximateTokens } from '../tokenizer';
import type { CompressionMode } from '../types';
import { unfoldRuns } from './fold-runs';

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** 120 routine lines around a Java error with its stack trace. */
function javaLog(): { lines: string[]; trace: string[] } {
  const lines: string[] = [];
  for (let i = 0; i < 60; i++) lines.push(`2024-03-01 10:00:${pad(i)},000 INFO [worker-${i % 3}] com.acme.Job: processed batch ${i} errors=0`);
  const trace = [
    '2024-03-01 10:01:00,123 ERROR [worker-1] com.acme.Job: batch 60 failed',
    'java.lang.IllegalStateException: connection pool exhausted',
    '\tat com.acme.db.Pool.acquire(Pool.java:88)',
    '\tat com.acme.Job.run(Job.java:41)',
    'Caused by: java.net.SocketTimeoutException: connect timed out',
    '\t... 2 more',
  ];
  lines.push(...trace);
  for (let i = 0; i < 60; i++) lines.push(`2024-03-01 10:02:${pad(i)},000 INFO [worker-${i % 3}] com.acme.Job: processed batch ${61 + i} errors=0`);
  return { lines, trace };
}

function run(input: string, mode: CompressionMode, query?: string) {
  return compress(input, { mode, keySecret: 'test-secret', ...(query ? { query } : {}) });
}

describe('logs compressor (balanced)', () => {
  it('keeps a stack trace whole, with the lines around it, behind a marker for the rest', () => {
    const { lines, trace } = javaLog();
    const input = lines.join('\n');
    const r = run(input, 'balanced');
    expect(r.output).toContain([lines[59], ...trace, lines[66]].join('\n'));
    expect(r.output).toContain('… lines 1–59 omitted …');
    expect(r.output).toContain('… lines 68–126 omitted …');
    expect(r.output.startsWith('[leeway: 118 of 126 log lines omitted, summarised by template; retrieve key=lw_')).toBe(true);
    for (const key of findMarkerKeys(r.output)) expect(r.originals[key]).toBe(input);
    // The routine lines with `errors=0` are one template, with the values of a low-cardinality field.
    expect(r.output).toMatch(/^120 × INFO \[\{worker-0×40\|worker-1×40\|worker-2×40\}\] com\.acme\.Job: processed batch <\*> errors=0 {2}\(2024-03-01 10:00:00,000 … 10:02:59,000\)$/m);
  });

  it('folds repeats of one error into its template, keeps every variant once and counts the rest where they were', () => {
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const t = `2024-03-01 1${Math.floor(i / 60) % 10}:${pad(i % 60)}:00,000`;
      if (i % 4 === 1) lines.push(`${t} ERROR [pool] com.acme.Db: query failed with state ${i === 301 ? 99 : 7 + (i % 3)} on shard-${i % 5}`);
      else lines.push(`${t} INFO [http-${i % 7}] com.acme.Api: GET /v1/items/${1000 + i} 200 in ${i % 40}ms`);
    }
    const input = lines.join('\n');
    const r = run(input, 'balanced');
    const out = r.output.split('\n');
    expect(out).toContain(lines[1]); // the first error
    expect(out).toContain(lines[301]); // the only line with state 99: a variant of its own
    const summary = /^100 × ERROR \[pool\] com\.acme\.Db: query failed with state \{([^}]*)\} on \{([^}]*)\}/m.exec(r.output);
    expect(summary).not.toBeNull();
    expect(summary![1]!.split('|').sort()).toEqual(['7×33', '8×33', '99', '9×33']);
    expect(summary![2]!.split('|').sort()).toEqual(['shard-0×20', 'shard-1×20', 'shard-2×20', 'shard-3×20', 'shard-4×20']);
    expect(r.output).toMatch(/shown below\)$/m);
    // Gap notes say how many errors each omitted stretch held, and the counts add up.
    const shown = out.filter((l) => l.startsWith('2024-') && l.includes(' ERROR ')).length;
    const inGaps = [...r.output.matchAll(/\((\d+) errors?\/warnings? among them\)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(shown + inGaps).toBe(100);
  });

  it('keeps the records most relevant to the task query', () => {
    const { lines } = javaLog();
    const input = lines.join('\n');
    expect(run(input, 'balanced').output.split('\n')).not.toContain(lines[100]);
    expect(run(input, 'balanced', 'what happened to batch 95?').output.split('\n')).toContain(lines[100]);
  });

  it('counts rare templates that do not fit the budget in one closing marker', () => {
    const lines: string[] = [];
    for (let i = 0; i < 3000; i++) {
      const word = `component${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + (Math.floor(i / 26) % 26))}`;
      lines.push(`Jul  1 09:${pad(Math.floor(i / 60) % 60)}:${pad(i % 60)} host ${word}[1]: ${word} started phase ${word} with mode ${word}`);
    }
    const r = run(lines.join('\n'), 'balanced');
    expect(r.output).toMatch(/^\[leeway: [\d,]+ more lines of [\d,]+ rarer templates omitted, from .+; retrieve key=lw_[0-9a-f]{16}\]$/m);
    expect(r.tokensAfter).toBeLessThan(r.tokensBefore * 0.2);
  });

  it('does not count the empty string after a final newline as a line', () => {
    const { lines } = javaLog();
    const r = run(`${lines.join('\n')}\n`, 'balanced');
    expect(r.output).toContain('… lines 68–126 omitted …');
    expect(r.output).toContain(' of 126 log lines omitted');
  });
});

describe('logs compressor (lossless)', () => {
  it('folds runs reversibly and never elides', () => {
    const lines: string[] = [];
    for (let i = 0; i < 40; i++) {
      for (let k = 0; k < 3; k++) lines.push(`[10.30 16:49:${pad(i)}] chrome.exe - proxy.example.org:5070 open through proxy proxy.example.org:5070 HTTPS`);
      lines.push(`[10.30 16:49:${pad(i)}] chrome.exe - proxy.example.org:5070 close, ${i * 100} bytes sent, 0 bytes received, lifetime <1 sec`);
    }
    const input = lines.join('\n');
    const r = run(input, 'lossless');
    expect(r.changed).toBe(true);
    expect(r.lossless).toBe(true);
    expect(r.originals).toEqual({});
    expect(unfoldRuns(r.output.split('\n')).join('\n')).toBe(input);
  });
});

describe('logs compressor (any input)', () => {
  it('never throws, never grows, and its markers resolve to the input', () => {
    const line = fc.oneof(
      fc.string({ maxLength: 120 }),
      fc.constantFrom(
        '2024-01-01 00:00:00 ERROR boom',
        '2024-01-01 00:00:01 INFO ok',
        '\tat x.Y(Y.java:1)',
        'Traceback (most recent call last):',
        '',
        '[leeway: the line above repeats 3 more times]',
      ),
    );
    fc.assert(
      fc.property(fc.array(line, { maxLength: 80 }), fc.constantFrom<CompressionMode>('lossless', 'balanced', 'aggressive'), (lines, mode) => {
        const input = lines.join('\n');
        const r = compress(input, { mode, kind: 'logs', countTokens: approximateTokens, minTokens: 0 });
        expect(r.tokensAfter).toBeLessThanOrEqual(r.tokensBefore);
        for (const key of findMarkerKeys(r.output)) expect(r.originals[key]).toBe(input);
        // (an input that already holds note-like lines is left as it is: nothing to decode then)
        if (mode === 'lossless' && r.changed) expect(unfoldRuns(r.output.split('\n')).join('\n')).toBe(input);
      }),
      { numRuns: 200 },
    );
  });

  it('is deterministic', () => {
    const { lines } = javaLog();
    const input = lines.join('\n');
    for (const mode of ['lossless', 'balanced', 'aggressive'] as const) expect(run(input, mode).output).toBe(run(input, mode).output);
  });
});
