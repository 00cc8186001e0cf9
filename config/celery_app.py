"""The Celery application.

With no CELERY_BROKER_URL the broker is kombu's SQLAlchemy transport on a SQLite file (no server needed);
CI and production set CELERY_BROKER_URL to Redis. Services enqueue with
`transaction.on_commit(partial(task.delay, ...))`, so nothing is sent for a transaction that rolls back.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("young_scrutineers")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
