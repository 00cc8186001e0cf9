"""Settings shared by every environment. All environment variables are read here, once.

local.py and test.py may add development defaults; production.py only tightens security.
See docs/configuration.md for every variable.
"""

from datetime import timedelta
from pathlib import Path
from typing import Any

import django_stubs_ext
import environ
from celery.schedules import crontab

# Lets runtime code write ModelAdmin[Model], QuerySet[Model] and the like, as the type checker does.
django_stubs_ext.monkeypatch()

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------------------------------------
DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# Keys for fields encrypted at rest (comma-separated Fernet keys, newest first). See core/crypto.py.
FIELD_ENCRYPTION_KEYS = env.list("FIELD_ENCRYPTION_KEYS", default=[])
# Only local development and tests may create the demo data (known passwords and a known TOTP secret).
DEMO_DATA_ALLOWED = False
# Set by CI: a test that needs PostgreSQL, Redis or a worker fails instead of skipping when they are missing.
REQUIRE_SERVICES = env.bool("REQUIRE_SERVICES", default=False)
# The throughput benchmark's floor view (/bench/floor/, bench/throughput.py): routed only when this is on. Off by
# default and never turned on in production.
BENCH_FLOOR_VIEW = env.bool("BENCH_FLOOR_VIEW", default=False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    # third party
    "rules.apps.AutodiscoverRulesConfig",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "knox",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "django_htmx",
    "csp",
    "django_ratelimit",
    "crispy_forms",
    "crispy_forms_gds",
    # ours
    "core",
    "participants",
    "safeguarding",
    "engagements",
    "payments",
    "library",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.uploads.RequestSizeLimitMiddleware",
    "core.ratelimit.CacheOutageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "core.tenancy.PartnershipMiddleware",
    "core.mfa.RequireStaffSecondFactorMiddleware",
    "core.mfa.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "frontend" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "frontend.context_processors.navigation",
            ],
            # `long_date` in every template without {% load %} (core/dates.py).
            "builtins": ["frontend.templatetags.dates"],
        },
    },
]

# --- Data ---------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=0)
# With persistent connections, check a kept connection before a request (or task) uses it, so that after PostgreSQL
# restarts the first request reconnects instead of failing (docs/operations.md "Faults and recovery").
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# --- People and sign-in ------------------------------------------------------------------------------------
AUTH_USER_MODEL = "participants.User"
AUTHENTICATION_BACKENDS = [
    "rules.permissions.ObjectPermissionBackend",
    # allauth's backend (a ModelBackend) is the only way in: rate limits and the second factor always apply.
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=60 * 60 * 8)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

ACCOUNT_ADAPTER = "core.allauth.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 10 * 60
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 3
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Adding an email, changing the password and managing the second factor ask for the password again.
ACCOUNT_REAUTHENTICATION_REQUIRED = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Young Scrutineers: "
ACCOUNT_RATE_LIMITS = {
    # After 5 failed sign-ins for one email in 15 minutes, that email is locked out for the rest of the window.
    "login_failed": "20/m/ip,5/15m/key",
    "login": "30/m/ip",
    "reset_password": "20/m/ip,3/5m/key",
    "request_login_code": "20/m/ip,3/5m/key",
}
MFA_ADAPTER = "core.allauth.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Young Scrutineers"
# Accept the code of the previous or next 30-second window too: people type slowly, clocks drift.
MFA_TOTP_TOLERANCE = 1
MFA_RECOVERY_CODE_COUNT = 10

# --- API ----------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "knox.auth.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("API_TOKEN_TTL_DAYS", default=90)),
    "AUTH_HEADER_PREFIX": "Token",
    "AUTO_REFRESH": False,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Young Scrutineers API",
    "DESCRIPTION": (
        "The same operations as the pages, with the same permission rules. Authenticate with a session or "
        "`Authorization: Token <token>` (python manage.py api_token EMAIL). A person in more than one "
        "partnership names the one they act in with the `X-Partnership` header (its slug)."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Every operation documents 400/401/403/404 with the {"message", "extra"} error shape (core.api).
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.document_error_responses"],
}

