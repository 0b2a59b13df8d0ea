"""Settings shared by every environment; dev, test and production override a few of them."""

from __future__ import annotations

from pathlib import Path

from geoplanet.settings.env import database_from_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent

SECRET_KEY = env_str("SECRET_KEY", "insecure-development-key-not-for-production")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # accounts first: its registration/ templates replace the admin's look-alikes.
    "accounts",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.gis",
    "rest_framework",
    "rest_framework.authtoken",
    "rest_framework_gis",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI assets served locally: the docs work offline
    "axes",
    "rasters",
    "segmentation",
    "maps",
    "collab",
    # django-leaflet: map settings, the map template tag and admin widgets, its Leaflet served locally. Listed after
    # maps, whose templates/leaflet/ replaces its map and widget templates with CSP-safe ones (forms render with
    # the app directories only, so the override lives in an app listed first).
    "leaflet",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "geoplanet.middleware.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks, so it sees the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

# Scripts, styles, fonts and data come from this site only; tiles and charts draw to data:/blob: images.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; "
    "frame-ancestors 'none'"
)

ROOT_URLCONF = "geoplanet.urls"
WSGI_APPLICATION = "geoplanet.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "collab.context_processors.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": database_from_url(
        env_str("DATABASE_URL", "postgres://geoplanet:geoplanet@127.0.0.1:5432/geoplanet")
    )
}
# The map's feature pages and vector tiles run as statements prepared on the session (geoplanet/bound.py).
# Turn off behind a transaction-pooling proxy (PgBouncer in transaction mode), which cannot keep them.
PREPARED_STATEMENTS = env_bool("PREPARED_STATEMENTS", True)
if PREPARED_STATEMENTS:
    # Those statements run on their generic plan from the start, whatever zooms or boxes came first on the
    # connection: the plan cache mode governs prepared statements only, and Django's own are never prepared.
    DATABASES["default"]["OPTIONS"].setdefault("options", "-c plan_cache_mode=force_generic_plan")  # type: ignore[attr-defined]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first, so a locked-out client is refused before its password is checked.
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "maps:index"  # a newcomer lands on a populated map
LOGOUT_REDIRECT_URL = "home"

# Repeated failed logins lock the username+address pair out for a while.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15, minimum=1) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [
    BASE_DIR / "static",
    # Front-end libraries come from npm (package-lock.json) and are served from here: no CDN, works offline.
    # Leaflet is served at django-leaflet's own paths (leaflet/leaflet.js, leaflet/leaflet.css, leaflet/images/):
    # these directories are searched before the apps', so its tags, widgets and our pages all load this one copy
    # (1.9.4, the one the plugins below attach to) and django-leaflet's bundled 1.9.3 is never served.
    # collectstatic notes the shadowed files ("Found another file ... will be ignored").
    ("leaflet", BASE_DIR / "node_modules" / "leaflet" / "dist"),
    ("vendor/leaflet-draw", BASE_DIR / "node_modules" / "leaflet-draw" / "dist"),
    ("vendor/chart.js", BASE_DIR / "node_modules" / "chart.js" / "dist"),
    ("vendor/leaflet.vectorgrid", BASE_DIR / "node_modules" / "leaflet.vectorgrid" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Uploaded images live outside any public URL; every download goes through an access check.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "var" / "media")))
MEDIA_URL = "/media-not-served/"

# Maps through django-leaflet. Planetary maps are not Earth: no base layer tiles (each page adds the body's own
# images), lon/lat plate carree on the body's sphere (static/js/planetmap.js gives django-leaflet's maps that CRS,
# never Web Mercator, and lets them wrap at the antimeridian), and the CSP-safe templates in maps/templates/leaflet/
# (no inline script). No SRID: proj4 is never loaded.
LEAFLET_CONFIG = {
    "TILES": [],
    "DEFAULT_CENTER": (0.0, 0.0),
    "DEFAULT_ZOOM": 1,
    "MIN_ZOOM": 0,
    "MAX_ZOOM": 18,
    "SCALE": None,  # the body's own scale bar is added by planetmap.js (Leaflet's would be on Earth's radius)
    "RESET_VIEW": False,
    "ATTRIBUTION_PREFIX": '<a href="https://leafletjs.com">Leaflet</a>',
    "NO_GLOBALS": True,
}

API_MAX_PAGE_SIZE = env_int("GEOPLANET_API_MAX_PAGE_SIZE", 1000, minimum=1)  # the most rows one API page holds
MAX_UPLOAD_BYTES = env_int("GEOPLANET_MAX_UPLOAD_BYTES", 2 * 1024**3, minimum=1024)
MAX_RASTER_PIXELS = env_int("GEOPLANET_MAX_RASTER_PIXELS", 40_000 * 40_000, minimum=1)
MAX_RASTER_DIMENSION = env_int("GEOPLANET_MAX_RASTER_DIMENSION", 200_000, minimum=1)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024**2
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2
FILE_UPLOAD_PERMISSIONS = 0o600

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = "default"
CELERY_TASK_ROUTES = {"segmentation.*": {"queue": "inference"}}
# A running analysis whose heartbeat is older than this is taken to have lost its worker and is run again.
ANALYSIS_STALE_SECONDS = env_int("ANALYSIS_STALE_SECONDS", 300, minimum=1)
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another worker
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 3600, minimum=1)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 3900, minimum=1)
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 4200, minimum=1),
}
CELERY_TASK_ALWAYS_EAGER = False

CACHES = {
    "default": {
        "BACKEND": "geoplanet.cache.KeptClientRedisCache",
        "LOCATION": env_str("CACHE_URL", REDIS_URL),
        "KEY_PREFIX": "geoplanet",
        "TIMEOUT": 3600,
    }
}

# Sessions read from Redis first (tiles are many small requests), written through to the database.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "geoplanet.pagination.Pagination",
    "PAGE_SIZE": 100,
    "EXCEPTION_HANDLER": "geoplanet.errors.api_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "GeoPlanet API",
    "DESCRIPTION": "Planetary images, segmentation analyses and their features.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "geoplanet.openapi.add_error_responses",
    ],
    # Two "role" choice sets (the model's labelled one, the invite/role forms' plain list): name them.
    "ENUM_NAME_OVERRIDES": {
        "RoleEnum": "collab.models.Role",
        "RoleNameEnum": ["owner", "editor", "viewer"],
    },
}

EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "GeoPlanet <noreply@geoplanet.invalid>")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# GeoDjango loads Debian's system GDAL (3.6), which cannot block file/network access from spatial references.
# GeoDjango's GDAL never parses a user-supplied spatial reference here: uploads are opened by rasterio's own
# GDAL (3.10) through a driver allowlist in rasters.core.inspect, and stored CRSs are our registered IAU codes.
SILENCED_SYSTEM_CHECKS = ["gis.W001"]
