// `leeway replay --ledger`: the Leeway arm runs inside the embedded stack, so its requests land in the ledger
// like real traffic (here PGlite in a temporary LEEWAY_DATA_DIR), priced exactly as the report prices them.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openDatabase } from '@leeway/db';
import { createArmEnvironment } from '../replay/environment';
import { readTranscript } from '../replay/readers/read-transcript';
import { replayTranscript } from '../replay/replay';

const fixture = fileURLToPath(new URL('../../test/fixtures/swe-agent.traj.json', import.meta.url));

describe('leeway replay --ledger', () => {
  it('records one ledger row per request of the Leeway arm, with the billed cost the report shows', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'leeway-replay-ledger-'));
    const targets: string[] = [];
    const env = await createArmEnvironment(['direct', 'leeway'], {
      ledger: { env: { LEEWAY_DATA_DIR: dataDir, DATABASE_URL: '', LEEWAY_LOG_LEVEL: 'silent' }, onTarget: (t) => targets.push(t) },
    });
    const report = await replayTranscript(
      'swe-agent.traj.json',
      readTranscript(readFileSync(fixture, 'utf8'), fixture),
      { arms: ['direct', 'leeway'], sessionPrefix: 'replay-ledger-spec' },
      env,
      () => performance.now(),
    );
    expect(targets).toEqual([`pglite ${join(dataDir, 'pglite')}`]);
    const leeway = report.total.arms.leeway!;

    const db = await openDatabase({ pgliteDir: join(dataDir, 'pglite') });
    try {
      const { rows } = await db.sql.query<{ n: number; complete: number; billed: string }>(
        "SELECT count(*)::int AS n, count(*) FILTER (WHERE status = 'complete')::int AS complete, sum(billed_usd)::text AS billed FROM request_log",
      );
      expect(rows[0]!.n).toBe(leeway.upstreamRequests);
      expect(rows[0]!.complete).toBe(leeway.upstreamRequests);
      expect(Number(rows[0]!.billed)).toBeCloseTo(Number(leeway.costUsdExact), 9);
    } finally {
      await db.close();
    }
  }, 60_000);
});
