"""The national-scale data set the benchmarks run on, built with bulk inserts.

    .venv/bin/python -m bench.generate                       # national scale, into DATABASE_URL's database
    .venv/bin/python -m bench.generate --scale small         # a quick one
    .venv/bin/python -m bench.generate --replace             # remove the bench data already there first

Writes into the database of DATABASE_URL (bench.sqlite3 beside manage.py when it is not set, never the development
database), migrating it first, with config.settings.local unless DJANGO_SETTINGS_MODULE says otherwise (its
FIELD_ENCRYPTION_KEYS encrypt the TOTP secrets and bank details, so serve the data with the same keys: the
throughput benchmark's bench/settings.py uses them). Refuses when the database already holds bench data (partnerships
whose slug starts "bench-") unless --replace. Prints JSON lines: {"name": "generate_<scale>", "value": seconds,
"unit": "s"}, then one {"name": "rows_<table>", "value": n, "unit": "rows"} per table written.

What is in it, per partnership (its share of the scale's totals; the first partnership, the one the benchmarks
measure, gets a fair share and no more): one person in each staff role (two finance officers: a batch is approved by
someone other than its maker), every one with a TOTP second factor; young people aged 13 to 25 with profiles,
consents that count today, training records, payment set-ups and accounts, onboarding checklists and support notes;
three recruitment rounds (two closed, one open) with outreach links and applications at every stage; engagements of
every type spread over the last two years and the next four months, with interests, confirmed places, attendance and
one work log per attended place (most approved and claimed); a claim per claimed log with its lines, paid in monthly
batches (payouts on Stripe, bank and voucher rails), the recent ones in a draft batch or open; recommendations with
their young people, a response each (every decision and status, some overdue), a timeline, evidence, ratings and
notifications; outputs; library examples (some published) with a question between partnerships; a few concerns;
and audit rows about all of it. Everyone signs in with bench.data.BENCH_PASSWORD and BENCH_TOTP_SECRET.

On this machine (2 cores, shared): national 77 s on PostgreSQL and 103 s on SQLite (2.57 million rows), small about
1.5 s. How it is that quick is in bench/data.py. Nothing else should use the database meanwhile (on PostgreSQL the
tables written are locked until the end).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_SEED = 20_260_101
RANDOM_PAGE_COST = 1.1  # docs/operations.md, "PostgreSQL": the production setting for data on SSD or in memory


@dataclass(frozen=True)
class Scale:
    name: str
    partnerships: int
    young_people: int
    applications: int
    engagements: int
    work_logs: int  # and a claim for each claimed one (about 96%: the newest wait for approval)
    recommendations: int
    timeline_entries: int
    audit_rows: int


NATIONAL = Scale("national", 137, 8_000, 20_000, 30_000, 200_000, 20_000, 100_000, 300_000)
SMALL = Scale("small", 3, 120, 300, 300, 2_000, 200, 1_000, 3_000)
SCALES = {scale.name: scale for scale in (NATIONAL, SMALL)}


@dataclass
class BenchData:
    """What the benchmarks need to find in the generated data: the partnership they measure (the first, with its
    fair share of everything) and one signed-in person per role in it (staff have a TOTP second factor)."""

    scale: Scale
    partnership_id: int
    users: dict[str, int] = field(default_factory=dict)  # role -> user id, in the measured partnership
    seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)  # table -> rows written


def generate(
    scale: Scale,
    *,
    seed: int = DEFAULT_SEED,
    now: datetime.datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> BenchData:
    """Build the data set in the current database (which must be empty of bench data) and return what the
    benchmarks need. Prints nothing (`progress`, if given, is told how far it has gone); the command prints the time.

    The same seed and the same `now` (default: the start of this hour) give the same data set."""
    from django.conf import settings
    from django.utils import timezone

    from bench.data import bench_partnership_ids, build

    if not settings.DEMO_DATA_ALLOWED:
        raise RuntimeError("Bench data has a known password and TOTP secret: only local and test settings allow it.")
    if bench_partnership_ids():
        raise RuntimeError("This database already holds bench data (partnerships whose slug starts 'bench-').")
    started = time.perf_counter()
    built = build(
        partnerships=scale.partnerships,
        young_people=scale.young_people,
        applications=scale.applications,
        engagements=scale.engagements,
        work_logs=scale.work_logs,
        recommendations=scale.recommendations,
        timeline_entries=scale.timeline_entries,
        audit_rows=scale.audit_rows,
        seed=seed,
        now=now or timezone.now().replace(minute=0, second=0, microsecond=0),
        progress=progress,
    )
    return BenchData(
        scale=scale,
        partnership_id=built.partnership_id,
        users=built.users,
        seconds=time.perf_counter() - started,
        rows=built.counts,
    )


def figure(name: str, value: float, unit: str) -> None:
    print(json.dumps({"name": name, "value": value, "unit": unit}), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", choices=sorted(SCALES), default=NATIONAL.name)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--replace", action="store_true", help="delete the bench data already in the database first (not the rest)"
    )
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG would keep every INSERT's text in memory
    if not os.environ.get("DATABASE_URL"):
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(__file__).resolve().parent.parent / 'bench.sqlite3'}"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    from bench.data import bench_partnership_ids, delete_bench_data

    if not settings.DEMO_DATA_ALLOWED:
        say("Bench data has a known password and TOTP secret: use local or test settings (DJANGO_SETTINGS_MODULE).")
        return 2
    name = connection.settings_dict["NAME"]
    say(f"migrating {connection.vendor} database {name}")
    call_command("migrate", interactive=False, verbosity=0)
    if bench_partnership_ids():
        if not args.replace:
            say(
                f"The database {name} already holds bench data. Pass --replace to delete it first (only the bench "
                "partnerships and people go), or use an empty database (on PostgreSQL dropping and re-creating it is "
                "the quickest: dropdb, createdb)."
            )
            return 1
        started = time.perf_counter()
        deleted = delete_bench_data()
        say(f"deleted {sum(deleted.values())} rows of bench data in {time.perf_counter() - started:.1f}s")

    scale = SCALES[args.scale]
    say(f"generating the {scale.name} data set ({scale.partnerships} partnerships) ...")
    data = generate(scale, seed=args.seed, progress=say)
    if connection.vendor == "postgresql":
        # As after pg_restore: the planner needs statistics about the rows just written, or it guesses (and picks
        # sequential scans over the indexes). Autovacuum would get there in its own time; a benchmark cannot wait.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
            # The planner setting docs/operations.md asks of production (data on SSD or in memory): with the default
            # random_page_cost of 4 (a spinning disk) PostgreSQL hashes whole tables where a few index lookups do.
            name = connection.ops.quote_name(connection.settings_dict["NAME"])
            cursor.execute(f"ALTER DATABASE {name} SET random_page_cost = {RANDOM_PAGE_COST}")
        say(f"analysed the tables in {time.perf_counter() - started:.1f}s; random_page_cost = {RANDOM_PAGE_COST}")
    say(f"done in {data.seconds:.1f}s: {sum(data.rows.values())} rows; measured partnership {data.partnership_id}")
    figure(f"generate_{scale.name}", round(data.seconds, 2), "s")
    for table, count in sorted(data.rows.items()):
        figure(f"rows_{table}", count, "rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
