"""Benchmark: where each key page's time goes, in-process: in the database, and in Python (views, serializers,
templates).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/young_scrutineers_bench .venv/bin/python -m bench.profile
    ... --requests 20 --only young_person_home,api_claims [--sql] [--cprofile api_claims]

Needs a database that holds a generated data set (`python -m bench.generate`; `make bench` makes it). Opens every
page of bench/budgets.py KEY_URLS through Django's test client with bench/settings.py (production's behaviour),
signed in as the measured partnership's person for its role, as the query budgets do; after two untimed requests,
times `--requests` requests. Per page it prints one JSON line, `profile_<name>`: the median milliseconds of a
request, with `"compare": {"database": ..., "python": ...}` (the median time spent executing SQL, and the rest).
With `--floor`, the floor view of the throughput benchmark is measured the same way first (`profile_floor_<kind>`).

It answers the question the throughput ratios raise: is a slow page waiting for PostgreSQL (a query to read with
EXPLAIN) or working in Python (rows serialised or rendered)? `--sql` lists the last request's queries with their
times on stderr; `--cprofile NAME` prints the hottest functions of one page (set SORT=tottime for own time,
LINES=200 for more than 60 lines, CALLERS=name to see who calls a function).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from django.test import Client

    from bench.budgets import KeyUrl
    from bench.generate import BenchData


@dataclass
class Timing:
    name: str
    total_ms: float  # the median request, from the client's call to its answer
    database_ms: float  # the median time spent executing SQL in a request
    queries: int  # in the last timed request
    statements: list[tuple[float, str]] = field(default_factory=list)  # (ms, SQL) of the last timed request

    @property
    def python_ms(self) -> float:
        return max(self.total_ms - self.database_ms, 0.0)


def time_pages(
    client_for_role: Callable[[str], Client],
    data: BenchData,
    keys: list[KeyUrl],
    *,
    requests: int,
    headers: dict[str, str] | None = None,
) -> list[Timing]:
    """Time each key URL in this process; each answer must be 200."""
    timings = []
    for key in keys:
        client = client_for_role(key.role)
        timings.append(time_url(client, key.name, key.path(data), api=key.is_api, requests=requests, headers=headers))
    return timings


def time_url(
    client: Client, name: str, url: str, *, api: bool, requests: int, headers: dict[str, str] | None = None
) -> Timing:
    """`headers`: extra request headers (the command line sends Host: 127.0.0.1, which bench/settings.py allows)."""
    from django.db import connection

    extra: dict[str, Any] = {"HTTP_ACCEPT": "application/json" if api else "text/html", **(headers or {})}
    statements: list[tuple[float, str]] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    for _ in range(2):  # fills the per-process caches; lets a page do its one-off writes
        response = client.get(url, **extra)
        assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
    totals, in_database = [], []
    with connection.execute_wrapper(timer):
        for _ in range(requests):
            statements.clear()
            started = time.perf_counter()
            response = client.get(url, **extra)
            totals.append((time.perf_counter() - started) * 1000)
            in_database.append(sum(ms for ms, _ in statements))
            assert response.status_code == 200, f"{name} ({url}): {response.status_code}"
    return Timing(
        name=name,
        total_ms=round(statistics.median(totals), 2),
        database_ms=round(statistics.median(in_database), 2),
        queries=len(statements),
        statements=list(statements),
    )


def emit(timing: Timing) -> None:
    line = {
        "name": f"profile_{timing.name}",
        "value": timing.total_ms,
        "unit": "ms",
        "compare": {"database": timing.database_ms, "python": round(timing.python_ms, 2)},
    }
    print(json.dumps(line), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20, help="timed requests per page")
    parser.add_argument("--only", default="", help="comma-separated KEY_URLS names (default: all)")
    parser.add_argument("--floor", action="store_true", help="measure the throughput benchmark's floor view first")
    parser.add_argument("--sql", action="store_true", help="list each page's queries with their times (stderr)")
    parser.add_argument("--cprofile", default="", help="a KEY_URLS name: print its hottest functions (stderr)")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_FLOOR_VIEW"] = "1"
    import django

    django.setup()
    from bench.budgets import clients_for, keys_named
    from bench.query_budgets import bench_data_in_database
    from participants.models import Role

    data = bench_data_in_database()
    try:
        keys = keys_named(args.only)
    except ValueError as error:
        parser.error(str(error))
    client_for_role = clients_for(data)
    host = {"HTTP_HOST": "127.0.0.1"}

    if args.floor:
        for kind, role in (("young_person", Role.YOUNG_PERSON), ("staff", Role.PARTICIPATION_WORKER)):
            floor = time_url(
                client_for_role(role), f"floor_{kind}", "/bench/floor/", api=False, requests=args.requests, headers=host
            )
            emit(floor)
    for timing in time_pages(client_for_role, data, keys, requests=args.requests, headers=host):
        emit(timing)
        if args.sql:
            print(f"{timing.name}:", file=sys.stderr)
            for ms, sql in timing.statements:
                print(f"  {ms:7.2f} ms  {sql[:300]}", file=sys.stderr)
    if args.cprofile:
        try:
            (key,) = keys_named(args.cprofile)
        except ValueError as error:
            parser.error(f"--cprofile takes one key URL name: {error}")
        client = client_for_role(key.role)
        extra: dict[str, Any] = {"HTTP_ACCEPT": "application/json" if key.is_api else "text/html", **host}
        url = key.path(data)  # worked out once, as time_url does: finding it is not the page's work
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(url, **extra)
        profiler.disable()
        out = io.StringIO()
        stats = pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative"))
        stats.print_stats(int(os.environ.get("LINES", "60")))
        if os.environ.get("CALLERS"):  # a function name (a regular expression): who calls it, and how often
            stats.print_callers(os.environ["CALLERS"])
        print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
