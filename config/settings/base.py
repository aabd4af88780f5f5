"""Settings shared by every environment, read from the environment (django-environ).

With no configuration InfraReady runs embedded: SQLite in the project folder, and Celery tasks sent through an
embedded broker (a SQLite file) to the worker `make demo` starts. ``DATABASE_URL`` and ``CELERY_BROKER_URL``
switch to PostgreSQL and Redis.
A ``.env`` file in the project folder, if present, is read first (``make demo`` writes one with a secret key).
"""

import shutil
from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONCE, NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if (BASE_DIR / ".env").is_file():
    environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY is required when DEBUG is off (set it, or DEBUG=true for development).")
    SECRET_KEY = "insecure-development-key-only-used-with-debug-on"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # naturaltime: "now", "3 minutes ago" (timesince said "0 minutes ago")
    "django.forms",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_results",
    "axes",
    "csp",
    "simple_history",
    "accounts",
    "inventory",
    "assessments",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Content-Security-Policy on every page (django-csp; the policy is CONTENT_SECURITY_POLICY below).
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # The signed-in user is the author of the history records saves make (django-simple-history).
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, so that it sees the outcome of authentication (django-axes' requirement).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"

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
                "accounts.context_processors.active_organization",
            ],
        },
    },
]

FORM_RENDERER = "config.forms.BootstrapFormRenderer"

WSGI_APPLICATION = "config.wsgi.application"

SQLITE_BUSY_TIMEOUT_SECONDS = env.int("SQLITE_BUSY_TIMEOUT", default=20)


def sqlite_options(engine: str) -> dict[str, object]:
    """OPTIONS that make SQLite hold concurrent web use (gunicorn's threads and processes and a Celery worker):

    - WAL journal: readers never wait for the writer and the writer never waits for readers (one writer at a
      time still); with `synchronous=NORMAL`, safe in WAL mode (a power cut may lose the last commits, never
      corrupt the file), and fewer fsyncs.
    - a busy timeout: a writer waits up to `SQLITE_BUSY_TIMEOUT` seconds for the lock instead of failing.
    - IMMEDIATE transactions: `atomic()` takes the write lock when it begins. In the default (DEFERRED) mode a
      transaction that has read and then writes while another writes fails at once with "database is locked",
      whatever the timeout, because SQLite cannot let it wait without risking a deadlock.

    Empty for any other engine: these are SQLite's own.
    """
    if engine != "django.db.backends.sqlite3":
        return {}
    return {
        "timeout": SQLITE_BUSY_TIMEOUT_SECONDS,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
    }


DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DATABASES["default"]["OPTIONS"] = {
    **sqlite_options(DATABASES["default"]["ENGINE"]),
    **DATABASES["default"].get("OPTIONS", {}),
}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # django-axes first: it refuses a locked-out username/IP before a password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# --- Content-Security-Policy (django-csp 4) ---------------------------------------------------------------
# Scripts: our own static files and elements carrying the request's nonce (`nonce="{{ request.csp_nonce }}"`);
# no inline script, no event-handler attribute (onclick=...), no eval. Styles: our files plus inline styles,
# because plotly.js needs them (it inserts a <style> element for its hover and modebar rules and sets `style`
# attributes on SVG text, plotly/plotly.js#2355, #7380, #7543; its CSP-strict stylesheet is not shipped since
# 3.x) and so do Swagger UI and Redoc; a style can change how a page looks, never run code. Images may be data:
# URIs (Bootstrap's icons); Redoc's search runs in a blob: worker. Nothing from another origin, no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "worker-src": [SELF, "blob:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Login rate limiting (django-axes): after 5 failures a username from one address is locked for 15 minutes.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_SENSITIVE_PARAMETERS = ["password", "password1", "password2", "old_password", "new_password1", "new_password2"]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "reports.staticfiles.PlotlyFinder",  # vendor/plotly/plotly.min.js from the installed plotly package, no copy
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "config.storage.StaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
MEDIA_URL = "media/"

# Change history (django-simple-history): read in the app, the API and the admin, never reverted from the admin (a
# revert would skip the services' rules).
SIMPLE_HISTORY_REVERT_DISABLED = True

EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="InfraReady <noreply@localhost>")
# Links in emails (assignments, due dates, mentions): the installation's address, e.g. https://infraready.example.
INFRAREADY_BASE_URL = env.str("INFRAREADY_BASE_URL", default="http://localhost:8000")
# Collaboration (docs/collaboration.md): new assessments need every area approved before submitting (each can
# opt out); owners of an area are reminded this many days before its due date.
INFRAREADY_SIGN_OFF_DEFAULT = env.bool("INFRAREADY_SIGN_OFF_DEFAULT", default=True)
INFRAREADY_DUE_SOON_DAYS = env.int("INFRAREADY_DUE_SOON_DAYS", default=2)

