"""A real Celery worker process, started here against Redis, runs a task that a web request enqueued.

The request asks for a sign-in code; allauth's email goes through core.tasks.send_email_message, enqueued on
commit. The worker, a separate process on the same PostgreSQL test database, sends it with the file email
backend, and the test waits for the file. Needs PostgreSQL and Redis: skipped without them locally, a failure
in CI (REQUIRE_SERVICES=1).
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.db import connection

from config.celery_app import app as celery_app
from participants.models import Role
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _redis_answers(url: str) -> bool:
    from kombu import Connection

    try:
        with Connection(url) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True
    except Exception:
        return False


@pytest.fixture
def worker(tmp_path):
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    broker = os.environ.get("CELERY_BROKER_URL", "")
    if not broker.startswith("redis://") or not _redis_answers(broker):
        require_service("Redis", f"CELERY_BROKER_URL={broker!r} is not a Redis that answers")

    queue = f"test-{uuid.uuid4().hex[:8]}"
    outbox = tmp_path / "outbox"
    outbox.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox),
    }
    log = (tmp_path / "worker.log").open("w")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--loglevel=INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    saved = (
        celery_app.conf.task_always_eager,
        celery_app.conf.task_default_queue,
        celery_app.conf.broker_url,
    )
    celery_app.conf.task_always_eager = False
    celery_app.conf.task_default_queue = queue
    celery_app.conf.broker_url = broker
    try:
        yield outbox, process, tmp_path / "worker.log"
    finally:
        celery_app.conf.task_always_eager, celery_app.conf.task_default_queue, celery_app.conf.broker_url = saved
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def _wait_for_file(folder: Path, process: subprocess.Popen, timeout: float = 60) -> Path:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        files = list(folder.glob("*.log"))
        if files:
            return files[0]
        if process.poll() is not None:
            pytest.fail(f"the worker exited with {process.returncode}")
        time.sleep(0.1)
    pytest.fail("the worker did not send the email in time")


def test_a_worker_process_sends_the_email_a_web_request_enqueued(worker, member, client):
    outbox, process, log_path = worker
    person = member(Role.YOUNG_PERSON)

    response = client.post("/accounts/login/code/", {"email": person.email})
    assert response.status_code == 302

    sent = _wait_for_file(outbox, process)
    text = sent.read_text()
    assert f"To: {person.email}" in text
    assert "sign-in code" in text.lower()
    assert "send_email_message" in log_path.read_text()
