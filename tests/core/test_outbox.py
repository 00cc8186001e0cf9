"""The outbox (core/outbox.py): a task the broker does not take is kept, not lost and not raised to the page; a drain
sends it later with the same id, arguments and options, once. Real brokers: a port nothing listens on (refused),
then kombu's in-memory transport. The fault tests with a real Redis and worker are in tests/faults/."""

from __future__ import annotations

import datetime
import decimal
import os
from collections.abc import Iterator
from typing import Any

import pytest
from celery.result import AsyncResult
from django.utils import timezone
from kombu.exceptions import OperationalError

from config.celery_app import app as celery_app
from core.models import OutboxMessage
from core.outbox import OutboxTask, drain
from core.tasks import clear_expired_sessions, drain_outbox, send_email_message

pytestmark = pytest.mark.django_db

REFUSED = "redis://127.0.0.1:1/0"  # nothing listens on port 1
QUEUE = "outbox-test"


def _point_at(broker: str) -> None:
    # Celery reads the CELERY_BROKER_URL environment variable before its own setting (CI sets it to the shared Redis).
    os.environ["CELERY_BROKER_URL"] = broker
    celery_app.conf.broker_url = broker
    celery_app._pool = None
    celery_app.amqp._producer_pool = None


@pytest.fixture
def broker(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    monkeypatch.setenv("CELERY_BROKER_URL", "")  # restored (or removed) when the test ends
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue, conf.broker_url)
    conf.task_always_eager = False
    conf.task_default_queue = QUEUE
    _point_at(REFUSED)
    try:
        yield _point_at
    finally:
        conf.task_always_eager, conf.task_default_queue, _ = saved
        _point_at(saved[2])


def _published() -> list[Any]:
    messages = []
    with celery_app.connection_for_write() as conn:
        queue = conn.SimpleQueue(QUEUE)
        while True:
            try:
                message = queue.get(block=False)
            except queue.Empty:
                break
            message.ack()
            messages.append(message)
        queue.close()
    return messages


def test_a_task_the_broker_refuses_is_kept_not_raised(broker):
    result = send_email_message.apply_async(
        kwargs={"subject": "Hello", "body": "Text", "to": ["a@example.org"]}, countdown=30, priority=3
    )
    assert isinstance(result, AsyncResult)
    row = OutboxMessage.objects.get()
    assert (row.task_name, row.task_id, row.sent_at) == ("core.tasks.send_email_message", result.id, None)
    assert row.kwargs == {"subject": "Hello", "body": "Text", "to": ["a@example.org"]}
    assert row.options["priority"] == 3
    assert "OperationalError" in row.last_error
    eta = datetime.datetime.fromisoformat(row.options["eta"]["__value__"])
    assert timezone.now() + datetime.timedelta(seconds=20) < eta < timezone.now() + datetime.timedelta(seconds=40)


def test_kept_arguments_are_encrypted_at_rest(broker):
    """An email task's arguments hold its recipients and body: the outbox keeps them only as ciphertext."""
    from django.db import connection

    send_email_message.delay(subject="About Amara", body="Her access needs", to=["amara@example.org"])
    table = OutboxMessage._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT args, kwargs FROM {table}")  # noqa: S608 - our own table name
        stored = " ".join(str(value) for row in cursor.fetchall() for value in row)
    assert stored.strip()
    for plain in ("About Amara", "access needs", "amara@example.org"):
        assert plain not in stored
    assert OutboxMessage.objects.get().kwargs["to"] == ["amara@example.org"]


def test_delay_on_commit_is_kept_too(broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        from functools import partial

        from django.db import transaction

        transaction.on_commit(partial(clear_expired_sessions.delay))
    assert list(OutboxMessage.objects.values_list("task_name", flat=True)) == ["core.tasks.clear_expired_sessions"]


def test_the_drain_sends_each_kept_task_once_with_its_id_and_argument_types(broker):
    when = timezone.now().replace(microsecond=0)
    kept = send_email_message.apply_async(
        kwargs={"subject": "Hello", "body": "Text", "to": ["a@example.org"]}, task_id="kept-1"
    )
    celery_app.tasks["core.tasks.send_email_message"].apply_async(
        args=(), kwargs={"subject": "S", "body": "B", "to": []}
    )
    typed = OutboxMessage.objects.create(
        task_name="core.tasks.send_email_message", task_id="kept-typed", args=[], kwargs={}
    )
    from core.outbox import _to_json

    typed.kwargs = _to_json({"subject": when, "body": decimal.Decimal("1.50"), "to": ["b@example.org"]})
    typed.save()

    assert drain() == 0  # the broker is still away: nothing sent, the failure noted
    assert OutboxMessage.objects.filter(sent_at__isnull=True).count() == 3
    assert OutboxMessage.objects.get(task_id=kept.id).attempts == 1

    broker("memory://")
    assert drain() == 3
    assert drain() == 0
    messages = _published()
    assert [m.headers["id"] for m in messages] == [
        "kept-1",
        OutboxMessage.objects.order_by("pk")[1].task_id,
        "kept-typed",
    ]
    _args, kwargs, _ = messages[2].decode()
    assert kwargs == {"subject": when, "body": decimal.Decimal("1.50"), "to": ["b@example.org"]}
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_a_row_that_cannot_be_sent_does_not_hold_up_the_others(broker):
    broker("memory://")
    OutboxMessage.objects.create(task_name="core.tasks.clear_expired_sessions", task_id="bad", args=[1, 2, 3])
    OutboxMessage.objects.create(task_name="core.tasks.clear_expired_sessions", task_id="good")
    assert drain() == 1
    bad = OutboxMessage.objects.get(task_id="bad")
    assert bad.sent_at is None and "TypeError" in bad.last_error
    assert [m.headers["id"] for m in _published()] == ["good"]


def test_sent_rows_are_deleted_after_a_week(broker):
    broker("memory://")
    old = OutboxMessage.objects.create(
        task_name="core.tasks.clear_expired_sessions",
        task_id="old",
        sent_at=timezone.now() - datetime.timedelta(days=8),
    )
    recent = OutboxMessage.objects.create(
        task_name="core.tasks.clear_expired_sessions", task_id="recent", sent_at=timezone.now()
    )
    drain()
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk not in OutboxMessage.objects.values_list("pk", flat=True)


def test_the_drain_task_itself_is_not_kept(broker):
    with pytest.raises(OperationalError):
        drain_outbox.delay()
    assert not OutboxMessage.objects.exists()


def test_eager_tasks_never_touch_the_outbox():
    assert celery_app.conf.task_always_eager
    clear_expired_sessions.delay()
    assert not OutboxMessage.objects.exists()


def test_every_task_of_the_project_goes_through_the_outbox():
    celery_app.loader.import_default_modules()  # what a worker does at start: autodiscovery imports each tasks.py
    ours = {name: task for name, task in celery_app.tasks.items() if not name.startswith("celery.")}
    assert len(ours) > 10
    assert all(isinstance(task, OutboxTask) for task in ours.values())
    assert [name for name, task in ours.items() if not task.outbox] == ["core.drain_outbox"]
