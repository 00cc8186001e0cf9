"""Production: only tightens security. Every secret comes from the environment; nothing has a default."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env

DEBUG = False
if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("Set DJANGO_SECRET_KEY.")
if not FIELD_ENCRYPTION_KEYS:  # noqa: F405
    raise ImproperlyConfigured("Set FIELD_ENCRYPTION_KEYS (one or more Fernet keys, newest first).")
# No silent fallback to the embedded development components: production runs on PostgreSQL, Redis and a shared
# cache (sign-in lockouts live in the cache, so a per-process cache would reset them).
for _name in ("DATABASE_URL", "CELERY_BROKER_URL", "CACHE_URL"):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(f"Set {_name}: production does not fall back to the development defaults.")
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":  # noqa: F405
    raise ImproperlyConfigured("Production runs on PostgreSQL (the audit log's database guard needs it).")

# Payments go to Stripe itself, never to the local test server, with secrets from the environment.
for _name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "STRIPE_WEBHOOK_PATH_TOKEN"):
    if not env.str(_name, default=""):
        raise ImproperlyConfigured(f"Set {_name}.")
if STRIPE_API_BASE.rstrip("/") != "https://api.stripe.com":  # noqa: F405
    raise ImproperlyConfigured("STRIPE_API_BASE must be https://api.stripe.com in production (not a test server).")
if len(STRIPE_WEBHOOK_PATH_TOKEN) < 24:  # noqa: F405
    raise ImproperlyConfigured("STRIPE_WEBHOOK_PATH_TOKEN must be long and random (at least 24 characters).")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_NAME = "__Secure-sessionid"
CSRF_COOKIE_NAME = "__Secure-csrftoken"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https"
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.smtp.EmailBackend")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=True)  # sign-in codes must not cross the network in clear

# The throughput benchmark's floor view is never routed in production, whatever the environment says.
BENCH_FLOOR_VIEW = False

# django-ratelimit lists only django-redis and memcached as "officially supported" (W001), but what it needs is an
# atomic add and increment on a shared cache: Django's own RedisCache does both (SET NX, INCRBY) and is the cache
# production requires (CACHE_URL). Only that warning is silenced; its errors (E003: a cache that is not shared or
# not atomic) still stop a deploy.
SILENCED_SYSTEM_CHECKS = ["django_ratelimit.W001"]
