"""Test runs: the real PostGIS and Redis servers, fast password hashing, a separate Redis database."""

from pathlib import Path

from geoplanet.settings.base import *  # noqa: F403
from geoplanet.settings.base import BASE_DIR
from geoplanet.settings.env import env_str

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "test-media")))
REDIS_URL = env_str("TEST_REDIS_URL", "redis://127.0.0.1:6379/9")
CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": "geoplanet-test",
    }
}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# One test database per test process: several runs on one machine (developers, CI, benchmarks) never collide.
import os  # noqa: E402

DATABASES["default"]["TEST"] = {  # noqa: F405
    "NAME": env_str("TEST_DATABASE_NAME", f"test_geoplanet_{os.getpid()}"),
}