# --- Background jobs ----------------------------------------------------------------------------------------
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=f"sqla+sqlite:///{BASE_DIR / 'celery-broker.sqlite3'}")
CELERY_TASK_DEFAULT_QUEUE = env.str("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# --- Background jobs: faults and recovery (core/outbox.py; docs/operations.md "Faults and recovery") ---------------
# When the broker does not answer, publishing a task gives up quickly and the task is kept in the database's outbox
# (core.outbox), so a page that enqueues still answers: a refused connection fails in well under a second, a Redis
# that accepts but never answers after CELERY_BROKER_SOCKET_TIMEOUT seconds for each read (about 6 s in all with the
# defaults, measured by tests/faults/test_redis_down.py; Celery's own defaults would wait for ever).
CELERY_BROKER_CONNECTION_TIMEOUT = env.float("CELERY_BROKER_CONNECTION_TIMEOUT", default=2.0)
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": env.int("CELERY_TASK_PUBLISH_MAX_RETRIES", default=1),
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
REDIS_BROKER_TRANSPORT_OPTIONS = {
    # A message taken by a worker that dies before acknowledging it (acks_late above) is delivered again after this
    # many seconds. It must be longer than the longest task and than the longest countdown or ETA (the email tasks
    # retry with back-off of at most 10 minutes), or a message would be delivered twice meanwhile.
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "socket_connect_timeout": CELERY_BROKER_CONNECTION_TIMEOUT,
    "socket_timeout": env.float("CELERY_BROKER_SOCKET_TIMEOUT", default=2.0),
}
# For Redis only: the SQLAlchemy transport of development hands its options to create_engine, which refuses these.
_REDIS_SCHEMES = ("redis://", "rediss://", "redis+socket://", "sentinel://")
CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_BROKER_TRANSPORT_OPTIONS if CELERY_BROKER_URL.startswith(_REDIS_SCHEMES) else {}
CELERY_TIMEZONE = "Europe/London"
CELERY_BEAT_SCHEDULE = {
    # Tasks kept in the outbox while the broker was away (core/outbox.py); workers also drain it when they connect.
    "drain-outbox": {"task": "core.drain_outbox", "schedule": 60},
    "clear-expired-sessions": {"task": "core.tasks.clear_expired_sessions", "schedule": 60 * 60 * 6},
    "flush-expired-api-tokens": {"task": "core.tasks.flush_expired_api_tokens", "schedule": 60 * 60 * 24},
    # Uploads that no record names (their transaction rolled back after the file was saved): core/files.py.
    "sweep-unreferenced-files": {"task": "core.sweep_unreferenced_files", "schedule": crontab(minute=15, hour=3)},
    "consent-renewal": {"task": "safeguarding.tasks.consent_renewal", "schedule": 60 * 60 * 24},
    "staff-check-reminders": {"task": "safeguarding.tasks.staff_check_reminders", "schedule": 60 * 60 * 24},
    "training-reminders": {"task": "participants.tasks.training_reminders", "schedule": 60 * 60 * 24},
    "support-follow-up-reminders": {
        "task": "participants.tasks.support_follow_up_reminders",
        "schedule": 60 * 60 * 24,
    },
    # Retention (participants/services/retention.py, docs/data-rights.md): leavers reduced to what must be kept,
    # closed applications deleted (the applications job, called from it), concerns past the 25th birthday counted
    # for review. Once a day at 2am, Europe/London.
    "apply-retention": {"task": "participants.tasks.apply_retention", "schedule": crontab(minute=0, hour=2)},
    # The day before an engagement, every hour from 8am to 8pm: whoever was confirmed since the last run is
    # reminded too, and each person is reminded once for each start time (engagements/tasks.py).
    "resume-stalled-payment-batches": {"task": "payments.resume_stalled_batches", "schedule": 60 * 10},
    # A response spreadsheet still being saved 15 minutes after its commit was asked for lost its task: send it again.
    "resume-stalled-response-imports": {
        "task": "engagements.resume_stalled_response_imports",
        "schedule": 60 * 10,
    },
    "engagement-reminders": {
        "task": "engagements.send_engagement_reminders",
        "schedule": crontab(minute=5, hour="8-20"),
    },
    # Stripe events not applied yet: payout events waiting for their transfer, and any whose task was lost.
    "payments-apply-waiting-stripe-events": {"task": "payments.apply_waiting_stripe_events", "schedule": 60 * 5},
    # Reconciliation of payouts with the transfers Stripe lists, every night (payments/services/reconciliation.py).
    "payments-reconcile-stripe": {"task": "payments.reconcile_stripe", "schedule": crontab(minute=30, hour=3)},
    # The feedback loop (engagements/services/notifications.py), Europe/London times: the daily digest of news about
    # young people's recommendations at 5pm, responses newly past their due date listed to the scrutiny lead at 7am,
    # and the weekly email to scrutiny leads of every overdue response on Monday at 8am.
    "feedback-digests": {"task": "engagements.send_feedback_digests", "schedule": crontab(minute=0, hour=17)},
    "escalate-overdue-responses": {
        "task": "engagements.escalate_overdue_responses",
        "schedule": crontab(minute=0, hour=7),
    },
    "weekly-overdue-summary": {
        "task": "engagements.send_weekly_overdue_summary",
        "schedule": crontab(minute=0, hour=8, day_of_week="monday"),
    },
}

# --- Email --------------------------------------------------------------------------------------------------
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(BASE_DIR / "sent-emails"))
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Young Scrutineers <no-reply@young-scrutineers.local>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Stripe (payments/) ------------------------------------------------------------------------------------------
# Called only through the official SDK (payments/stripe_client.py). Development and the tests point it at the local
# Stripe test server (payments/stripe_server/, started by `make run` and by the tests) on 127.0.0.1; production
# refuses anything but Stripe itself. The webhook endpoint lives at /payments/stripe/webhook/<path token>/.
STRIPE_SECRET_KEY = env.str("STRIPE_SECRET_KEY", default="")
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="https://api.stripe.com")
STRIPE_WEBHOOK_SECRET = env.str("STRIPE_WEBHOOK_SECRET", default="")
STRIPE_WEBHOOK_PATH_TOKEN = env.str("STRIPE_WEBHOOK_PATH_TOKEN", default="")
STRIPE_MAX_NETWORK_RETRIES = env.int("STRIPE_MAX_NETWORK_RETRIES", default=3)
STRIPE_CONNECT_COUNTRY = "GB"

