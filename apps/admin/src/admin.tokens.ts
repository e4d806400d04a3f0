import type { Database } from '@leeway/db';
import type { Logger } from 'pino';
import type { ChangePublisher } from './changes/change-publisher';
import type { AdminConfig } from './config/admin.config';

/** Everything the admin module is composed from (built by `startAdmin`). */
export interface AdminContext {
  readonly config: AdminConfig;
  readonly database: Database;
  readonly publisher: ChangePublisher;
  readonly logger: Logger;
  /** Injected clock (tests pin it). */
  readonly now: () => Date;
}

export const ADMIN_CONTEXT = Symbol('leeway.admin.context');
