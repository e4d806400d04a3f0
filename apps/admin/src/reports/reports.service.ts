import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository, PriceRepository, ReportRepository } from '@leeway/db';
import type { AuditEntryView, AuditQuery, PriceCreate, PriceView, SpendQuery, SpendRow } from '@leeway/contracts';
import type { Access } from '../auth/principal';
import { AdminStore } from '../http/admin-store';

const CSV_METRICS: readonly (keyof SpendRow)[] = [
  'requests',
  'errorRequests',
  'unpricedRequests',
  'estimatedRequests',
  'inputTokens',
  'cacheReadTokens',
  'cacheWrite5mTokens',
  'cacheWrite1hTokens',
  'outputTokens',
  'reasoningTokens',
  'tokensBefore',
  'tokensAfter',
  'billedUsd',
  'counterfactualUsd',
  'savingsCompressionUsd',
  'savingsCacheReadUsd',
  'cacheWritePremiumUsd',
  'savingsTotalUsd',
];
const GROUP_FIELD = { team: 'teamId', model: 'model', provider: 'provider', day: 'day' } as const;

/** RFC 4180 field; a leading formula character is neutralised (CSV injection in spreadsheets). */
export function csvField(value: unknown): string {
  let text = '';
  if (value instanceof Date) text = value.toISOString();
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = `${value}`;
  else if (value !== undefined && value !== null) text = JSON.stringify(value);
  if (/^[=+\-@\t\r]/.test(text) && !/^-?\d/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

@Injectable()
export class ReportsService {
  constructor(@Inject(AdminStore) private readonly store: AdminStore) {}

  async spend(access: Access, query: SpendQuery) {
    const rows = await new ReportRepository(this.store.sql).spend(access.visibility, query);
    return { from: query.from, to: query.to, groupBy: query.groupBy, rows };
  }

  async spendCsv(access: Access, query: SpendQuery): Promise<string> {
    const report = await this.spend(access, query);
    const columns = [...query.groupBy.map((g) => GROUP_FIELD[g]), ...CSV_METRICS];
    const lines = [columns.join(',')];
    for (const row of report.rows) lines.push(columns.map((c) => csvField((row as Record<string, unknown>)[c])).join(','));
    return `${lines.join('\r\n')}\r\n`;
  }

  listPrices(provider: string | undefined): Promise<PriceView[]> {
    return new PriceRepository(this.store.sql).list({ provider });
  }

  createPrice(access: Access, input: PriceCreate): Promise<PriceView> {
    return this.store.change(access, async (tx, rec) => {
      const price = await new PriceRepository(tx).create(input, `admin api (${access.principal.actorId ?? access.principal.actorType})`);
      await rec.audit({ action: 'price.created', targetType: 'price', targetId: price.id, teamId: null, before: null, after: price });
      rec.notify({ kind: 'pricing', action: 'created', id: price.id, teamId: null });
      return price;
    });
  }

  audit(access: Access, query: AuditQuery): Promise<AuditEntryView[]> {
    return new AuditRepository(this.store.sql).list(access.visibility, query);
  }
}
