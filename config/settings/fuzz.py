"""Settings of `make test-api-fuzz` (scripts/api-fuzz.sh): the demo data on a scratch SQLite file, served to
schemathesis. Tasks run in process (no worker to start), no throttling (thousands of requests in a minute), files
in a scratch folder; otherwise the production code paths, DEBUG off (a 500 is a plain 500, as users would see)."""

import os

os.environ.setdefault("SECRET_KEY", "api-fuzz-only-" + "x" * 40)

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = "memory://"
CELERY_BROKER_TRANSPORT_OPTIONS = {}
INFRAREADY_BROKER_CONFIGURED = False
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
AXES_ENABLED = False
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
WHITENOISE_USE_FINDERS = True
if os.environ.get("FUZZ_MEDIA_ROOT"):
    STORAGES = {
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": os.environ["FUZZ_MEDIA_ROOT"]},
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
# Server errors are printed with their traceback: the run's log says where each 500 came from.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False}},
    "root": {"level": "WARNING", "handlers": ["console"]},
}
