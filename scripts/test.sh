#!/usr/bin/env bash
# Run the whole suite against the real PostGIS and Redis servers prepared by scripts/prepare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export DJANGO_SETTINGS_MODULE=geoplanet.settings.test
.venv/bin/python manage.py collectstatic --noinput -v 0 --settings=geoplanet.settings.test
exec .venv/bin/pytest "$@"
