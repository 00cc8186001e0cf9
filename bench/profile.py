"""Where each key page's time goes, in-process: total, in the database, and the rest (Python, templates).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/young_scrutineers_bench .venv/bin/python -m bench.profile
    ... --requests 20 --only young_person_home,api_claims [--cprofile api_claims]

Runs each page of bench/budgets.py KEY_URLS through Django's WSGI handler with bench/settings.py (production's
behaviour), signed in the way bench.throughput signs in, on a database made by bench.generate. Prints per page the
median total ms, the median ms spent in SQL, the rest, and the number of queries; one JSON line per figure on stdout.
`--cprofile NAME` prints the hottest functions of one page (cumulative time) on stderr.
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
from typing import Any


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--only", default="")
    parser.add_argument("--cprofile", default="", help="a KEY_URLS name to profile with cProfile")
    parser.add_argument("--floor", action="store_true", help="measure the floor view too")
    parser.add_argument("--sql", action="store_true", help="print each query of the last request with its ms")
    args = parser.parse_args()

    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_FLOOR_VIEW"] = "1"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.budgets import KEY_URLS
    from bench.query_budgets import bench_data_in_database
    from bench.throughput import signed_in_sessions

    data = bench_data_in_database()
    if os.environ.get("GC_FREEZE"):
        import gc

        gc.collect()
        gc.freeze()
    if os.environ.get("GC_THRESHOLD"):
        import gc

        gc.set_threshold(*(int(x) for x in os.environ["GC_THRESHOLD"].split(",")))
    keys = KEY_URLS
    if args.only:
        wanted = {n.strip() for n in args.only.split(",") if n.strip()}
        keys = [k for k in KEY_URLS if k.name in wanted]
    roles = {k.role for k in keys} | {"young_person", "participation_worker"}
    sql_ms: list[float] = []
    sql_text: list[str] = []

    def timer(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        t0 = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            sql_ms.append((time.perf_counter() - t0) * 1000)
            sql_text.append(sql)

    import gc

    gc_ms: list[float] = []
    gc_started: list[float] = []

    def gc_timer(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            gc_started[:] = [time.perf_counter()]
        elif gc_started:
            gc_ms.append((time.perf_counter() - gc_started[0]) * 1000)

    gc.callbacks.append(gc_timer)

    with signed_in_sessions(data, roles) as cookies:
        targets = [(k.name, k.path(data), cookies[k.role], k.is_api) for k in keys]
        if args.floor:
            targets.insert(0, ("floor_young_person", "/bench/floor/", cookies["young_person"], False))
            targets.insert(1, ("floor_staff", "/bench/floor/", cookies["participation_worker"], False))
        for name, path, cookie, is_api in targets:
            key, value = cookie.split("=", 1)
            client = Client(HTTP_ACCEPT="application/json" if is_api else "text/html", HTTP_HOST="127.0.0.1")
            client.cookies[key] = value
            for _ in range(2):
                response = client.get(path)
                assert response.status_code == 200, (name, path, response.status_code)
            totals, sqls, counts, gcs = [], [], [], []
            with connection.execute_wrapper(timer):
                for _ in range(args.requests):
                    sql_ms.clear()
                    sql_text.clear()
                    gc_ms.clear()
                    t0 = time.perf_counter()
                    client.get(path)
                    totals.append((time.perf_counter() - t0) * 1000)
                    sqls.append(sum(sql_ms))
                    counts.append(len(sql_ms))
                    gcs.append(sum(gc_ms))
            total, sql = statistics.median(totals), statistics.median(sqls)
            print(
                json.dumps(
                    {
                        "name": name,
                        "total_ms": round(total, 2),
                        "sql_ms": round(sql, 2),
                        "rest_ms": round(total - sql, 2), "gc_ms_mean": round(statistics.mean(gcs), 2),
                        "queries": counts[-1],
                    }
                ),
                flush=True,
            )
            if args.sql:
                for ms, text in zip(sql_ms, sql_text, strict=True):
                    print(f"  {ms:7.2f} ms  {text[:400]}", file=sys.stderr)
            if name == args.cprofile:
                profiler = cProfile.Profile()
                profiler.enable()
                for _ in range(args.requests):
                    client.get(path)
                profiler.disable()
                out = io.StringIO()
                pstats.Stats(profiler, stream=out).sort_stats(os.environ.get("SORT", "cumulative")).print_stats(
                    int(os.environ.get("TOP", "60"))
                )
                print(out.getvalue(), file=sys.stderr)


if __name__ == "__main__":
    main()