# --- InfraReady -------------------------------------------------------------------------------------------
# Open sign-up creates a user and their first organization; private deployments turn it off. Either way people
# join an existing organization only by invitation (accounts.services.invitation_accept).
INFRAREADY_OPEN_SIGNUP = env.bool("OPEN_SIGNUP", default=True)
INFRAREADY_INVITATION_DAYS = env.int("INVITATION_DAYS", default=14)

# --- REST API ---------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous API call then gets 401 with a WWW-Authenticate challenge.
        "accounts.authentication.OrganizationTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    # Deny by default: every endpoint needs an authenticated member of the active organization.
    "DEFAULT_PERMISSION_CLASSES": ["accounts.permissions.HasOrganizationRole"],
    "DEFAULT_PAGINATION_CLASS": "config.pagination.LimitOffsetPagination",
    # DRF's JSON written by orjson (config/renderers.py); the browsable API as DRF draws it.
    "DEFAULT_RENDERER_CLASSES": [
        "config.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON with its nesting limited and its numbers finite (config/parsers.py); forms and files as DRF reads them.
    "DEFAULT_PARSER_CLASSES": [
        "config.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_FILTER_BACKENDS": [
        "config.filtering.KnownParametersFilterBackend",
        "config.ordering.StrictOrderingFilter",
    ],
    # `?format=` naming no renderer: a 406 listing the formats (config/negotiation.py), not a 404.
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "config.negotiation.FormatNegotiation",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.UserRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"user": env.str("API_USER_RATE", default="5000/hour")},
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # One error shape for every 4xx/5xx: {"errors": [{code, message, field|index|row|column}], "error_count"}.
    "EXCEPTION_HANDLER": "config.api_errors.exception_handler",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "InfraReady API",
    "DESCRIPTION": "Inventory, assessments and reports of an organization's readiness for generative AI. "
    "Authenticate with `Authorization: Token <key>`; a token is bound to one user and one organization. "
    "Money is a decimal string in the currency its row names (`currency`, an ISO 4217 code); physical quantities "
    "are numbers whose unit is in the field's name (`_kw`, `_tb`, `_gbps`, `_pct`) or description. Lists take "
    "`limit`/`offset` (or `cursor`) and `ordering` (the fields listed; ties by id); a parameter or body field they "
    "do not know is a 400 naming it.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a `kind`; name each choice set after its model's choices class.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api_errors.add_error_responses",
    ],
    "ENUM_NAME_OVERRIDES": {
        "StorageKindEnum": "inventory.models.StorageKind",
        "FabricKindEnum": "inventory.models.FabricKind",
        "WorkloadKindEnum": "inventory.models.WorkloadKind",
        "PrecisionEnum": "inventory.models.Precision",
        "AssessmentStatusEnum": "assessments.models.AssessmentStatus",
        "RoadmapStatusEnum": "assessments.models.RoadmapStatus",
        "PullStatusEnum": "inventory.models.PullStatus",
        "JobKindEnum": "config.api_jobs.KIND_CHOICES",
        "JobStateEnum": "config.api_jobs.STATE_CHOICES",
        "WebhookEventEnum": "accounts.models.WebhookEvent",
    },
}

# --- Celery -----------------------------------------------------------------------------------------------
# Tasks always go through a broker to a worker, so a long job (scoring, a PDF report, a large import) never
# holds up a request: the request returns at once and the page follows the job's progress.
# - CELERY_BROKER_URL set (redis://...): Redis, with `celery -A config worker` and `celery -A config beat`.
# - unset: the embedded broker, a SQLite file in the project folder read by kombu's SQLAlchemy transport; it
#   needs no server, and `make demo` starts the worker (with beat) beside gunicorn. Chosen over kombu's
#   filesystem transport, whose consumer can read a message file while its producer is still writing it
#   (celery/kombu#1551): SQLite transactions make each message all-or-nothing.
# - CELERY_TASK_ALWAYS_EAGER=true runs tasks in process instead (no worker; the test suite does this).
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="")
INFRAREADY_EMBEDDED_BROKER = not CELERY_BROKER_URL
INFRAREADY_BROKER_FILE = env.path("CELERY_BROKER_FILE", default=BASE_DIR / "celery-broker.sqlite3")
if INFRAREADY_EMBEDDED_BROKER:
    CELERY_BROKER_URL = f"sqla+sqlite:///{INFRAREADY_BROKER_FILE}"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
