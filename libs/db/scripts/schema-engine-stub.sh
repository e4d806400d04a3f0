#!/bin/sh
# Stand-in for Prisma's native schema engine, which cannot be downloaded offline. `prisma generate`
# only checks that the engine path exists; anything that really needs the engine (migrate dev/diff,
# db push) fails loudly here instead. Migrations are applied by libs/db's own runner (`npm run db:migrate`).
echo "leeway: the Prisma schema engine is not installed; use 'npm run db:migrate' (libs/db migration runner)" >&2
exit 1
