/**
 * Where the proxy reads the control plane's data (teams' keys, credentials, policies, budgets, prices
 * and settled spend). `DbGovernanceSource` reads the admin tables through `@leeway/db`'s repositories;
 * tests and the embedded stack may pass any implementation.
 */
import type { BudgetView, ModelPrice, PolicyRule } from '@leeway/contracts';
import {
  BudgetRepository,
  CredentialRepository,
  decryptCredential,
  KeyRepository,
  loadModelPrices,
  PolicyRepository,
  teamScope,
} from '@leeway/db';
import type { SqlQueryable } from '@leeway/db';

export interface VirtualKeyRecord {
  readonly id: string;
  readonly teamId: string;
  readonly expiresAt: Date | null;
}

export interface CredentialRecord {
  readonly id: string;
  /** The decrypted provider key (kept in process memory only). */
  readonly apiKey: string;
}

export interface GovernanceSource {
  /** The active (not revoked, not expired at `at`, team enabled) key with this SHA-256 hash. */
  findKey(hash: string, at: Date): Promise<VirtualKeyRecord | null>;
  findCredential(teamId: string, provider: string): Promise<CredentialRecord | null>;
  /** The team's own policies and the organisation-wide ones. */
  policies(teamId: string): Promise<readonly PolicyRule[]>;
  budgets(teamId: string): Promise<readonly BudgetView[]>;
  prices(): Promise<readonly ModelPrice[]>;
  /** Settled spend of the team (models matching the pattern) in [from, to), micro-USD, from the ledger. */
  spendMicros(teamId: string, modelPattern: string | null, from: Date | null, to: Date | null): Promise<number>;
}

/** Glob (`gpt-*`) to a case-insensitive LIKE pattern. */
function likePattern(glob: string): string {
  return glob.replace(/[\\%_]/g, (c) => `\\${c}`).replaceAll('*', '%');
}

export class DbGovernanceSource implements GovernanceSource {
  private readonly keys: KeyRepository;
  private readonly credentials: CredentialRepository;
  private readonly policyRepo: PolicyRepository;
  private readonly budgetRepo: BudgetRepository;

  constructor(
    private readonly sql: SqlQueryable,
    private readonly secretKey: string,
  ) {
    this.keys = new KeyRepository(sql);
    this.credentials = new CredentialRepository(sql);
    this.policyRepo = new PolicyRepository(sql);
    this.budgetRepo = new BudgetRepository(sql);
  }

  async findKey(hash: string, at: Date): Promise<VirtualKeyRecord | null> {
    const key = await this.keys.findActiveByHash(hash, at);
    return key ? { id: key.id, teamId: key.teamId, expiresAt: key.expiresAt } : null;
  }

  async findCredential(teamId: string, provider: string): Promise<CredentialRecord | null> {
    const found = await this.credentials.findActive(teamScope(teamId), provider);
    return found ? { id: found.id, apiKey: decryptCredential(this.secretKey, provider, found.encrypted) } : null;
  }

  async policies(teamId: string): Promise<readonly PolicyRule[]> {
    return this.policyRepo.listForTeam(teamScope(teamId));
  }

  async budgets(teamId: string): Promise<readonly BudgetView[]> {
    return this.budgetRepo.listForTeam(teamScope(teamId));
  }

  async prices(): Promise<readonly ModelPrice[]> {
    return loadModelPrices(this.sql);
  }

  async spendMicros(teamId: string, modelPattern: string | null, from: Date | null, to: Date | null): Promise<number> {
    const { rows } = await this.sql.query<{ micros: string | null }>(
      `SELECT CEIL(COALESCE(SUM(COALESCE(billed_usd, billed_known_usd)), 0) * 1000000)::text AS micros FROM "request_log"
        WHERE team_id = $1 AND ($2::text IS NULL OR model ILIKE $2)
          AND ($3::timestamptz IS NULL OR occurred_at >= $3) AND ($4::timestamptz IS NULL OR occurred_at < $4)`,
      [teamId, modelPattern === null ? null : likePattern(modelPattern), from?.toISOString() ?? null, to?.toISOString() ?? null],
    );
    return Number(rows[0]?.micros ?? 0);
  }
}
