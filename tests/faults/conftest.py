"""Real processes for the fault tests: a private redis-server, a Celery worker, the app's Celery configuration
pointed at them, and waiting for an event with a deadline."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from config.celery_app import app as celery_app
from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(
    predicate: Callable[[], Any], what: str, *, timeout: float = 30, process: subprocess.Popen[bytes] | None = None
) -> Any:
    """Poll `predicate` until it returns something truthy; fail naming `what` at the deadline, or at once if
    `process` exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        if process is not None and process.poll() is not None:
            pytest.fail(f"{what}: the process exited with {process.returncode} first")
        time.sleep(0.05)
    pytest.fail(f"{what}: not within {timeout} s")


class RedisServer:
    """A redis-server of our own on a free port, with no persistence: stop(), start() again on the same port,
    freeze() and thaw() (SIGSTOP/SIGCONT: a Redis that accepts connections and never answers)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> RedisServer:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_until(self.answers, "redis-server answers", timeout=15, process=self.process)
        return self

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as s:
                s.sendall(b"PING\r\n")
                return s.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.send_signal(signal.SIGCONT)
            self.process.terminate()
            self.process.wait(timeout=15)
            self.process = None

    def freeze(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        require_service("Redis", "redis-server is not installed")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder).start()
    try:
        yield server
    finally:
        server.stop()


def require_postgresql_tests_database() -> None:
    if connection.vendor != "postgresql":
        require_service(
            "PostgreSQL", "DATABASE_URL does not point at PostgreSQL (a worker process shares the database)"
        )


def database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _reset_broker_pools() -> None:
    """The app keeps its broker connection and producer pools: drop them so the next publish uses the new URL."""
    celery_app._pool = None
    with contextlib.suppress(AttributeError, KeyError):
        celery_app.__dict__["amqp"]._producer_pool = None


@contextlib.contextmanager
def celery_pointed_at(broker: str, queue: str) -> Iterator[None]:
    """This process publishes for real (not eagerly) to `broker`, on `queue`."""
    conf = celery_app.conf
    saved = (conf.task_always_eager, conf.task_default_queue, conf.broker_url, conf.broker_transport_options)
    conf.task_always_eager = False
    conf.task_default_queue = queue
    conf.broker_url = broker
    # Celery reads the CELERY_BROKER_URL environment variable before its own setting (CI sets it to the shared Redis),
    # so the variable must name this broker too while the test publishes.
    saved_env = os.environ.get("CELERY_BROKER_URL")
    os.environ["CELERY_BROKER_URL"] = broker
    # As config/settings/base.py does when CELERY_BROKER_URL names Redis (it need not in this process's settings).
    conf.broker_transport_options = settings.REDIS_BROKER_TRANSPORT_OPTIONS if broker.startswith("redis") else {}
    _reset_broker_pools()
    try:
        yield
    finally:
        (conf.task_always_eager, conf.task_default_queue, conf.broker_url, conf.broker_transport_options) = saved
        if saved_env is None:
            os.environ.pop("CELERY_BROKER_URL", None)
        else:
            os.environ["CELERY_BROKER_URL"] = saved_env
        _reset_broker_pools()


def new_queue() -> str:
    return f"faults-{uuid.uuid4().hex[:8]}"


class Worker:
    """`celery -A config worker --pool=solo` in a process of its own, on its own queue, logging to a file."""

    def __init__(self, log: Path, env: dict[str, str], queue: str, *, pool: str = "solo") -> None:
        self.log_path = log
        self._log = log.open("a")
        pool_options = ["--pool=solo"] if pool == "solo" else [f"--pool={pool}", "--concurrency=1"]
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", *pool_options, "-Q", queue, "--loglevel=INFO"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def log(self) -> str:
        return self.log_path.read_text()

    def ready(self) -> bool:
        return " ready." in self.log()

    def children(self) -> list[int]:
        """The pool's child processes (prefork), from /proc."""
        path = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        return [int(pid) for pid in path.read_text().split()] if path.exists() else []

    def kill(self) -> None:
        """SIGKILL: no clean-up, no acknowledgement, exactly like a machine that dies."""
        self.process.kill()
        self.process.wait(timeout=15)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGQUIT)  # cold shutdown: the test is over, nothing to finish
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        self._log.close()


def worker_env(*, broker: str, queue: str, database: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
        "DATABASE_URL": database,
        "CELERY_BROKER_URL": broker,
        "CELERY_TASK_ALWAYS_EAGER": "false",
        "CELERY_TASK_DEFAULT_QUEUE": queue,
        **extra,
    }


@pytest.fixture
def workers() -> Iterator[list[Worker]]:
    """Workers a test starts are stopped when it ends, whatever happens."""
    started: list[Worker] = []
    try:
        yield started
    finally:
        for worker in started:
            worker.stop()
