#!/usr/bin/env bash
# Migrate, seed the demo on an empty database, then serve the site and a Celery worker until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE="${DJANGO_SETTINGS_MODULE:-geoplanet.settings.dev}"
PY=.venv/bin/python
$PY manage.py migrate --noinput
$PY manage.py collectstatic --noinput -v 0
$PY manage.py seed_demo

pids=()
cleanup() { trap - INT TERM EXIT; kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup INT TERM EXIT
.venv/bin/celery -A geoplanet worker -Q default,inference -c 2 --loglevel=INFO &
pids+=($!)
echo "GeoPlanet is serving on http://127.0.0.1:8000 (Ctrl-C stops the site and the worker)"
.venv/bin/gunicorn geoplanet.wsgi --bind 127.0.0.1:8000 --workers 2 --timeout 120 \
  --env DJANGO_SETTINGS_MODULE="$DJANGO_SETTINGS_MODULE" &
pids+=($!)
wait -n "${pids[@]}"
