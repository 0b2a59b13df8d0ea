#!/usr/bin/env bash
# Prepare everything `make run` and `make test` need, installing only what is missing, so a second run is fast.
# Works as root on a fresh Debian machine; DATABASE_URL / REDIS_URL point at existing servers when set.
set -euo pipefail
cd "$(dirname "$0")/.."

log() { printf '\033[1;34m[prepare]\033[0m %s\n' "$*"; }
SUDO=""
if [ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null; then SUDO="sudo"; fi

# --- Debian packages --------------------------------------------------------------------------------
missing=()
command -v gdalinfo >/dev/null || missing+=(gdal-bin)
command -v redis-server >/dev/null || [ -n "${REDIS_URL:-}" ] || missing+=(redis-server)
command -v chromium >/dev/null || missing+=(chromium)
command -v pdftoppm >/dev/null || missing+=(poppler-utils)
command -v npm >/dev/null || missing+=(nodejs npm)
command -v psql >/dev/null || missing+=(postgresql-client)
if [ -z "${DATABASE_URL:-}" ]; then
  if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then missing+=(postgresql); fi
fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}" fonts-dejavu-core
fi
if [ -z "${DATABASE_URL:-}" ]; then
  PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if [ ! -e "/usr/share/postgresql/$PGVER/extension/postgis.control" ]; then
    log "installing PostGIS for PostgreSQL $PGVER"
    $SUDO apt-get update -q
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "postgresql-$PGVER-postgis-3"
  fi
fi

# --- Python environment (uv, from the committed lock) -------------------------------------------------
export PATH="$HOME/.local/bin:$PATH"
if ! command -v uv >/dev/null; then
  log "installing uv"
  python3 -m pip install --quiet uv 2>/dev/null || python3 -m pip install --quiet --break-system-packages uv \
    || python3 -m pip install --quiet --user uv
fi
if [ ! -x .venv/bin/python ] || [ uv.lock -nt .venv/.synced ] || [ pyproject.toml -nt .venv/.synced ]; then
  log "syncing the Python environment from uv.lock"
  uv sync --frozen --python python3.11
  touch .venv/.synced
fi

# --- Front-end libraries (npm, served locally) --------------------------------------------------------
if [ ! -d node_modules/leaflet ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  log "installing front-end libraries from npm"
  npm ci --no-audit --no-fund --loglevel=error
fi

# --- PostgreSQL + PostGIS -----------------------------------------------------------------------------
if [ -z "${DATABASE_URL:-}" ]; then
  PGVER=$(ls /usr/lib/postgresql | sort -V | tail -1)
  if ! pg_isready -q -h 127.0.0.1 -p 5432; then
    if ! pg_lsclusters -h 2>/dev/null | grep -q "^$PGVER main"; then
      log "creating PostgreSQL $PGVER cluster"
      $SUDO pg_createcluster "$PGVER" main
    fi
    log "starting PostgreSQL $PGVER"
    $SUDO pg_ctlcluster --skip-systemctl-redirect "$PGVER" main start || $SUDO pg_ctlcluster "$PGVER" main start
    for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
  fi
  as_postgres() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else $SUDO -u postgres "$@"; fi; }
  # Local development role: superuser so the test runner can create test databases with the postgis extension.
  as_postgres psql -q -v ON_ERROR_STOP=1 -d postgres <<'SQL'
DO $$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'geoplanet') THEN
    CREATE ROLE geoplanet LOGIN SUPERUSER PASSWORD 'geoplanet';
  END IF;
END $$;
SQL
  if ! as_postgres psql -tAq -d postgres -c "SELECT 1 FROM pg_database WHERE datname='geoplanet'" | grep -q 1; then
    log "creating database geoplanet"
    as_postgres createdb -O geoplanet geoplanet
  fi
  as_postgres psql -q -d geoplanet -c "CREATE EXTENSION IF NOT EXISTS postgis"
  export DATABASE_URL="postgres://geoplanet:geoplanet@127.0.0.1:5432/geoplanet"
fi

# --- Redis --------------------------------------------------------------------------------------------
REDIS_URL="${REDIS_URL:-redis://127.0.0.1:6379/0}"
if ! redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1; then
  log "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/geoplanet-redis.log
  for _ in $(seq 1 20); do redis-cli -u "$REDIS_URL" ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
log "ready: PostGIS and Redis are up, the environment is in sync"
