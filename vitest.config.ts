import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const LIBS = ['compression', 'wire', 'state', 'testing', 'contracts', 'db', 'telemetry'];

// One runner for the whole monorepo. Unit tests (*.spec.ts) run everywhere; integration suites
// (*.int-spec.ts) run against DATABASE_URL / REDIS_URL and fail (not skip) in CI when those are missing.
export default defineConfig({
  resolve: {
    alias: Object.fromEntries(
      LIBS.map((lib) => [`@leeway/${lib}`, fileURLToPath(new URL(`./libs/${lib}/src/index.ts`, import.meta.url))]),
    ),
  },
  test: {
    include: [
      'apps/*/src/**/*.spec.ts',
      'apps/*/src/**/*.int-spec.ts',
      'apps/*/test/**/*.spec.ts',
      'libs/*/src/**/*.spec.ts',
      'libs/*/src/**/*.int-spec.ts',
      'libs/*/test/**/*.spec.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    env: { TZ: 'UTC' },
  },
});
