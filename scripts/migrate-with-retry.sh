#!/bin/sh
# The migration job (Helm pre-install/pre-upgrade hook, compose `migrate` service): apply migrations,
# retrying with exponential backoff while PostgreSQL is unreachable; exits non-zero if every attempt
# failed (the error of each attempt is printed, never swallowed).
#   MIGRATE_ATTEMPTS (default 8), MIGRATE_BACKOFF_SECONDS (first delay, default 2, doubled, capped at 60)
set -u
attempts="${MIGRATE_ATTEMPTS:-8}"
delay="${MIGRATE_BACKOFF_SECONDS:-2}"
i=1
while :; do
  echo "migrate: attempt ${i}/${attempts}"
  if node --import tsx libs/db/src/config/migrate-cli.ts; then
    echo "migrate: done"
    exit 0
  fi
  if [ "$i" -ge "$attempts" ]; then
    echo "migrate: failed after ${attempts} attempts" >&2
    exit 1
  fi
  echo "migrate: attempt ${i} failed; retrying in ${delay}s" >&2
  sleep "$delay"
  i=$((i + 1))
  delay=$((delay * 2))
  [ "$delay" -gt 60 ] && delay=60
done
