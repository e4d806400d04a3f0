import { Inject, Injectable } from '@nestjs/common';
import { AuditRepository, type SqlQueryable } from '@leeway/db';
import type { AdminChange } from '@leeway/contracts';
import { ADMIN_CONTEXT, type AdminContext } from '../admin.tokens';
import type { Access } from '../auth/principal';

export interface ChangeRecorder {
  /** Append an audit entry in the same transaction as the change. */
  audit(entry: { action: string; targetType: string; targetId: string | null; teamId: string | null; before: unknown; after: unknown }): Promise<void>;
  /** Queue a bus notification, published after the transaction commits. */
  notify(change: Omit<AdminChange, 'at'>): void;
}

/** Reads, and changes that are audited in their own transaction and published after commit. */
@Injectable()
export class AdminStore {
  constructor(@Inject(ADMIN_CONTEXT) private readonly ctx: AdminContext) {}

  get sql(): SqlQueryable {
    return this.ctx.database.sql;
  }

  now(): Date {
    return this.ctx.now();
  }

  get secretKey(): string {
    return this.ctx.config.secretKey;
  }

  async change<T>(access: Access, fn: (tx: SqlQueryable, recorder: ChangeRecorder) => Promise<T>): Promise<T> {
    const changes: Omit<AdminChange, 'at'>[] = [];
    const result = await this.ctx.database.sql.transaction(async (tx) => {
      const audit = new AuditRepository(tx);
      const recorder: ChangeRecorder = {
        audit: (entry) =>
          audit.record({
            ...entry,
            actorType: access.principal.actorType,
            actorId: access.principal.actorId,
            requestId: access.requestId,
          }),
        notify: (change) => {
          changes.push(change);
        },
      };
      return fn(tx, recorder);
    });
    const at = this.ctx.now().toISOString();
    for (const change of changes) {
      await this.ctx.publisher.publish({ ...change, at }).catch((error: unknown) => {
        // The change is committed; proxies also refresh periodically. Log and carry on.
        this.ctx.logger.warn({ err: error, kind: change.kind, id: change.id, requestId: access.requestId }, 'change notification failed');
      });
    }
    return result;
  }
}
