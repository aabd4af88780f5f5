"""Settings for the test suite: SQLite (or DATABASE_URL for the integration suite), eager tasks unless a broker
is configured (the integration suite's Redis and real worker), fast password hashing."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-" + "x" * 20)

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; production uses PBKDF2
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if os.environ.get("TEST_MEDIA_ROOT"):  # a worker process of the integration suite reads the test's uploads
    STORAGES["default"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": os.environ["TEST_MEDIA_ROOT"]},
    }
# Serve static files straight from the finders (no collectstatic before tests; the browser tests need them).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
if INFRAREADY_EMBEDDED_BROKER:  # noqa: F405 (no CELERY_BROKER_URL): tasks run in process, no worker
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_BROKER_URL = "memory://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {}
    INFRAREADY_BROKER_CONFIGURED = False
if os.environ.get("TEST_BROKER_VISIBILITY_TIMEOUT"):
    # The integration suite's fault tests run workers on a Redis of their own with a short visibility timeout,
    # swept every second, to show a killed worker's task delivered again within seconds (production: 20 minutes).
    CELERY_BROKER_TRANSPORT_OPTIONS = {  # noqa: F405
        **CELERY_BROKER_TRANSPORT_OPTIONS,  # noqa: F405
        "visibility_timeout": int(os.environ["TEST_BROKER_VISIBILITY_TIMEOUT"]),
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }
REST_FRAMEWORK = {**REST_FRAMEWORK, "DEFAULT_THROTTLE_CLASSES": []}  # noqa: F405
INTEGRATIONS_ALLOW_PRIVATE_TARGETS = True  # the loopback stand-ins of Prometheus and Redfish
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
# The suite written before sign-off submits assessments straight away; the collaboration tests start theirs with
# `sign_off_required=True` (production's default, INFRAREADY_SIGN_OFF_DEFAULT).
INFRAREADY_SIGN_OFF_DEFAULT = False
