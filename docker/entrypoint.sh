#!/usr/bin/env bash
# Wait for PostGIS, apply migrations (where GEOPLANET_MIGRATE=1, the web service), then run the command.
set -euo pipefail

: "${DATABASE_URL:?Set DATABASE_URL (see docker/.env.example)}"
wait_seconds="${DB_WAIT_SECONDS:-60}"

waited=0
until pg_isready -q -d "$DATABASE_URL"; do
  if [ "$waited" -ge "$wait_seconds" ]; then
    echo "entrypoint: the database did not answer within ${wait_seconds} s" >&2
    exit 1
  fi
  sleep 1
  waited=$((waited + 1))
done

if [ "${GEOPLANET_MIGRATE:-1}" = "1" ]; then
  python manage.py migrate --noinput
fi

exec "$@"
