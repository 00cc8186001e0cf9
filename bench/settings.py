"""Settings for the throughput benchmark's gunicorn (bench/throughput.py): production's behaviour over plain http on
127.0.0.1. Debug off, the session database, persistent database connections as docs/configuration.md advises for
production, and fixed keys for a throwaway database. What production adds and this leaves out is only what needs
TLS or outside services: the https redirect, HSTS, secure cookie names, Stripe itself, the Redis cache and broker
(no page the benchmark opens uses them).

Static files come from the source folders through WhiteNoise's finders instead of a collectstatic manifest: the
benchmark never requests them, and a page only pays for their addresses.
"""

from config.settings.base import *  # noqa: F403
from config.settings.base import API_RATE_LIMIT_ANON, DATABASES, FIELD_ENCRYPTION_KEYS, SECRET_KEY, STORAGES

DEBUG = False
SECRET_KEY = SECRET_KEY or "bench-only-not-secret-0123456789abcdefghijklmnopqrstuvwxyz"
FIELD_ENCRYPTION_KEYS = FIELD_ENCRYPTION_KEYS or ["mBMkYp0o6hzDe-m9ZLG1tDvNjcxEMOGdVeGf1m1Hw9c="]
DATABASES["default"]["CONN_MAX_AGE"] = 60
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"
WHITENOISE_USE_FINDERS = True
# Nothing is collected: WhiteNoise serves the source folders (and does not warn about a missing STATIC_ROOT).
STATIC_ROOT = None  # type: ignore[assignment]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    # Warnings only: a non-200 answer is counted by the benchmark, and its log line says which.
    "root": {"handlers": ["console"], "level": "WARNING"},
}
# The API's throttle still runs on every request (its cache read and write are part of what a request costs), but at
# a rate no benchmark reaches: one person opens every API list hundreds of times a minute here, and production's 1,200
# a minute (API_RATE_LIMIT_USER) would answer 429 once the machine is fast enough, measuring the throttle instead.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {"anon": API_RATE_LIMIT_ANON, "user": "1000000/minute"}  # noqa: F405
