import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CliError } from '../cli-error';
import type { ReplayReport } from '../replay/report';
import { runReplay } from './replay';

const fixture = (name: string): string =>
  fileURLToPath(new URL(`../../test/fixtures/${name}`, import.meta.url));

async function failure(argv: string[]): Promise<CliError> {
  try {
    await runReplay(argv);
  } catch (err) {
    if (err instanceof CliError) return err;
    throw err;
  }
  throw new Error('expected a CliError');
}

describe('leeway replay (command)', () => {
  afterEach(() => vi.restoreAllMocks());

  it('rejects bad usage with a one-line error and exit code 2', async () => {
    for (const argv of [
      [],
      ['a', 'b'],
      [fixture('swe-smith.json'), '--provider', 'gemini'],
      [fixture('swe-smith.json'), '--client', 'smart'],
      [fixture('swe-smith.json'), '--arms', 'proxy'],
      [fixture('swe-smith.json'), '--bogus'],
    ]) {
      const err = await failure(argv);
      expect(err.exitCode).toBe(2);
      expect(err.message).not.toContain('\n');
    }
  });

  it('reports unreadable input as a user error', async () => {
    const missing = await failure(['/nonexistent/transcript.jsonl']);
    expect([missing.exitCode, missing.message]).toEqual([1, 'no such file: /nonexistent/transcript.jsonl']);
    const unknown = await failure([fixture('SOURCES.md')]);
    expect(unknown.message).toMatch(/not JSON or JSONL/);
    const unpriced = await failure([
      fixture('swe-smith.json'),
      '--model',
      'claude-unknown-9',
      '--arms',
      'none',
    ]);
    expect(unpriced.message).toMatch(/no anthropic list price/);
  });

  it('prints one JSON object with --json', async () => {
    const writes: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      writes.push(String(chunk));
      return true;
    });
    await runReplay([fixture('openhands.json'), '--arms', 'none', '--json']);
    expect(writes).toHaveLength(1);
    const report = JSON.parse(writes[0]!) as ReplayReport;
    expect(report.format).toBe('openhands');
    expect(report.total.turns).toBe(5);
    expect(report.total.arms).toEqual({});
    expect(report.total.toolShare.sent.toolOutputTokens).toBeGreaterThan(0);
  });
});
