"""Redis stopped while people use the site: the page that enqueues a task answers as usual, the task is kept in the
outbox (core/outbox.py), and a real worker started once Redis is back sends it, exactly once.

The request asks for a sign-in code: allauth's email goes through core.tasks.send_email_message, enqueued on commit.
The worker is a separate process on the same PostgreSQL test database, sending with the file email backend.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from django.test import Client

from core.models import OutboxMessage
from core.outbox import drain
from core.tasks import send_email_message
from participants.models import Role
from tests.faults.conftest import (
    Worker,
    celery_pointed_at,
    database_url,
    new_queue,
    require_postgresql_tests_database,
    wait_until,
    worker_env,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

# A page must not hang while the broker is away: a refused connection fails in well under a second, and a Redis that
# never answers after a few socket timeouts of 2 s (about 6 s). The bounds are how much longer than the same
# page with Redis up it may take, generous for a loaded CI machine (Celery's defaults: about 20 s, or for ever).
REFUSED_EXTRA_S = 2.0
FROZEN_EXTRA_S = 10.0


def _emails(folder: Path) -> list[str]:
    return [path.read_text() for path in sorted(folder.glob("*.log"))]


def _ask_for_a_code(client: Client | None, email: str) -> float:
    """Ask for a sign-in code, in a browser session of its own unless `client` is given; returns the seconds taken."""
    client = client or Client()
    started = time.monotonic()
    response = client.post("/accounts/login/code/", {"email": email})
    elapsed = time.monotonic() - started
    assert response.status_code == 302, response.content[:500]
    return elapsed


def test_a_task_enqueued_while_redis_is_down_is_kept_and_runs_once_it_is_back(
    private_redis, workers, member, client, tmp_path
):
    require_postgresql_tests_database()
    queue = new_queue()
    person = member(Role.YOUNG_PERSON)
    sent_folder = tmp_path / "sent"
    sent_folder.mkdir()

    with celery_pointed_at(private_redis.url, queue):
        with_redis = _ask_for_a_code(None, member(Role.YOUNG_PERSON).email)  # its message dies with this Redis
        private_redis.stop()
        elapsed = _ask_for_a_code(client, person.email)
        print(f"sign-in code page: {with_redis:.2f} s with Redis, {elapsed:.2f} s with Redis stopped")
        assert elapsed < with_redis + REFUSED_EXTRA_S

        kept = list(OutboxMessage.objects.all())
        assert [(row.task_name, row.sent_at) for row in kept] == [("core.tasks.send_email_message", None)]
        assert kept[0].kwargs["to"] == [person.email]
        assert "OperationalError" in kept[0].last_error

        private_redis.start()
        env = worker_env(
            broker=private_redis.url,
            queue=queue,
            database=database_url(),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(sent_folder),
        )
        worker = Worker(tmp_path / "worker.log", env, queue)
        workers.append(worker)

        # The worker drains the outbox as soon as it is connected, then runs the task it published.
        wait_until(lambda: _emails(sent_folder), "the kept email is sent", process=worker.process)
        wait_until(
            lambda: OutboxMessage.objects.filter(sent_at__isnull=False).count() == 1,
            "the outbox row is marked sent",
        )
        assert drain() == 0  # nothing left to send

        # Exactly once: a later email through the same queue arrives after anything the drain could have repeated.
        send_email_message.delay(subject="Sentinel", body="after the drain", to=["sentinel@example.org"])
        wait_until(lambda: len(_emails(sent_folder)) >= 2, "the sentinel email is sent", process=worker.process)
        emails = _emails(sent_folder)
        assert len(emails) == 2
        assert sum(f"To: {person.email}" in text for text in emails) == 1
        assert sum("sentinel@example.org" in text for text in emails) == 1
        assert "sign-in code" in "".join(emails).lower()
        row = OutboxMessage.objects.get()
        assert row.attempts == 1 and row.task_id in worker.log()


def test_a_frozen_redis_does_not_hang_the_page(private_redis, member, client):
    """Redis that accepts connections and never answers (SIGSTOP): Celery's defaults would wait for ever; the page
    answers within the socket timeout and the task is kept."""
    require_postgresql_tests_database()
    person = member(Role.YOUNG_PERSON)
    with celery_pointed_at(private_redis.url, new_queue()):
        with_redis = _ask_for_a_code(None, member(Role.YOUNG_PERSON).email)
        private_redis.freeze()
        try:
            elapsed = _ask_for_a_code(client, person.email)
        finally:
            private_redis.thaw()
    print(f"sign-in code page: {with_redis:.2f} s with Redis, {elapsed:.2f} s with Redis frozen")
    assert elapsed < with_redis + FROZEN_EXTRA_S
    kept = OutboxMessage.objects.get()
    assert kept.task_name == "core.tasks.send_email_message" and kept.kwargs["to"] == [person.email]
