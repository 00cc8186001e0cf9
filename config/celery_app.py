"""The Celery application.

With no CELERY_BROKER_URL the broker is kombu's SQLAlchemy transport on a SQLite file (no server needed);
CI and production set CELERY_BROKER_URL to Redis. Tasks subclass celery's DjangoTask, so
`task.delay_on_commit(...)` enqueues only after the surrounding transaction commits.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")

app = Celery("young_scrutineers", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
