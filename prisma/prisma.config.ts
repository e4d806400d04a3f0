// Prisma CLI configuration (Prisma 7). `prisma generate` needs no database; `prisma migrate deploy`
// (optional — the project's own runner `npm run db:migrate` is the supported path) reads DATABASE_URL.
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: './schema.prisma',
  migrations: { path: './migrations' },
  datasource: { url: process.env['DATABASE_URL'] ?? 'postgresql://localhost/leeway' },
});
