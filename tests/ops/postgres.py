"""Throwaway PostgreSQL databases for the tests that run the product as real processes (tests/ops/, the mixed-role
load test): each one named for the test run, made on the server of DATABASE_URL and dropped afterwards."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
from django.db import connection
from psycopg import sql

from tests.conftest import require_service

ROOT = Path(__file__).resolve().parent.parent.parent


def require_postgresql(*tools: str) -> None:
    """Skip (locally) or fail (CI) unless the tests run on PostgreSQL and the client tools named are installed."""
    if connection.vendor != "postgresql":
        require_service("PostgreSQL", "DATABASE_URL does not point at PostgreSQL")
    for tool in tools:
        if shutil.which(tool) is None:
            require_service(tool, f"{tool} (PostgreSQL's client tools) is not installed")


def database_url(name: str) -> str:
    """The URL of database `name` on the server (and as the user) of the test database."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="") + (f":{quote(s['PASSWORD'], safe='')}" if s["PASSWORD"] else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{name}"


def unique_name(purpose: str) -> str:
    return f"ys_{purpose}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


def _admin() -> psycopg.Connection[Any]:
    return psycopg.connect(database_url("postgres"), autocommit=True)


def create_database(name: str) -> str:
    with _admin() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return database_url(name)


def drop_database(name: str) -> None:
    with _admin() as admin:
        admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def throwaway_database(purpose: str) -> Iterator[tuple[str, str]]:
    """(name, URL) of a new empty database, dropped on leaving."""
    name = unique_name(purpose)
    url = create_database(name)
    try:
        yield name, url
    finally:
        drop_database(name)


def copy_of_test_database(url: str) -> None:
    """Fill the empty database at `url` with the test database's schema and rows (migrated, nothing else in it
    between tests), through pg_dump and pg_restore: seconds, where migrating from nothing takes twenty. The rows a
    data migration adds (the National Minimum Wage rates) are put back as tests/conftest.py does, in case a
    transactional test emptied every table."""
    test_db = connection.settings_dict["NAME"]
    dump = subprocess.run(
        ["pg_dump", "--format=custom", "--no-owner", "--no-privileges", database_url(test_db)],
        capture_output=True,
        check=True,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", f"--dbname={url}"],
        input=dump.stdout,
        capture_output=True,
        check=True,
    )
    rates = importlib.import_module("payments.migrations.0002_minimum_wage_rates").RATES
    with psycopg.connect(url, autocommit=True) as conn:
        for band, pence, effective_from in rates:
            conn.execute(
                "INSERT INTO payments_minimumwagerate (band, hourly_pence, effective_from) VALUES (%s, %s, %s)"
                " ON CONFLICT (band, effective_from) DO NOTHING",
                [band, pence, effective_from],
            )
