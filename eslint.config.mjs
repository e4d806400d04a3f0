// ESLint flat config: type-aware TypeScript rules, Prettier compatibility and the module boundaries
// of STYLE.md (pure libs, who may import Prisma / ioredis, who may read process.env).
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

const PURE_LIBS = ['libs/compression/src/**/*.ts', 'libs/wire/src/**/*.ts', 'libs/contracts/src/**/*.ts'];

const pureRestrictedImports = {
  patterns: [
    { group: ['@nestjs/*'], message: 'Pure libs must not depend on NestJS.' },
    { group: ['@prisma/*', 'prisma'], message: 'Only libs/db imports Prisma.' },
    { group: ['ioredis'], message: 'Only libs/state imports ioredis.' },
  ],
  paths: [
    { name: 'node:fs', message: 'Pure libs do no I/O.' },
    { name: 'fs', message: 'Pure libs do no I/O.' },
    { name: 'node:fs/promises', message: 'Pure libs do no I/O.' },
    { name: 'node:net', message: 'Pure libs do no I/O.' },
    { name: 'net', message: 'Pure libs do no I/O.' },
    { name: 'node:http', message: 'Pure libs do no I/O.' },
    { name: 'undici', message: 'Pure libs do no I/O.' },
  ],
};

/** Nx tags: apps depend on libs only; pure libs only on pure libs. */
function boundaries(allow) {
  return [
    'error',
    {
      enforceBuildableLibDependency: false,
      allow,
      depConstraints: [
        { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'type:lib', onlyDependOnLibsWithTags: ['type:lib'] },
        { sourceTag: 'scope:pure', onlyDependOnLibsWithTags: ['scope:pure'] },
      ],
    },
  ];
}

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/.nx/**', '**/fixtures/**', '**/golden/**', '.tools/**', '**/generated/**'],
  },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/require-await': 'off',
      'import/no-default-export': 'off',
      'no-restricted-exports': ['error', { restrictDefaultExports: { direct: true, named: true } }],
      '@nx/enforce-module-boundaries': boundaries([]),
    },
  },
  {
    // The CLI is the composition root of the embedded stack and of `leeway replay`: it may start the apps.
    files: ['apps/cli/src/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['@leeway/proxy', '@leeway/ingestion', '@leeway/admin']) },
  },
  {
    files: PURE_LIBS,
    rules: {
      'no-restricted-imports': ['error', pureRestrictedImports],
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only an app config/ reads process.env.' },
        { object: 'Date', property: 'now', message: 'Pure core: no clock; take time as a parameter.' },
        { object: 'Math', property: 'random', message: 'Pure core: deterministic, no randomness.' },
      ],
      'no-console': 'error',
    },
  },
  {
    // Tests of pure libs may drive them end to end against the fake upstream (real sockets, real SDKs).
    files: ['libs/*/src/**/*.spec.ts', 'libs/*/src/**/*.int-spec.ts', 'libs/*/src/**/*.test-support.ts'],
    rules: { '@nx/enforce-module-boundaries': boundaries(['@leeway/testing']) },
  },
  {
    files: ['**/*.ts'],
    ignores: ['**/config/**', '**/*.spec.ts', '**/*.int-spec.ts', 'bench/**', '**/testing/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'process', property: 'env', message: 'Only an app config/ reads process.env.' },
      ],
    },
  },
  {
    // Tests and their HTTP harnesses read JSON response bodies; asserting on them is their type check.
    files: ['**/*.spec.ts', '**/*.int-spec.ts', 'apps/*/src/testing/**/*.ts'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.mjs', '**/*.js', '**/*.cjs'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['*.config.*', 'eslint.config.mjs'],
    rules: { 'no-restricted-exports': 'off' },
  },
  prettier,
);
