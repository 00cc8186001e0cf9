"""Benchmark: the queries of every key page and API list (bench/budgets.py KEY_URLS), at the small and the national
scale. The two must be equal: a count that grows with the data is a query per row.

    .venv/bin/python -m bench.query_budgets                   # both scales, each generated in a throwaway database
    .venv/bin/python -m bench.query_budgets --scale small     # one scale only (a quick look)
    .venv/bin/python -m bench.query_budgets --database-ready  # the database of DATABASE_URL as it is (generated)

National generation takes minutes. To generate it once and share it with the other benchmarks, build it with
`python -m bench.generate` into a database of its own and pass that database's URL: `--national-database URL` (or
BENCH_NATIONAL_DATABASE_URL); the same for the small one (`--small-database`, BENCH_SMALL_DATABASE_URL). A database
passed this way is measured as it is and never dropped.

Each scale is measured in its own process (`--scale` or `--database-ready`, with DATABASE_URL set for it). A
throwaway database is SQLite in memory by default, or a database named after the process on the server of
DATABASE_URL. Prints one JSON line per URL: {"name": "queries_<name>", "value": <national>, "unit": "queries",
"compare": {"small": s, "national": n}} (a single scale: no "compare"). Human text goes to stderr.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from bench.generate import BenchData

SIDES = ("small", "national")


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def emit(figure: dict[str, Any]) -> None:
    print(json.dumps(figure), flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    one = parser.add_mutually_exclusive_group()
    one.add_argument("--scale", choices=SIDES, help="only this scale, generated in a throwaway database")
    one.add_argument("--database-ready", action="store_true", help="measure DATABASE_URL's database as it is")
    parser.add_argument("--small-database", default=os.environ.get("BENCH_SMALL_DATABASE_URL", ""))
    parser.add_argument("--national-database", default=os.environ.get("BENCH_NATIONAL_DATABASE_URL", ""))
    args = parser.parse_args()

    if args.database_ready or args.scale:
        counts = measure_here(scale=args.scale)
        for name, value in counts.items():
            emit({"name": f"queries_{name}", "value": value, "unit": "queries"})
        return

    sides: dict[str, dict[str, int]] = {}
    for side in SIDES:
        reuse = args.small_database if side == "small" else args.national_database
        env = dict(os.environ)
        command = [sys.executable, "-m", "bench.query_budgets"]
        if reuse:
            env["DATABASE_URL"] = reuse
            command.append("--database-ready")
            say(f"{side}: measuring the generated database given")
        else:
            command += ["--scale", side]
            say(f"{side}: generating the data set in a throwaway database")
        answer = subprocess.run(command, env=env, stdout=subprocess.PIPE, text=True, check=False)  # noqa: S603
        if answer.returncode != 0:
            raise SystemExit(f"Measuring the {side} scale failed (exit status {answer.returncode}); see above.")
        figures = [json.loads(line) for line in answer.stdout.splitlines() if line.startswith("{")]
        sides[side] = {figure["name"].removeprefix("queries_"): int(figure["value"]) for figure in figures}
    small, national = sides["small"], sides["national"]
    differ = sorted(name for name in small.keys() | national.keys() if small.get(name) != national.get(name))
    for name in national:
        compare = {"small": small.get(name), "national": national[name]}
        emit({"name": f"queries_{name}", "value": national[name], "unit": "queries", "compare": compare})
    if differ:
        say("The count differs between the scales (a query per row, or per kind of row shown) on: " + ", ".join(differ))


def measure_here(*, scale: str | None) -> dict[str, int]:
    """Measure in this process: in a throwaway database with `scale` generated in it, or (scale None) in the
    database of DATABASE_URL, which already holds a generated data set. With bench.generate's settings (its
    encryption keys wrote the TOTP secrets and bank details) and its database when DATABASE_URL is not set."""
    import time
    from pathlib import Path

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(__file__).resolve().parent.parent / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.budgets import clients_for, measure
    from bench.generate import SCALES, generate

    setup_test_environment()
    if scale is None:
        data = bench_data_in_database()
        counts = measure(clients_for(data), data)
        _report(counts, f"the database given ({connection.vendor})")
        return counts
    if connection.vendor != "sqlite":  # its own throwaway database: never the test suite's, which may be in use
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_query_budgets_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        data = generate(SCALES[scale])
        say(f"generated the {scale} data set in {time.perf_counter() - started:.1f}s ({connection.vendor})")
        counts = measure(clients_for(data), data)
        _report(counts, f"{scale} ({connection.vendor})")
        return counts
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def bench_data_in_database() -> BenchData:
    """What bench.generate returned when it built the data set in this database: the measured partnership is the
    first bench partnership made; its staff for each role the first one made with that role (with their TOTP); its
    young person the busiest one still active (the most work logs and recommendations, with claims), as
    bench.data's `measured_users` chooses."""
    from allauth.mfa.models import Authenticator
    from django.db.models import Count, Q

    from bench.data import bench_partnership_ids
    from bench.generate import SCALES, BenchData
    from participants.models import Membership, Role

    ids = sorted(bench_partnership_ids())
    if not ids:
        raise SystemExit("The database holds no bench data: generate it first (python -m bench.generate).")
    first = ids[0]
    scale = min(SCALES.values(), key=lambda s: abs(s.partnerships - len(ids)))
    members = Membership.objects.filter(partnership_id=first, status=Membership.Status.ACTIVE, user__is_active=True)
    with_totp = Authenticator.objects.filter(type=Authenticator.Type.TOTP).values("user_id")
    users: dict[str, int] = {}
    for role in Role.values:
        if role == Role.YOUNG_PERSON:
            chosen = (
                members.filter(Membership.with_role(role))
                .annotate(
                    logs=Count("work_logs", distinct=True),
                    made=Count("recommendation_contributions", distinct=True),
                    paid=Count("claims", distinct=True),
                )
                .filter(Q(made__gt=0) & Q(paid__gt=0))
            )
            ordered = sorted(chosen.values_list("user_id", "logs", "made", "pk"), key=lambda r: (-(r[1] + r[2]), r[3]))
            user_id = ordered[0][0] if ordered else None
        else:
            user_id = (
                members.filter(Membership.with_role(role), user_id__in=with_totp)
                .order_by("pk")
                .values_list("user_id", flat=True)
                .first()
            )
        if user_id is None:
            raise SystemExit(f"The measured partnership has no {role} to sign in as.")
        users[role] = user_id
    return BenchData(scale=scale, partnership_id=first, users=users)


def _report(counts: dict[str, int], where: str) -> None:
    say(f"queries per request, {where}:")
    for name, value in counts.items():
        say(f"  {name:32} {value:5}")


if __name__ == "__main__":
    main()
