"""The backup and restore of docs/operations.md, performed: a database with the demo data is dumped with the
documented pg_dump command, restored with the documented createdb and pg_restore commands into a fresh database,
and the app then runs against the restored database: no migration pending, the same number of rows in every
table, every encrypted field reads back the same with the same FIELD_ENCRYPTION_KEYS (and not at all with other
keys: the dump holds ciphertext), and gunicorn on the restored database lets a member of staff sign in through the
real pages (password, then the second factor) and shows the partnership's people.

Needs PostgreSQL and its client tools (skipped without them locally, a failure in CI). The databases are named for
the run and dropped at the end."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from collections.abc import Iterator
from http.cookiejar import CookieJar

import psycopg
import pyotp
import pytest
from django.db import connection

from tests.ops.postgres import (
    ROOT,
    copy_of_test_database,
    database_url,
    drop_database,
    require_postgresql,
    throwaway_database,
    unique_name,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db]  # django_db: pytest-django makes the test database

DOC = ROOT / "docs" / "operations.md"
# The demo data (participants/demo.py, docs/demo.md): a partnership admin of North Shire and the demo's secrets.
STAFF_EMAIL = "joanne.reid@north-shire.example"
DEMO_PASSWORD = "scrutiny-demo-2026"
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
OTHER_KEYS = "Cq7ekVNy0Ua9a0yI3tTdNw9CZ3QkVkmqWr6i3uK2P1A="  # a valid Fernet key that encrypted nothing here


def documented_commands() -> dict[str, str]:
    """The pg_dump, createdb and pg_restore commands of docs/operations.md's shell blocks (one of each)."""
    lines = [
        line.strip()
        for block in re.findall(r"```sh\n(.*?)```", DOC.read_text(), re.DOTALL)
        for line in block.splitlines()
    ]
    commands = {}
    for tool in ("pg_dump", "createdb", "pg_restore"):
        found = [line for line in lines if line.startswith(f"{tool} ")]
        assert len(found) == 1, f"docs/operations.md should show one {tool} command, not {found}"
        commands[tool] = found[0]
    return commands


def app_env(url: str, **more: str) -> dict[str, str]:
    """The environment of a manage.py or a script run against the database at `url`: local settings (whose
    FIELD_ENCRYPTION_KEYS the demo data is written with, unless the environment gives keys), tasks run in the
    process and email kept in memory (nothing goes to a shared broker)."""
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.local",
        "DJANGO_DEBUG": "false",
        "DATABASE_URL": url,
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
        **more,
    }


RUNNING: list[subprocess.Popen[str]] = []


def start(url: str, *arguments: str, **env: str) -> subprocess.Popen[str]:
    """`python <arguments>` against the database at `url`, started (several run at once: each is mostly Django
    starting up). The test's end stops any still running (a failed assertion leaves them)."""
    process = subprocess.Popen(
        [sys.executable, *arguments],
        cwd=ROOT,
        env=app_env(url, **env),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    RUNNING.append(process)
    return process


@pytest.fixture(autouse=True)
def _stop_what_is_left() -> Iterator[None]:
    yield
    while RUNNING:
        process = RUNNING.pop()
        if process.poll() is None:
            process.kill()
        process.communicate()


def finish(process: subprocess.Popen[str]) -> subprocess.CompletedProcess[str]:
    out, err = process.communicate(timeout=180)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


def row_counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]  # noqa: S608 - catalog names
            for table in tables
        }


ENCRYPTED_VALUES = ("-m", "tests.ops.encrypted_values")


