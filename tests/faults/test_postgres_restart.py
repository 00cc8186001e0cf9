"""PostgreSQL restarted under a running site and worker: both reconnect, and the first request after the restart
answers.

The test makes a PostgreSQL cluster of its own (initdb in a temporary folder, a free port, trust authentication),
then runs the app in gunicorn with persistent connections as production does (DATABASE_CONN_MAX_AGE=600) and a
Celery worker, and restarts the cluster with `pg_ctl restart -m fast` (every connection is cut). With
DATABASE_CONN_HEALTH_CHECKS on (the default), Django checks a kept connection before a request uses it and opens a
new one; a second gunicorn with the checks off shows the fault is real: its first request after the restart fails.
The worker runs core.tasks.clear_expired_sessions before and after the restart (it deletes expired session rows);
the broker is the SQLite one, so only the database is restarted.
"""

from __future__ import annotations

import contextlib
import glob
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from core.tasks import clear_expired_sessions
from tests.conftest import require_service
from tests.faults.conftest import ROOT, Worker, celery_pointed_at, free_port, new_queue, wait_until, worker_env

pytestmark = [pytest.mark.services]


def _pg_bin(name: str) -> str:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    path = found[-1] if found else shutil.which(name)
    if not path:
        require_service("PostgreSQL", f"{name} is not installed")
    return str(path)


class Cluster:
    """A PostgreSQL cluster of our own. As root, its programs run as the `postgres` user (initdb refuses root)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.port = free_port()
        self.log = folder / "postgres.log"
        self.user: str | None = None
        if os.geteuid() == 0:
            try:
                owner = pwd.getpwnam("postgres")
            except KeyError:
                require_service("PostgreSQL", "running as root and there is no postgres user to run initdb as")
            self.user = "postgres"
            os.chown(folder, owner.pw_uid, owner.pw_gid)

    def run(self, *command: str) -> None:
        prefix = ["runuser", "-u", self.user, "--"] if self.user else []
        subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=120)

    def init(self) -> Cluster:
        self.run(_pg_bin("initdb"), "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        return self

    def pg_ctl(self, action: str, *extra: str) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"
        self.run(_pg_bin("pg_ctl"), action, "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, *extra)

    def psql(self, database: str, sql: str) -> str:
        result = subprocess.run(
            [_pg_bin("psql"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", database, "-Atc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()

    def url(self, database: str) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    folder = Path(tempfile.mkdtemp(prefix="ys-faults-pg-"))
    cluster = Cluster(folder).init()
    cluster.pg_ctl("start")
    try:
        yield cluster
    finally:
        with contextlib.suppress(Exception):
            cluster.pg_ctl("stop", "-m", "immediate")
        shutil.rmtree(folder, ignore_errors=True)


class Site:
    """gunicorn serving the app on a free port (one sync worker, so every request uses the same kept connection)."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.port = free_port()
        self._log = log.open("w")
        self.log_path = log
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    def get(self, path: str) -> tuple[int, dict[str, Any]]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=20) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"{}")

    def answers(self) -> bool:
        try:
            return self.get("/healthz")[0] == 200
        except (OSError, ValueError):
            return False

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        self._log.close()


def test_the_site_and_a_worker_reconnect_after_postgresql_restarts(cluster, workers, tmp_path):
    if shutil.which("runuser") is None and os.geteuid() == 0:
        require_service("PostgreSQL", "runuser is needed to run initdb as the postgres user")
    cluster.psql("postgres", "CREATE DATABASE ys_faults")
    database = cluster.url("ys_faults")
    broker = f"sqla+sqlite:///{tmp_path / 'broker.sqlite3'}"
    queue = new_queue()
    env = worker_env(broker=broker, queue=queue, database=database, DATABASE_CONN_MAX_AGE="600")
    checked = Site(env, tmp_path / "site.log")
    unchecked = Site({**env, "DATABASE_CONN_HEALTH_CHECKS": "false"}, tmp_path / "site-unchecked.log")
    worker = Worker(tmp_path / "worker.log", env, queue)
    workers.append(worker)
    # Only the sessions table is needed (the worker's task deletes expired sessions; /healthz runs SELECT 1).
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "sessions", "--noinput", "--skip-checks"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    expired = "INSERT INTO django_session VALUES ('{key}', '', now() - interval '1 day')"
    remaining = "SELECT count(*) FROM django_session"
    try:
        for site in (checked, unchecked):
            wait_until(site.answers, "gunicorn answers /healthz", timeout=60, process=site.process)
        wait_until(worker.ready, "the worker is ready", timeout=60, process=worker.process)
        with celery_pointed_at(broker, queue):
            cluster.psql("ys_faults", expired.format(key="before"))
            clear_expired_sessions.delay()
            wait_until(lambda: cluster.psql("ys_faults", remaining) == "0", "the worker runs a task", timeout=60)

            backends_before = cluster.psql(
                "ys_faults", "SELECT count(*) FROM pg_stat_activity WHERE datname = 'ys_faults'"
            )
            cluster.pg_ctl("restart", "-m", "fast")

            # The first request after the restart answers, its database check included.
            assert checked.get("/healthz") == (200, {"status": "ok", "database": "ok", "broker": "ok"})
            # Without the health checks the kept connection is found dead by the request itself: the fault was real.
            status, body = unchecked.get("/healthz")
            assert (status, body["database"]) == (503, "OperationalError")
            assert unchecked.get("/healthz")[0] == 200  # and Django drops the broken connection afterwards

            cluster.psql("ys_faults", expired.format(key="after"))
            clear_expired_sessions.delay()
            wait_until(
                lambda: cluster.psql("ys_faults", remaining) == "0",
                "the worker runs a task after the restart",
                timeout=60,
                process=worker.process,
            )
    finally:
        checked.stop()
        unchecked.stop()
    assert int(backends_before) >= 3  # the two sites and the worker kept their connections open before the restart
