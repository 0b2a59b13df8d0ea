"""Test runs: the real PostGIS and Redis servers, fast password hashing, a separate Redis database.

Every test run is isolated from the others on the same machine (developers, CI, benchmarks): its own test
database, its own Redis key prefix for the Celery broker and the cache. A worker subprocess started by a test
gets the run's id through ``GEOPLANET_TEST_RUN`` and so joins that run only.
"""

import os
from pathlib import Path

from geoplanet.settings.base import *  # noqa: F403
from geoplanet.settings.base import BASE_DIR, DATABASES
from geoplanet.settings.base import CELERY_BROKER_TRANSPORT_OPTIONS as BASE_TRANSPORT_OPTIONS
from geoplanet.settings.env import env_str

TEST_RUN = env_str("GEOPLANET_TEST_RUN", str(os.getpid()))

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "test-media")))
REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_BROKER_TRANSPORT_OPTIONS = {
    **BASE_TRANSPORT_OPTIONS,
    "global_keyprefix": f"geoplanet-test-{TEST_RUN}:",
}
CACHES = {
    "default": {
        "BACKEND": "geoplanet.cache.KeptClientRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": f"geoplanet-test-{TEST_RUN}",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
DATABASES["default"]["TEST"] = {"NAME": env_str("TEST_DATABASE_NAME", f"test_geoplanet_{TEST_RUN}")}
# Live-server threads must not keep connections open past a test, or the test database cannot be dropped.
DATABASES["default"]["CONN_MAX_AGE"] = 0
