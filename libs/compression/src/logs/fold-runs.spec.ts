import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { foldRuns, REPEAT_NOTE_PREFIX, unfoldRuns as unfold } from './fold-runs';

describe('foldRuns', () => {
  it('folds a run of identical lines into one line and a note', () => {
    const line = '[Sun Dec 04 04:51:14 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties';
    expect(foldRuns(['start', line, line, line, 'end'])).toEqual(['start', line, `${REPEAT_NOTE_PREFIX}2 more times]`, 'end']);
  });

  it('folds lines that differ only in their timestamp, listing the timestamps', () => {
    const at = (t: string): string => `[10.30 ${t}] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS`;
    const lines = [at('16:49:06'), at('16:49:07'), at('16:49:07'), at('16:49:09')];
    const folded = foldRuns(lines);
    expect(folded).toEqual([
      at('16:49:06'),
      `${REPEAT_NOTE_PREFIX}3 more times, only its timestamp changing to: 10.30 16:49:07 ×2; 10.30 16:49:09]`,
    ]);
    expect(unfold(folded)).toEqual(lines);
  });

  it('leaves runs alone when the note would not be shorter', () => {
    expect(foldRuns(['a', 'a', 'a'])).toEqual(['a', 'a', 'a']);
    expect(foldRuns(['', '', '', ''])).toEqual(['', '', '', '']);
  });

  it('leaves a log that already contains such notes untouched', () => {
    const lines = ['x'.repeat(80), 'x'.repeat(80), `${REPEAT_NOTE_PREFIX}1 more time]`];
    expect(foldRuns(lines)).toEqual(lines);
  });

  it('round-trips any log (the lossless property)', () => {
    const stamp = fc
      .tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 59 }))
      .map(([h, m, s]) => `2024-01-02 ${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(s).padStart(2, '0')}`);
    const message = fc.constantFrom(
      'INFO worker started and is waiting for jobs on queue default',
      'WARN retrying connection to db-primary.internal:5432 after timeout',
      'ERROR [leeway: not ours] payload; rejected ×3',
      '',
      '   indented continuation line of a stack trace at x.y.Z(Z.java:1)',
    );
    const line = fc.oneof(
      fc.tuple(stamp, message).map(([s, m]) => `${s} ${m}`),
      message,
      fc.string({ maxLength: 30 }).filter((s) => !s.includes('\n')),
    );
    const log = fc.array(fc.tuple(line, fc.integer({ min: 1, max: 5 })), { maxLength: 40 }).map((runs) => runs.flatMap(([l, n]) => Array<string>(n).fill(l)));
    fc.assert(
      fc.property(log, (lines) => {
        const folded = foldRuns(lines);
        expect(unfold(folded)).toEqual(lines);
        expect(folded.join('\n').length).toBeLessThanOrEqual(lines.join('\n').length);
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips a run whose timestamps change every line', () => {
    const lines = Array.from({ length: 30 }, (_, i) => `2024-01-02 10:00:${String(i).padStart(2, '0')} INFO heartbeat from node-7 ok, all systems nominal`);
    const folded = foldRuns(lines);
    expect(folded).toHaveLength(2);
    expect(unfold(folded)).toEqual(lines);
  });
});
