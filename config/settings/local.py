"""Development on a laptop: `make run`. Embedded defaults: SQLite, the SQLite Celery broker, console email."""

from .base import *  # noqa: F403
from .base import env

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: F405
# A fixed development key so the demo's TOTP secrets survive restarts. Never used in production.
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["mBMkYp0o6hzDe-m9ZLG1tDvNjcxEMOGdVeGf1m1Hw9c="]  # noqa: F405
DEMO_DATA_ALLOWED = True
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The local Stripe test server (payments/stripe_server/) and fixed development secrets for it.
STRIPE_SECRET_KEY = STRIPE_SECRET_KEY or "sk_test_local_development_only"  # noqa: F405
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:12111")
STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_local_development_only"  # noqa: F405
STRIPE_WEBHOOK_PATH_TOKEN = STRIPE_WEBHOOK_PATH_TOKEN or "local-development-webhook"  # noqa: F405

# --- Web security (docs/security.md) -------------------------------------------------------------------------------
# django-ratelimit refuses a per-process cache (E003) and warns about any it does not list (W001). On a laptop the
# in-memory cache is enough: one runserver process counts every request. Production uses CACHE_URL (Redis) and
# silences nothing.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
