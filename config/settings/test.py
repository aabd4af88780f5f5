"""Settings for the test suite: SQLite (or DATABASE_URL for the integration suite), eager tasks unless a broker
is configured, fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses PBKDF2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Serve static files straight from the finders (no collectstatic before tests; the browser tests need them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
