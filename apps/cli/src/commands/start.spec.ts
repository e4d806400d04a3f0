/**
 * The embedded stack (`npm start`): proxy + ingestion + admin in one process on PGlite and the in-process
 * bus, no external services. Official SDK traffic lands in the ledger with the right usage classes and
 * cost, a cut-off stream is partial, spend per team and model is served by the admin API, and the ledger
 * survives a restart of the stack.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createProxyLogger } from '@leeway/proxy';
import { driveLedgerTraffic, expectLedgerMatches, waitForLedgerRows, type TrafficCase } from '@leeway/proxy/ledger-testing';
import { startFakeUpstream, type FakeUpstream } from '@leeway/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedStack, type EmbeddedStack } from './start';

const ADMIN_TOKEN = 'embedded-admin-token-0123456789';

describe('embedded stack (PGlite + in-process bus)', { timeout: 180_000 }, () => {
  let dataDir: string;
  let upstream: FakeUpstream;
  let stack: EmbeddedStack | null = null;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'leeway-embedded-'));
    upstream = await startFakeUpstream({ tokenizer: 'approximate' });
    // An explicit environment: no DATABASE_URL / REDIS_URL, whatever the machine has.
    env = {
      LEEWAY_DATA_DIR: dataDir,
      LEEWAY_ANTHROPIC_BASE_URL: upstream.url,
      LEEWAY_OPENAI_BASE_URL: upstream.url,
      LEEWAY_LOG_LEVEL: 'silent',
      LEEWAY_SECRET_KEY: 'embedded-secret-key-0123456789',
      LEEWAY_ADMIN_TOKEN: ADMIN_TOKEN,
      LEEWAY_OPTIMIZE_BUDGET_MS: '5000',
      LEEWAY_INGESTION_BATCH_MAX_WAIT_MS: '10',
    };
  });
  afterAll(async () => {
    await stack?.close();
    await upstream?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const start = async (): Promise<EmbeddedStack> =>
    startEmbeddedStack({ env, proxyPort: 0, adminPort: 0, logger: createProxyLogger('silent') });

  let cases: TrafficCase[] = [];

  it('serves SDK traffic into the PGlite ledger with usage classes, cost and partial streams; admin reports spend per team and model', async () => {
    stack = await start();
    expect(stack.events).toBe('memory');
    expect(stack.stores.adapter).toBe('memory');
    expect(stack.database.engine).toBe('pglite');
    expect(stack.databaseTarget).toBe(`pglite ${join(dataDir, 'pglite')}`);

    cases = await driveLedgerTraffic(stack.proxyUrl, upstream, 'embedded');
    const rows = await waitForLedgerRows(stack.database.sql, cases);
    await expectLedgerMatches(stack.database.sql, cases, rows);

    const today = new Date().toISOString().slice(0, 10);
    const res = await fetch(`${stack.adminUrl}/v1/reports/spend?from=${today}&to=${today}&groupBy=team,model`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
    const report = (await res.json()) as { rows: { teamId?: string; model?: string; requests: number; billedUsd: string }[] };
    for (const c of cases) {
      const mine = [...rows.values()].filter((r) => r.team_id === c.teamId && r.model === c.model);
      const row = report.rows.find((r) => r.teamId === c.teamId && r.model === c.model);
      expect(row?.requests, `${c.teamId} ${c.model}`).toBe(mine.length);
      const billed = mine.reduce((sum, r) => sum + Number(r.billed_usd ?? 0), 0);
      expect(Number(row!.billedUsd)).toBeCloseTo(billed, 9);
    }
  });

  it('stops gracefully and keeps the ledger across a restart (migrations already applied, no duplicate rows)', async () => {
    expect(cases.length).toBeGreaterThan(0);
    await stack!.close();
    stack = await start();
    const { rows } = await stack.database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM request_log WHERE request_id = ANY($1::text[])', [
      cases.map((c) => c.requestId),
    ]);
    expect(rows[0]!.n).toBe(cases.length);
    const { rows: migrations } = await stack.database.sql.query<{ n: number }>('SELECT count(*)::int AS n FROM _prisma_migrations');
    expect(migrations[0]!.n).toBeGreaterThan(0);
    // the restarted proxy records again
    upstream.script({ text: 'after restart' });
    const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-test', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-leeway-request-id')!;
    await res.arrayBuffer();
    const deadline = Date.now() + 30_000;
    let status: string | undefined;
    while (status === undefined && Date.now() < deadline) {
      const found = await stack.database.sql.query<{ status: string }>('SELECT status::text AS status FROM request_log WHERE request_id = $1', [id]);
      status = found.rows[0]?.status;
      if (status === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(status).toBe('complete');
  });

  it('with LEEWAY_GOVERNANCE=true, a key issued on the admin API attributes the ledger row to its team and key', async () => {
    await stack!.close();
    stack = await startEmbeddedStack({
      env: { ...env, LEEWAY_GOVERNANCE: 'true' },
      proxyPort: 0,
      adminPort: 0,
      logger: createProxyLogger('silent'),
    });
    const admin = async <T>(path: string, body: unknown): Promise<T> => {
      const res = await fetch(`${stack!.adminUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status, path).toBe(201);
      return (await res.json()) as T;
    };
    const team = await admin<{ id: string }>('/v1/teams', { name: 'Embedded Team' });
    const key = await admin<{ id: string; key: string }>(`/v1/teams/${team.id}/keys`, { name: 'ci' });
    upstream.script({ text: 'governed' });
    const res = await fetch(`${stack.proxyUrl}/v1/messages`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-api-key': 'sk-ant-test',
        'x-leeway-key': key.key,
        'anthropic-version': '2023-06-01',
      },
      body: JSON.stringify({ model: 'claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(res.status).toBe(200);
    const id = res.headers.get('x-leeway-request-id')!;
    await res.arrayBuffer();
    const deadline = Date.now() + 30_000;
    let row: { team_id: string; key_id: string | null; status: string } | undefined;
    while (row === undefined && Date.now() < deadline) {
      const found = await stack.database.sql.query<{ team_id: string; key_id: string | null; status: string }>(
        'SELECT team_id, key_id, status::text AS status FROM request_log WHERE request_id = $1',
        [id],
      );
      row = found.rows[0];
      if (row === undefined) await new Promise((r) => setTimeout(r, 50));
    }
    expect(row).toEqual({ team_id: team.id, key_id: key.id, status: 'complete' });
  });
});
