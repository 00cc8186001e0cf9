"""The Celery application.

With no CELERY_BROKER_URL the broker is kombu's SQLAlchemy transport on a SQLite file (no server needed);
CI and production set CELERY_BROKER_URL to Redis. Services enqueue with
`transaction.on_commit(partial(task.delay, ...))`, so nothing is sent for a transaction that rolls back.
"""

import os

from celery import Celery

# A worker started without DJANGO_SETTINGS_MODULE must never run with development settings; `make run` and
# `make worker` name config.settings.local themselves.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("young_scrutineers")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
