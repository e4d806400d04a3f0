#!/usr/bin/env node
// `npm run db:generate`: generates the Prisma client into libs/db/src/generated/prisma (git-ignored).
// Works offline: Prisma 7's CLI insists on a schema-engine binary path even for `generate`, which does not
// use it, so point PRISMA_SCHEMA_ENGINE_BINARY at a stub unless the caller provides a real engine.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const require = createRequire(import.meta.url);
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js');

const env = { ...process.env, PRISMA_HIDE_UPDATE_MESSAGE: '1', CHECKPOINT_DISABLE: '1' };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= join(here, 'schema-engine-stub.sh');

const result = spawnSync(
  process.execPath,
  [prismaCli, 'generate', '--config', join(root, 'prisma', 'prisma.config.ts')],
  { cwd: root, env, stdio: 'inherit' },
);
process.exit(result.status ?? 1);
