"""The bounded load run (bench/roles_load.py) with every role at once: zero failed connections, zero 5xx, no answer
but 200 (each role only opens pages it may see), and every role answered many times.

Needs PostgreSQL (skipped without it locally, a failure in CI). Its own database, named for the run: a copy of the
migrated test database (pg_dump and pg_restore, quicker than migrating) with the small bench data set generated in
it (bench/generate.py, Scale SMALL), dropped at the end. Then `python -m bench.roles_load` starts gunicorn with two
workers on 127.0.0.1 and loads it from six processes at once, one per role, for LOAD_SECONDS (60 by default; set it
lower for a quicker look locally) with a fixed cap on requests. Its figures are printed to the terminal, in CI too.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bench.roles_load import ROLES, role_urls
from tests.ops.postgres import ROOT, copy_of_test_database, require_postgresql, throwaway_database

# django_db: so that pytest-django makes the test database, which is copied (nothing is written to it here).
pytestmark = [pytest.mark.services, pytest.mark.django_db]

SECONDS = float(os.environ.get("LOAD_SECONDS", "60"))
REQUEST_CAP = 6000  # per role: the run stops at SECONDS or at this many requests, whichever comes first
ROUNDS = 2  # every role goes round all of its pages and API lists at least this many times


def test_every_role_at_once_gets_only_200s(capsys):
    require_postgresql("pg_dump", "pg_restore")
    with throwaway_database("roles_load") as (_name, url):
        copy_of_test_database(url)
        env = {**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
        generated = subprocess.run(
            [sys.executable, "-m", "bench.generate", "--scale", "small"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert generated.returncode == 0, generated.stderr[-3000:]

        env.pop("DJANGO_SETTINGS_MODULE")  # bench.roles_load uses bench/settings.py, and so does its gunicorn
        run = subprocess.run(
            [sys.executable, "-m", "bench.roles_load", f"--seconds={SECONDS}", f"--requests={REQUEST_CAP}"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=SECONDS * 2 + 120,
            check=False,
        )

    lines = [line for line in run.stdout.splitlines() if line.startswith("{")]
    with capsys.disabled():
        print(f"\nbench.roles_load, every role at once for {SECONDS:g} s against gunicorn (2 workers):")
        for line in lines:
            print(f"  {line}")
    # What went wrong: the run's own lines and the server's errors with their tracebacks (not its [INFO] lines).
    problems = "\n".join(line for line in run.stderr.splitlines() if "[INFO]" not in line)[-6000:]
    figures = {figure["name"]: figure["value"] for figure in map(json.loads, lines)}
    assert run.returncode == 0, problems
    assert figures["roles_load_failed_connections"] == 0, problems
    assert figures["roles_load_5xx"] == 0, problems
    assert figures["roles_load_4xx"] == 0, problems
    assert figures["roles_load_errors"] == 0, problems  # redirects (to the sign-in page, say) too
    urls = role_urls()
    for role in ROLES:
        assert figures[f"roles_load_errors_{role}"] == 0, problems
        assert figures[f"roles_load_requests_{role}"] >= ROUNDS * len(urls[role]), (role, problems)
    assert figures["roles_load_requests"] == sum(figures[f"roles_load_requests_{role}"] for role in ROLES)
    # The time limit, not the cap, ended it: the load lasted the time asked for.
    assert figures["roles_load_seconds"] >= SECONDS * 0.95 or figures["roles_load_requests"] >= REQUEST_CAP
