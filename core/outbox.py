"""The outbox: a task that cannot be sent to the broker is kept in the database and sent when the broker is back.

Every task in the project is an `OutboxTask` (config/celery_app.py makes it the app's task class), so the call sites
stay as they are: `transaction.on_commit(partial(task.delay, ...))` or `task.delay(...)`. When publishing fails
because the broker (Redis) does not answer, `apply_async` writes an `OutboxMessage` row (task name, arguments,
options, the task id) instead of raising, and the page that enqueued it answers normally. Publishing gives up quickly
(CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_BROKER_SOCKET_TIMEOUT and CELERY_TASK_PUBLISH_MAX_RETRIES in
config/settings/base.py), so a page waits a second or two, not twenty.

`drain()` publishes the waiting rows again, oldest first, each row locked (`select_for_update(skip_locked=True)`) so
two drains at once never send the same row, and marks them sent. It runs:
- in every worker as soon as it is connected to the broker (the `worker_ready` signal, config/celery_app.py), and
- as the periodic task `core.drain_outbox` (every minute, CELERY_BEAT_SCHEDULE).
Rows sent more than KEEP_SENT ago are deleted by the drain.

A message may be published twice (the row is marked sent after publishing; a crash in between sends it again), and
the tasks are written to be safe to run twice. A task whose lost publication does not matter (the drain itself,
which beat would otherwise pile up in the outbox while Redis is down) is declared with `base=DirectTask` and raises
as before.

Not covered: a process that dies between its transaction's commit and the on_commit publish loses that message,
as it did before the outbox (the periodic jobs, e.g. payments.resume_stalled_batches, pick such work up).
"""

from __future__ import annotations

import datetime
import json
import logging
from typing import TYPE_CHECKING, Any

from celery import Task
from celery.utils import uuid
from kombu.exceptions import OperationalError
from kombu.utils import json as kombu_json

if TYPE_CHECKING:
    from celery.result import AsyncResult

    from core.models import OutboxMessage

logger = logging.getLogger(__name__)

# Errors that mean "the broker did not take the message": kombu wraps the transport's connection errors in
# OperationalError; OSError covers a socket error that escapes it.
PUBLISH_ERRORS: tuple[type[BaseException], ...] = (OperationalError, OSError)
# Options of apply_async that are kept with the message (the rest are either derived again or not used here).
KEPT_OPTIONS = ("queue", "routing_key", "exchange", "priority", "eta", "expires", "retries", "headers", "shadow")
BATCH = 100
KEEP_SENT = datetime.timedelta(days=7)
_BYPASS = "_outbox_bypass"


if TYPE_CHECKING:
    _Task = Task[Any, Any]
else:
    _Task = Task


class OutboxTask(_Task):
    """Celery's Task, except that a message the broker does not take is kept in the outbox instead of raising."""

    #: False for a task whose lost publication does not matter: apply_async then raises as Celery's does.
    outbox = True

    def apply_async(
        self,
        args: Any = None,
        kwargs: Any = None,
        task_id: str | None = None,
        producer: Any = None,
        link: Any = None,
        link_error: Any = None,
        shadow: str | None = None,
        **options: Any,
    ) -> AsyncResult:
        bypass = options.pop(_BYPASS, False)
        app = self.app
        # Eager tasks never reach a broker; callbacks (link) and explicit producers are not kept in the outbox.
        if bypass or not self.outbox or app.conf.task_always_eager or producer is not None or link or link_error:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)
        task_id = task_id or uuid()
        try:
            return super().apply_async(args, kwargs, task_id, producer, link, link_error, shadow, **options)
        except PUBLISH_ERRORS as exc:
            if shadow:
                options["shadow"] = shadow
            row = outbox_store(self.name, args, kwargs, task_id, options, exc)
            logger.warning(
                "The broker did not take task %s (%s); kept in the outbox as row %s.",
                self.name,
                type(exc).__name__,
                row.pk,
            )
            return self.AsyncResult(task_id)


class DirectTask(OutboxTask):
    """A task whose lost publication does not matter: apply_async raises as Celery's does, nothing is kept."""

    outbox = False


def _to_json(value: Any) -> Any:
    """kombu's JSON (what the broker would have carried: datetimes, UUIDs and Decimals keep their type), as a value
    a JSONField stores."""
    return json.loads(kombu_json.dumps(value))


def _from_json(value: Any) -> Any:
    return kombu_json.loads(json.dumps(value))


def _kept_options(options: dict[str, Any]) -> dict[str, Any]:
    kept = {key: options[key] for key in KEPT_OPTIONS if options.get(key) is not None}
    countdown = options.get("countdown")
    if countdown is not None and "eta" not in kept:
        kept["eta"] = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=float(countdown))
    if isinstance(kept.get("expires"), int | float):
        kept["expires"] = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=float(kept["expires"]))
    return kept


def outbox_store(
    name: str,
    args: Any,
    kwargs: Any,
    task_id: str,
    options: dict[str, Any],
    error: BaseException,
) -> OutboxMessage:
    """Keep one message the broker did not take. Inside a transaction the row is part of it (a rollback means the
    message should not be sent anyway); after a commit (on_commit) it is written on its own."""
    from core.models import OutboxMessage

    return OutboxMessage.objects.create(
        task_name=name,
        task_id=task_id,
        args=_to_json(list(args or ())),
        kwargs=_to_json(dict(kwargs or {})),
        options=_to_json(_kept_options(options)),
        last_error=f"{type(error).__name__}: {error}"[:500],
    )


def _publish(message: OutboxMessage) -> None:
    from config.celery_app import app

    options = _from_json(message.options)
    args = _from_json(message.args)
    kwargs = _from_json(message.kwargs)
    task = app.tasks.get(message.task_name)
    if task is not None:
        options[_BYPASS] = True
        task.apply_async(args, kwargs, task_id=message.task_id, **options)
    else:  # not registered in this process: send by name
        app.send_task(message.task_name, args, kwargs, task_id=message.task_id, **options)


def drain(*, limit: int = 10_000) -> int:
    """Publish waiting outbox rows, oldest first, until none is left, the broker fails again, or `limit` rows were
    sent. Returns how many were sent. Safe to run in several processes at once."""
    from django.db import transaction
    from django.utils import timezone

    from core.models import OutboxMessage

    sent = 0
    after = 0  # each pass goes on from the last row seen, so a row that cannot be sent is tried once per drain
    while sent < limit:
        with transaction.atomic():
            rows = list(
                OutboxMessage.objects.select_for_update(skip_locked=True)
                .filter(sent_at__isnull=True, pk__gt=after)
                .order_by("pk")[: min(BATCH, limit - sent)]
            )
            if not rows:
                break
            for row in rows:
                after = row.pk
                row.attempts += 1
                try:
                    _publish(row)
                except PUBLISH_ERRORS as exc:
                    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    row.save(update_fields=["attempts", "last_error"])
                    logger.warning("The broker is still not answering (%s); %s outbox rows sent.", exc, sent)
                    return sent
                except Exception as exc:  # this row cannot be sent (e.g. its arguments no longer fit): keep it, go on
                    row.last_error = f"{type(exc).__name__}: {exc}"[:500]
                    row.save(update_fields=["attempts", "last_error"])
                    logger.exception(
                        "Outbox row %s (%s) could not be sent; it stays in the outbox.", row.pk, row.task_name
                    )
                    continue
                row.sent_at = timezone.now()
                row.save(update_fields=["attempts", "sent_at"])
                sent += 1
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    if sent:
        logger.info("Sent %s task(s) from the outbox.", sent)
    return sent