def libpq_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {"PGHOST": s["HOST"] or "127.0.0.1", "PGPORT": str(s["PORT"] or 5432), "PGUSER": s["USER"] or ""}
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def test_the_documented_backup_restores_into_a_fresh_database_the_app_runs_on(tmp_path, monkeypatch):
    require_postgresql("pg_dump", "pg_restore", "createdb")
    commands = documented_commands()
    with throwaway_database("backup_source") as (_source_name, source):
        copy_of_test_database(source)
        seeded = finish(start(source, "manage.py", "seed_demo"))
        assert seeded.returncode == 0, seeded.stderr[-3000:]

        # The backup, exactly as documented (and meanwhile, the encrypted fields as the app reads them).
        reading = start(source, *ENCRYPTED_VALUES)
        backup_file = tmp_path / "young-scrutineers.dump"
        shell = {**os.environ, **libpq_env(), "DATABASE_URL": source, "BACKUP_FILE": str(backup_file)}
        dumped = subprocess.run(["bash", "-c", commands["pg_dump"]], env=shell, capture_output=True, text=True)
        assert dumped.returncode == 0, dumped.stderr
        assert backup_file.read_bytes()[:5] == b"PGDMP"  # the custom format

        source_counts = row_counts(source)
        source_values = finish(reading)
        assert source_values.returncode == 0, source_values.stderr[-3000:]

    # The source is gone: what follows works from the dump alone.
    restored_name = unique_name("restored")
    restored = database_url(restored_name)
    try:
        shell = {**os.environ, **libpq_env(), "RESTORE_DATABASE": restored_name, "BACKUP_FILE": str(backup_file)}
        for step in ("createdb", "pg_restore"):
            done = subprocess.run(["bash", "-c", commands[step]], env=shell, capture_output=True, text=True)
            assert done.returncode == 0, (step, done.stderr)

        checking = start(restored, "manage.py", "migrate", "--check")
        reading = start(restored, *ENCRYPTED_VALUES)
        reading_with_other_keys = start(restored, *ENCRYPTED_VALUES, FIELD_ENCRYPTION_KEYS=OTHER_KEYS)

        restored_counts = row_counts(restored)
        assert restored_counts == source_counts
        for table in ("participants_partnership", "participants_user", "participants_membership", "core_auditevent"):
            assert restored_counts[table] > 0, f"the demo data should have rows in {table}"

        pending = finish(checking)
        assert pending.returncode == 0, pending.stdout + pending.stderr

        restored_values = finish(reading)
        assert restored_values.returncode == 0, restored_values.stderr[-3000:]
        before, after = json.loads(source_values.stdout), json.loads(restored_values.stdout)
        assert after == before
        filled = {label: [v for v in field["read"] if v not in ("", None, {}, [])] for label, field in after.items()}
        assert sum(map(len, filled.values())) >= 3, f"the demo data should fill some encrypted fields: {filled}"
        for label, field in after.items():
            for read, stored in zip(field["read"], field["stored"], strict=True):
                if read not in ("", None, {}, []):
                    assert str(read) not in str(stored), f"{label}: stored in clear in the database"

        other_keys = finish(reading_with_other_keys)
        assert other_keys.returncode != 0, "the encrypted fields opened with keys that never encrypted them"
        assert "InvalidToken" in other_keys.stderr

        page = sign_in_and_open(restored, monkeypatch, "/staff/people/")
        assert "Joanne" in page and "Amara" in page, page[:2000]
    finally:
        drop_database(restored_name)


def sign_in_and_open(url: str, monkeypatch: pytest.MonkeyPatch, path: str) -> str:
    """Start gunicorn on the database at `url` (bench/settings.py: production's behaviour over plain http, the
    local settings' keys) and sign in as the demo partnership admin through the pages, as a browser does: the
    password, then a code from the authenticator. The text of `path` afterwards."""
    from bench.throughput import gunicorn

    monkeypatch.setenv("DATABASE_URL", url)
    with gunicorn(1) as server:
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))

        def get(page: str) -> tuple[str, str]:
            with opener.open(f"{server.url}{page}", timeout=30) as answer:
                return answer.geturl(), answer.read().decode()

        def post(page: str, fields: dict[str, str]) -> tuple[str, str]:
            _, form = get(page)
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
            assert token, form[:2000]
            body = urllib.parse.urlencode({**fields, "csrfmiddlewaretoken": token.group(1)}).encode()
            with opener.open(f"{server.url}{page}", data=body, timeout=30) as answer:
                return answer.geturl(), answer.read().decode()

        where, _ = post("/accounts/login/", {"login": STAFF_EMAIL, "password": DEMO_PASSWORD})
        assert urllib.parse.urlsplit(where).path == "/accounts/2fa/authenticate/", where
        where, _ = post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(DEMO_TOTP_SECRET).now()})
        assert not urllib.parse.urlsplit(where).path.startswith("/accounts/"), where
        where, text = get(path)
        assert urllib.parse.urlsplit(where).path == path, where
        return text
