/** Test support: the admin app on a database (in-memory PGlite by default), driven with `inject()`. */
import { openDatabase, type Database } from '@leeway/db';
import { loadAdminConfig } from '../config/admin.config';
import { MemoryChangePublisher } from '../changes/change-publisher';
import { startAdmin, type AdminHandle } from '../start-admin';
import type { AdminChange } from '@leeway/contracts';

export const BOOTSTRAP_TOKEN = 'bootstrap-token-for-tests-0123456789';
export const TEST_SECRET_KEY = 'test-secret-key-0123456789abcdef';

export interface AdminHarness {
  readonly handle: AdminHandle;
  readonly database: Database;
  readonly changes: AdminChange[];
  request(
    method: string,
    url: string,
    options?: { token?: string | null; body?: unknown; rawBody?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; text: string; headers: Record<string, unknown> }>;
  /** As the bootstrap admin; throws unless the status is 2xx. */
  admin(method: string, url: string, body?: unknown): Promise<any>;
  close(): Promise<void>;
}

export async function createAdminHarness(options: { databaseUrl?: string; now?: () => Date } = {}): Promise<AdminHarness> {
  const database = await openDatabase({ databaseUrl: options.databaseUrl ?? null });
  const config = loadAdminConfig({
    LEEWAY_ADMIN_TOKEN: BOOTSTRAP_TOKEN,
    LEEWAY_SECRET_KEY: TEST_SECRET_KEY,
    LEEWAY_LOG_LEVEL: 'silent',
    LEEWAY_ADMIN_PORT: '0',
  });
  const publisher = new MemoryChangePublisher();
  const changes: AdminChange[] = [];
  publisher.subscribe((c) => changes.push(c));
  const handle = await startAdmin(config, { database, publisher, listen: false, ...(options.now ? { now: options.now } : {}) });
  const request: AdminHarness['request'] = async (method, url, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    const token = opts.token === undefined ? BOOTSTRAP_TOKEN : opts.token;
    if (token !== null) headers['authorization'] = `Bearer ${token}`;
    let payload: string | undefined;
    if (opts.rawBody !== undefined) payload = opts.rawBody;
    else if (opts.body !== undefined) payload = JSON.stringify(opts.body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await handle.app.inject({ method: method as 'GET', url, headers, ...(payload !== undefined ? { payload } : {}) });
    let body: unknown = null;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = null;
    }
    return { status: res.statusCode, body, text: res.body, headers: res.headers };
  };
  return {
    handle,
    database,
    changes,
    request,
    admin: async (method, url, body) => {
      const res = await request(method, url, body === undefined ? {} : { body });
      if (res.status >= 300) throw new Error(`${method} ${url} → ${res.status} ${res.text}`);
      return res.body;
    },
    close: async () => {
      await handle.close();
      await database.close();
    },
  };
}