# Readiness (/readyz) checks the broker whenever tasks go through one.
INFRAREADY_BROKER_CONFIGURED = not CELERY_TASK_ALWAYS_EAGER
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_STORE_EAGER_RESULT = True
CELERY_RESULT_BACKEND = "django-db"
CELERY_RESULT_EXTENDED = True
CELERY_RESULT_EXPIRES = timedelta(days=7)
# The queue tasks are sent to (and a worker started without -Q consumes); the integration suite sets its own.
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
# Reliability: a task is acknowledged when it has finished, not when it starts (acks_late), and a task whose
# worker process died (killed, out of memory) goes back to the queue instead of being lost
# (reject_on_worker_lost); tasks are idempotent and only a job's current message works on it (config.jobs), so a
# delivery twice is safe. A worker reserves one task at a time (prefetch 1), so a long report never holds short
# tasks hostage behind it.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 15 * 60  # the longest any task may run (reports set 150 s for themselves)
CELERY_TASK_SOFT_TIME_LIMIT = 14 * 60
# Redis redelivers a task that was not acknowledged within the visibility timeout: with acks_late it must be
# longer than the longest task may run (or the longest retry countdown, 10 minutes with retry_backoff), or a
# task still running would be delivered a second time; it is also how long a task of a dead worker waits (the
# deadline reaper below usually takes the job up sooner: config.jobs).
CELERY_BROKER_VISIBILITY_TIMEOUT = CELERY_TASK_TIME_LIMIT + 5 * 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A request that queues a job fails fast when the broker is down (503 within seconds, the job left as it was;
# config.jobs.enqueue): connect within 3 s, an answer within 5 s, one retry at most when publishing.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5, "interval_max": 0.5}
if CELERY_BROKER_URL.startswith("sqla+"):
    # The embedded broker's engine: wait up to 20 s for the SQLite write lock rather than fail.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"connect_args": {"timeout": 20}}
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "socket_connect_timeout": 3,
        "socket_timeout": 5,
        "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    }
# Jobs past their deadline (a dead worker, a lost message): the reaper (config.jobs, beat) queues each once more,
# then fails it with the reason and a retry. Deadline: queued or started + the task's time limit + this margin.
INFRAREADY_JOB_DEADLINE_MARGIN = env.int("INFRAREADY_JOB_DEADLINE_MARGIN", default=120)
INFRAREADY_JOB_REAPERS = [
    "assessments.services.assessment_scoring_reap",
    "reports.services.report_reap",
    "inventory.services.import_job_reap",
    "inventory.telemetry.pulls.prometheus_pull_reap",
    "inventory.services.netbox.netbox_sync_reap",
]
CELERY_BEAT_SCHEDULE = {
    "reap-jobs": {
        "task": "infraready.reap_jobs",
        "schedule": env.int("INFRAREADY_JOB_REAPER_INTERVAL_SECONDS", default=120),
    },
    "purge-expired-invitations": {"task": "accounts.tasks.purge_expired_invitations", "schedule": 24 * 3600},
    "remind-due-assignments": {"task": "assessments.tasks.remind_due_assignments", "schedule": 24 * 3600},
    # Measured telemetry (docs/telemetry.md): every organization's Prometheus, then its BMCs over Redfish.
    "telemetry-prometheus-pull": {
        "task": "inventory.tasks.telemetry_prometheus_pull_all",
        "schedule": env.int("TELEMETRY_PROMETHEUS_INTERVAL_SECONDS", default=3600),
    },
    # Webhook deliveries whose message was lost or never published; issue trackers' status read back.
    "webhooks-sweep": {"task": "accounts.webhook_deliveries_sweep", "schedule": 300},
    "issue-trackers-sync": {
        "task": "assessments.tasks.roadmap_trackers_sync",
        "schedule": env.int("ISSUE_TRACKERS_SYNC_INTERVAL_SECONDS", default=3600),
    },
    "telemetry-redfish-read": {
        "task": "inventory.tasks.telemetry_redfish_read_all",
        "schedule": env.int("TELEMETRY_REDFISH_INTERVAL_SECONDS", default=900),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # kaleido and choreographer (chart export for PDF reports) log every browser step at INFO.
    "loggers": {name: {"level": "WARNING"} for name in ("axes", "kaleido", "choreographer", "weasyprint")},
}

# --- Inventory import ---
# Bulk import of the inventory (docs/inventory-import.md). A larger file is refused before it is parsed.
INVENTORY_IMPORT_MAX_BYTES = env.int("INVENTORY_IMPORT_MAX_BYTES", default=25 * 1024 * 1024)
# Files with more (estimated) rows are validated and imported by Celery tasks, with a progress bar.
INVENTORY_IMPORT_ASYNC_ROWS = env.int("INVENTORY_IMPORT_ASYNC_ROWS", default=2000)
INVENTORY_IMPORT_CHUNK_SIZE = 1000  # rows per bulk_create / bulk_update and per natural-key lookup
INVENTORY_IMPORT_MAX_ERRORS = 500  # problems listed (all are counted)
INVENTORY_IMPORT_PREVIEW_ROWS = 10
INVENTORY_NVIDIA_SMI_MAX_BYTES = 1024 * 1024
# Discovery (manage.py discover, /api/v1/inventory/discover/, Inventory -> Discover): a tool's output, a cluster's
# `kubectl get nodes -o json` included, is refused above this size before it is read.
INVENTORY_DISCOVERY_MAX_BYTES = env.int("INVENTORY_DISCOVERY_MAX_BYTES", default=25 * 1024 * 1024)
# NetBox sync (manage.py import_netbox --url, Inventory -> NetBox): connect and read timeouts, seconds.
NETBOX_HTTP_TIMEOUT = (env.float("NETBOX_CONNECT_TIMEOUT", default=5.0), env.float("NETBOX_READ_TIMEOUT", default=60.0))

# --- Integrations and measured telemetry (docs/telemetry.md) ---
# Outbound requests to systems users name (Prometheus, BMCs) never reach link-local or metadata addresses; loopback
# and private ranges (RFC 1918, ULA, CGNAT) only with this on (self-hosted installations on their own network).
INTEGRATIONS_ALLOW_PRIVATE_TARGETS = env.bool("INTEGRATIONS_ALLOW_PRIVATE_TARGETS", default=False)
# Fernet keys (comma-separated, the first encrypts) for stored credentials; empty: derived from SECRET_KEY (HKDF).
FIELD_ENCRYPTION_KEY = env.str("FIELD_ENCRYPTION_KEY", default="")
# Webhooks (docs/webhooks.md): endpoints on loopback or private ranges (RFC 1918, ULA, CGNAT) only with this on;
# link-local and metadata addresses never. Checked when an endpoint is saved and again at every send.
WEBHOOKS_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOKS_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOKS_MAX_ATTEMPTS = env.int("WEBHOOKS_MAX_ATTEMPTS", default=6)
WEBHOOKS_BACKOFF_SECONDS = env.int("WEBHOOKS_BACKOFF_SECONDS", default=30)  # doubled after each failed attempt
WEBHOOKS_BACKOFF_MAX_SECONDS = 600  # below Redis' visibility timeout (a longer countdown is delivered twice)
WEBHOOKS_TIMEOUT = (
    env.float("WEBHOOKS_CONNECT_TIMEOUT", default=3.05),
    env.float("WEBHOOKS_READ_TIMEOUT", default=10.0),
)
# Issue trackers (GitHub, Jira): connect and read timeouts, seconds; addresses under INTEGRATIONS_ALLOW_PRIVATE_TARGETS.
ISSUE_TRACKERS_HTTP_TIMEOUT = (
    env.float("ISSUE_TRACKERS_CONNECT_TIMEOUT", default=3.05),
    env.float("ISSUE_TRACKERS_READ_TIMEOUT", default=20.0),
)
TELEMETRY_UPLOAD_MAX_BYTES = env.int("TELEMETRY_UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
TELEMETRY_HTTP_TIMEOUT = (
    env.float("TELEMETRY_CONNECT_TIMEOUT", default=3.05),
    env.float("TELEMETRY_READ_TIMEOUT", default=30.0),
)
TELEMETRY_BMC_DEADLINE_SECONDS = env.float("TELEMETRY_BMC_DEADLINE_SECONDS", default=20.0)

# --- Reports ---
# The dashboards and the capacity analysis are cached per organization and data version (accounts/cache.py).
# Without CACHE_URL each process keeps its own memory cache; the version in the key keeps every process correct
# either way.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
DASHBOARD_CACHE_SECONDS = env.int("DASHBOARD_CACHE_SECONDS", default=600)
# Debian's chromium exports the dashboards' charts for PDF reports (kaleido); "" turns chart export off and the
# reports show tables instead of charts.
CHART_EXPORT_BROWSER = env.str("CHART_EXPORT_BROWSER", default=shutil.which("chromium") or "/usr/bin/chromium")
