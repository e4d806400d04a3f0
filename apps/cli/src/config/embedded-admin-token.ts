// The embedded stack's admin token. Without LEEWAY_ADMIN_TOKEN a new user would have an admin API nobody can
// call (user tokens are issued by an admin), so `leeway start` creates one under LEEWAY_DATA_DIR — readable by
// the owner only — and reuses it on later starts. An explicit LEEWAY_ADMIN_TOKEN always wins.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface EmbeddedAdminToken {
  readonly token: string;
  /** Where it is kept; null when it came from LEEWAY_ADMIN_TOKEN. */
  readonly path: string | null;
  readonly created: boolean;
}

const MIN_LENGTH = 16;

export function embeddedAdminToken(env: Readonly<Record<string, string | undefined>> = process.env): EmbeddedAdminToken {
  const given = env['LEEWAY_ADMIN_TOKEN'];
  if (given !== undefined && given !== '') return { token: given, path: null, created: false };
  const dir = env['LEEWAY_DATA_DIR'] || '.leeway';
  const path = join(dir, 'admin-token');
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length >= MIN_LENGTH) return { token: stored, path, created: false };
  }
  mkdirSync(dir, { recursive: true });
  const token = `lwa_${randomBytes(24).toString('base64url')}`;
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { token, path, created: true };
}