# --- Static files and pages -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "frontend" / "static"]
# Uploaded files (paper consent forms) are private: stored outside the web root, never given a public address,
# and served only by views that check permissions.
PRIVATE_MEDIA_ROOT = env.str("PRIVATE_MEDIA_ROOT", default=str(BASE_DIR / "private-media"))
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
STORAGES: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": PRIVATE_MEDIA_ROOT, "base_url": "/no-public-address/"},
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
CRISPY_ALLOWED_TEMPLATE_PACKS = ["gds"]
CRISPY_TEMPLATE_PACK = "gds"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Security that holds everywhere ---------------------------------------------------------------------------
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
CSRF_COOKIE_HTTPONLY = False

# --- No personal data in logs and error reports (docs/security.md; core/logging.py) ------------------------------
# Error reports (technical 500, AdminEmailHandler) hide every POST value, cookie, traceback variable, query string
# and non-harmless header, and name the user by id, for every request whatever DEBUG says. The log filter hides
# Celery task arguments and the values PostgreSQL puts in a database error's DETAIL.
DEFAULT_EXCEPTION_REPORTER_FILTER = "core.logging.NoPersonalDataExceptionReporterFilter"
DEFAULT_EXCEPTION_REPORTER = "core.logging.NoPersonalDataExceptionReporter"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"no_personal_data": {"()": "core.logging.RedactPersonalData"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["no_personal_data"]}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Web security: Content-Security-Policy, rate limits, upload sizes (docs/security.md "Web security") -----------
# No inline script or style anywhere: every script and stylesheet is a file under /static/. Views that need more
# (the API docs page, chart images, a redirect to Stripe's hosted onboarding) widen or narrow it for their own
# response only, with django-csp's decorators (core/web_security.py).
CONTENT_SECURITY_POLICY: dict[str, Any] = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Pages send Referrer-Policy: same-origin (above); a page reached by a signed link (parent or carer consent, an
# application's resume, interview and offer links, the calendar feed) sends strict-origin instead, so its token
# never leaves in a Referer header (core.web_security.SIGNED_LINK_REFERRER_POLICY says why not no-referrer).
# Another window cannot script ours (COOP). The session cookie is HttpOnly and SameSite=Lax (above); production
# makes both cookies Secure with __Secure- names.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CSRF_COOKIE_SAMESITE = "Lax"
# Django's page for a refused CSRF check has an inline style: ours says what happened in plain words.
CSRF_FAILURE_VIEW = "core.web_security.csrf_failure"

# How many proxies (nginx, a load balancer) sit in front of the app and append to X-Forwarded-For. Rate limits
# count per client address: 0 takes REMOTE_ADDR; behind one nginx set 1. Shared with allauth's own limits.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
ALLAUTH_TRUSTED_PROXY_COUNT = TRUSTED_PROXY_COUNT
# Rate limits ("count/period", period in s, m, h or d, optionally with a number: 10m). Counted in the default
# cache, which production requires to be shared (CACHE_URL). Sign-in and sign-in codes: ACCOUNT_RATE_LIMITS above.
# Public forms (the application form, consent answers and other signed-out POSTs), per client address:
RATELIMIT_PUBLIC_FORM = env.str("RATELIMIT_PUBLIC_FORM", default="200/10m")
# Every request to a signed link (consent, application, calendar feed), per client address:
RATELIMIT_SIGNED_LINK = env.str("RATELIMIT_SIGNED_LINK", default="300/10m")
# Signed links that were refused (a wrong, changed or expired token), per client address: stops token guessing.
RATELIMIT_SIGNED_LINK_FAILURES = env.str("RATELIMIT_SIGNED_LINK_FAILURES", default="20/10m")
# The API (DRF throttling, JSON 429 with Retry-After): per signed-in person and per address when signed out.
API_RATE_LIMIT_USER = env.str("API_RATE_LIMIT_USER", default="1200/minute")
API_RATE_LIMIT_ANON = env.str("API_RATE_LIMIT_ANON", default="60/minute")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = [
    "rest_framework.throttling.AnonRateThrottle",
    "rest_framework.throttling.UserRateThrottle",
]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": API_RATE_LIMIT_ANON, "user": API_RATE_LIMIT_USER}

# Uploads: the largest file any form or API takes (each kind may have a smaller limit of its own, named in its
# message). A request whose body is bigger than this plus UPLOAD_FORM_ALLOWANCE_BYTES is refused before it is
# read (413). Files over FILE_UPLOAD_MAX_MEMORY_SIZE are streamed to a temporary file rather than held in memory.
MAX_UPLOAD_BYTES = env.int("MAX_UPLOAD_BYTES", default=25 * 1024 * 1024)
UPLOAD_FORM_ALLOWANCE_BYTES = 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # Django's default, written down: 2.5 MB
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # the form fields of one request, files not counted
