/**
 * Test support: the admin tables on a real database (in-memory PGlite by default, or `DATABASE_URL`
 * in a scratch schema), written through `@leeway/db`'s admin repositories exactly as the admin API
 * writes them, with every change announced on a bus in the admin's `AdminChange` shape.
 */
import type { AdminChange, BudgetCreate, BudgetView, PolicyCreate, PolicyUpdate, PolicyView } from '@leeway/contracts';
import {
  BudgetRepository,
  CredentialRepository,
  encryptCredential,
  KeyRepository,
  keyHint,
  openDatabase,
  PolicyRepository,
  runMigrations,
  seedModelPrices,
  TeamRepository,
  teamScope,
} from '@leeway/db';
import type { Database } from '@leeway/db';
import type { ChangeBus } from '../change-feed';

export const FIXTURE_SECRET_KEY = 'governance-test-secret-0123456789';

export class TestChangeBus implements ChangeBus {
  private readonly listeners = new Set<(change: AdminChange) => void>();
  readonly published: AdminChange[] = [];

  subscribe(listener: (change: AdminChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  publish(change: AdminChange): void {
    this.published.push(change);
    for (const l of this.listeners) l(change);
  }
}

export interface ControlPlane {
  readonly database: Database;
  readonly bus: TestChangeBus;
  team(name: string): Promise<string>;
  key(teamId: string, options?: { expiresAt?: string }): Promise<{ id: string; key: string }>;
  revokeKey(teamId: string, keyId: string): Promise<void>;
  credential(teamId: string, provider: 'anthropic' | 'openai', apiKey: string): Promise<void>;
  policy(input: PolicyCreate): Promise<PolicyView>;
  updatePolicy(id: string, patch: PolicyUpdate): Promise<PolicyView>;
  budget(input: BudgetCreate): Promise<BudgetView>;
  close(): Promise<void>;
}

const at = (): string => new Date().toISOString();

export async function openControlPlane(options: { databaseUrl?: string | null; publish?: (change: AdminChange) => Promise<void> | void } = {}): Promise<ControlPlane> {
  const database = await openDatabase({ databaseUrl: options.databaseUrl ?? null });
  await runMigrations(database.sql);
  await seedModelPrices(database.sql);
  const bus = new TestChangeBus();
  const publish = async (change: AdminChange): Promise<void> => {
    bus.publish(change);
    await options.publish?.(change);
  };
  const teams = new TeamRepository(database.sql);
  const keys = new KeyRepository(database.sql);
  const credentials = new CredentialRepository(database.sql);
  const policies = new PolicyRepository(database.sql);
  const budgets = new BudgetRepository(database.sql);
  return {
    database,
    bus,
    async team(name) {
      const t = await teams.create({ name });
      await publish({ kind: 'team', action: 'created', id: t.id, teamId: t.id, at: at() });
      return t.id;
    },
    async key(teamId, opts = {}) {
      const { view, key } = await keys.create(teamScope(teamId), { name: 'test key', expiresAt: opts.expiresAt, createdBy: null });
      await publish({ kind: 'key', action: 'created', id: view.id, teamId, at: at() });
      return { id: view.id, key };
    },
    async revokeKey(teamId, keyId) {
      const revoked = await keys.revoke(teamScope(teamId), keyId);
      if (!revoked) throw new Error('no such key');
      await publish({ kind: 'key', action: 'revoked', id: keyId, teamId, keyHash: revoked.hash, at: at() });
    },
    async credential(teamId, provider, apiKey) {
      const { after } = await credentials.put(teamScope(teamId), provider, {
        name: provider,
        encrypted: encryptCredential(FIXTURE_SECRET_KEY, provider, apiKey),
        keyHint: keyHint(apiKey),
      });
      await publish({ kind: 'credential', action: 'updated', id: after.id, teamId, at: at() });
    },
    async policy(input) {
      const p = await policies.create(input);
      await publish({ kind: 'policy', action: 'created', id: p.id, teamId: p.teamId, at: at() });
      return p;
    },
    async updatePolicy(id, patch) {
      const p = await policies.update(id, patch);
      if (!p) throw new Error('no such policy');
      await publish({ kind: 'policy', action: 'updated', id: p.id, teamId: p.teamId, at: at() });
      return p;
    },
    async budget(input) {
      const b = await budgets.create(input);
      await publish({ kind: 'budget', action: 'created', id: b.id, teamId: b.teamId, at: at() });
      return b;
    },
    close: () => database.close(),
  };
}
