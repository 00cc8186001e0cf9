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
