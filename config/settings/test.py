"""Settings for the test suite (pytest). Fast hashing, in-memory email, eager Celery unless a test starts a worker."""

from .base import *  # noqa: F403
from .base import env

SECRET_KEY = SECRET_KEY or "test-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"  # noqa: F405
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["xZ7ZBsM8Ul8FfG5Wlu0g0zOY-U1bE5mXa1aRo0s7b2E="]  # noqa: F405
DEMO_DATA_ALLOWED = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.locmem.EmailBackend")
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=True)
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The local Stripe test server (payments/stripe_server/) and fixed development secrets for it.
STRIPE_SECRET_KEY = STRIPE_SECRET_KEY or "sk_test_local_development_only"  # noqa: F405
STRIPE_API_BASE = env.str("STRIPE_API_BASE", default="http://127.0.0.1:12111")
STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET or "whsec_local_development_only"  # noqa: F405
STRIPE_WEBHOOK_PATH_TOKEN = STRIPE_WEBHOOK_PATH_TOKEN or "local-development-webhook"  # noqa: F405

# --- Web security (docs/security.md) -------------------------------------------------------------------------------
# django-ratelimit refuses a per-process cache (E003) and warns about any it does not list (W001). The tests run in
# one process (the live server is a thread of it), so the in-memory cache counts every request; tests clear it
# between them (tests/conftest.py). Production uses CACHE_URL (Redis) and silences nothing.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.E003", "django_ratelimit.W001"]
# The API's throttle is generous here so that the fuzzing and load tests, which send thousands of requests as one
# person, measure the API rather than the throttle; tests/core/test_rate_limits.py sets the real rates.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {  # noqa: F405
    "anon": env.str("API_RATE_LIMIT_ANON", default="100000/minute"),
    "user": env.str("API_RATE_LIMIT_USER", default="100000/minute"),
}
