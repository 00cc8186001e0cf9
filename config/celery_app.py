"""The Celery application.

With no CELERY_BROKER_URL the broker is kombu's SQLAlchemy transport on a SQLite file (no server needed);
CI and production set CELERY_BROKER_URL to Redis. Services enqueue with
`transaction.on_commit(partial(task.delay, ...))`, so nothing is sent for a transaction that rolls back.

Every task is a core.outbox.OutboxTask: a message the broker does not take (Redis down) is kept in the database's
outbox and sent again when the broker is back, by each worker as it connects (below) and by the periodic task
core.drain_outbox. See core/outbox.py and docs/operations.md ("Faults and recovery").
"""

import logging
import os
from typing import Any

from celery import Celery
from celery.signals import worker_ready

# A worker started without DJANGO_SETTINGS_MODULE must never run with development settings; `make run` and
# `make worker` name config.settings.local themselves.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.production")

app = Celery("young_scrutineers", task_cls="core.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def drain_outbox_when_connected(**kwargs: Any) -> None:
    """A worker that has just connected to the broker sends what was kept while the broker was away."""
    from django.db import connections

    from core.outbox import drain

    try:
        drain()
    except Exception:  # never stop a worker from starting; the periodic drain tries again
        logging.getLogger(__name__).exception("Draining the outbox at worker start failed.")
    finally:
        connections.close_all()  # this is the main process: its pool's children open their own connections
