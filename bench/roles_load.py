"""Benchmark and check: a bounded load run with every role at once against gunicorn, for a fixed time.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/young_scrutineers_bench .venv/bin/python -m bench.roles_load
    ... --seconds 20 --requests 2000 --concurrency 2 --workers 2          # LOAD_SECONDS=20 works too

Needs a PostgreSQL database that already holds a generated data set (`python -m bench.generate`, the small scale is
enough; `make bench` makes the national one). Starts gunicorn (config.wsgi, `--workers` sync workers, on 127.0.0.1
and a port the system picks) with bench/settings.py, the way bench/throughput.py does, and signs in one person per
role of the measured partnership the same way (a session written into the database, staff with the record of their
second factor): a young person, a participation worker, a finance officer, a safeguarding lead, a scrutiny lead and
a partnership admin.

Then all six load the server at the same time, one load process each (bench/load.py, `--concurrency` connections
per role, loopback only): each goes round its role's pages and API lists (`ROLE_URLS`: the key URLs of
bench/budgets.py that role opens, and a few more of its everyday pages), pages asked for as HTML and the API as
JSON, until `--seconds` have passed or it has sent `--requests` requests (a fixed cap per role), whichever comes
first. Every URL is one the role may open: every answer should be 200.

Prints JSON lines on stdout ({"name", "value", "unit"}); human text (and, for any answer but 200, which URL gave
it) goes to stderr. Per role: roles_load_requests_<role> (timed answers), roles_load_rps_<role>, roles_load_p50_<role>
and roles_load_p95_<role> (ms), roles_load_errors_<role> (answers other than 200, warm-up included, and failed
connections), roles_load_5xx_<role>. Then the totals: roles_load_requests, roles_load_rps, roles_load_p50,
roles_load_p95, roles_load_errors, roles_load_5xx, roles_load_4xx, roles_load_failed_connections and
roles_load_seconds (the longest role's wall time). Exits 1 when any request failed or answered other than 200.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from bench.load import percentile
from bench.throughput import emit, gunicorn, say, signed_in_sessions

if TYPE_CHECKING:
    from bench.budgets import KeyUrl
    from bench.generate import BenchData

ROOT = Path(__file__).resolve().parent.parent
# participants.models.Role values, in the order they are reported.
ROLES = [
    "young_person",
    "participation_worker",
    "finance_officer",
    "safeguarding_lead",
    "scrutiny_lead",
    "partnership_admin",
]
PREFIX = "roles_load"

# Everyday pages of each role beyond the key URLs (bench/budgets.py), so that every role has pages and API lists to
# go round, the partnership admin and the safeguarding lead included. Reads only: nothing here changes data.
MORE_URLS: dict[str, list[tuple[str, str]]] = {
    "young_person": [
        ("my_engagements", "/my-engagements/"),
        ("my_work_logs", "/work-logs/"),
        ("my_training", "/me/training/"),
        ("my_portfolio", "/me/portfolio/"),
        ("notifications", "/notifications/"),
        ("api_me", "/api/v1/me/"),
    ],
    "participation_worker": [
        ("worker_home", "/staff/"),
        ("engagement_list", "/staff/engagements/"),
        ("work_log_queue", "/staff/work-logs/"),
        ("support_overview", "/staff/support/"),
    ],
    "finance_officer": [
        ("finance_home", "/staff/"),
        ("claims", "/finance/claims/"),
        ("batches", "/finance/batches/"),
        ("payouts", "/finance/payouts/"),
        ("pay_rates", "/finance/rates/"),
    ],
    "safeguarding_lead": [
        ("safeguarding_home", "/staff/"),
        ("concern_list", "/staff/concerns/"),
        ("staff_checks", "/staff/checks/"),
        ("consent_overview", "/staff/consents/"),
        ("risk_assessments", "/staff/risk-assessments/"),
        ("followups", "/staff/follow-ups/"),
    ],
    "scrutiny_lead": [
        ("scrutiny_home", "/staff/"),
        ("results", "/results/"),
        ("overdue_responses", "/responses/overdue/"),
        ("library", "/library/"),
    ],
    "partnership_admin": [
        ("admin_home", "/staff/"),
        ("team_list", "/staff/people/"),
        ("audit_log", "/staff/audit-log/"),
        ("consent_policy", "/staff/consents/policy/"),
        ("school_terms", "/staff/school-terms/"),
        ("opportunity_types", "/staff/opportunity-types/"),
        ("feedback_settings", "/settings/feedback/"),
    ],
}


def role_urls() -> dict[str, list[KeyUrl]]:
    """role -> the URLs it goes round: the key URLs it opens (bench/budgets.py KEY_URLS) and MORE_URLS."""
    from bench.budgets import KEY_URLS, KeyUrl, _fixed

    more = [KeyUrl(name, role, _fixed(path)) for role, urls in MORE_URLS.items() for name, path in urls]
    return {role: [key for key in KEY_URLS + more if key.role == role] for role in ROLES}


@dataclass(frozen=True)
class RolePlan:
    role: str
    paths: list[str]
    accepts: list[str]
    cookie: str


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--seconds",
        type=float,
        default=float(os.environ.get("LOAD_SECONDS", "60")),
        help="how long every role loads the server (default: LOAD_SECONDS, or 60)",
    )
    parser.add_argument("--requests", type=int, default=6000, help="the most requests one role sends")
    parser.add_argument("--concurrency", type=int, default=2, help="connections per role")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument(
        "--warmup", type=int, default=-1, help="untimed requests per role first (default: one per connection)"
    )
    args = parser.parse_args()
    if min(args.requests, args.concurrency, args.workers) < 1 or args.seconds <= 0:
        parser.error("--requests, --concurrency and --workers must be at least 1, --seconds positive")

    # The same settings and keys here (to write sessions gunicorn accepts) as in gunicorn.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_FLOOR_VIEW"] = "1"  # gunicorn() waits until the floor view answers
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench.roles_load loads PostgreSQL: set DATABASE_URL to a database made by bench.generate.")

    from bench.query_budgets import bench_data_in_database

    failed = run(
        bench_data_in_database(),
        seconds=args.seconds,
        requests=args.requests,
        concurrency=args.concurrency,
        workers=args.workers,
        warmup=args.warmup,
    )
    sys.exit(1 if failed else 0)


def run(data: BenchData, *, seconds: float, requests: int, concurrency: int, workers: int, warmup: int = -1) -> bool:
    """Load the server with every role at once; print the figures. True when any request failed or answered
    anything but 200. `warmup` -1: one untimed request per connection first (it opens the connection; the pages'
    first requests, with their one-off costs, are then part of the timed run, as they are for real people)."""
    from django.db import connection

    urls = role_urls()
    with signed_in_sessions(data, set(ROLES)) as cookies:
        plans = [
            RolePlan(
                role=role,
                paths=[key.path(data) for key in urls[role]],
                accepts=["application/json" if key.is_api else "text/html" for key in urls[role]],
                cookie=cookies[role],
            )
            for role in ROLES
        ]
        connection.close()  # the server's connections are the ones that count

        with gunicorn(workers) as server:
            say(
                f"gunicorn at {server.url}, workers {server.workers}; {len(plans)} roles at once for {seconds:g} s "
                f"(at most {requests} requests each, {concurrency} connections each)"
            )
            results = _load_all(
                server.url, plans, seconds=seconds, requests=requests, concurrency=concurrency, warmup=warmup
            )
            restarted = len(server.workers) > workers
    if restarted:
        say(f"WARNING: gunicorn restarted a worker during the run (pids {server.workers})")
    return report(results)


def _load_all(
    url: str, plans: list[RolePlan], *, seconds: float, requests: int, concurrency: int, warmup: int
) -> dict[str, dict[str, Any]]:
    """Start one bench.load process per role, all at once; wait for them all. role -> bench.load's JSON result."""
    running: list[tuple[RolePlan, subprocess.Popen[bytes], IO[bytes]]] = []
    try:
        for plan in plans:
            command = [sys.executable, "-m", "bench.load", f"--cookie={plan.cookie}"]
            for path, accept in zip(plan.paths, plan.accepts, strict=True):
                command += [f"--url={url}{path}", f"--accept={accept}"]
            command += [
                f"--requests={requests}",
                f"--concurrency={concurrency}",
                f"--warmup={concurrency if warmup < 0 else warmup}",
                f"--time-limit={seconds}",
            ]
            # Its answer can be larger than a pipe holds (every latency): a file, read once it has exited. What it
            # says on stderr (only if it fails) goes to ours.
            answer: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed in the finally below
            process = subprocess.Popen(command, cwd=ROOT, stdout=answer)  # noqa: S603 - our module, our arguments
            running.append((plan, process, answer))
        results = {}
        for plan, process, answer in running:
            code = process.wait(timeout=seconds * 2 + 60)
            if code != 0:
                raise RuntimeError(f"bench.load failed for {plan.role} (exit code {code}, see above)")
            answer.seek(0)
            results[plan.role] = json.loads(answer.read())
        return results
    finally:
        for _, process, answer in running:
            if process.poll() is None:
                process.kill()
                process.wait()
            answer.close()


def report(results: dict[str, dict[str, Any]]) -> bool:
    """Print the figures of each role and the totals; True when any request failed or answered other than 200."""
    totals: Counter[str] = Counter()
    latencies: list[float] = []
    for role, result in results.items():
        statuses = Counter({int(code): n for code, n in result["statuses"].items()})
        failures = sum(result["failures"].values())
        not_ok = sum(n for code, n in statuses.items() if code != 200)
        server_errors = sum(n for code, n in statuses.items() if code >= 500)
        client_errors = sum(n for code, n in statuses.items() if 400 <= code < 500)
        ordered = sorted(result["latencies_ms"])
        latencies += ordered
        say(
            f"{role:22} {result['answered']:6} answers {result['rps']:7.1f} req/s  p50 {result['p50_ms'] or 0:7.1f} ms"
            f"  p95 {result['p95_ms'] or 0:7.1f} ms  {result['statuses']} failed connections {result['failures']}"
        )
        for url, by_status in result["by_url"].items():
            odd = {code: n for code, n in by_status.items() if code != "200"}
            if odd:
                say(f"ERROR {role}: {url} answered {odd}")
        if not result["timed_out"]:
            say(f"{role}: the request cap ({result['requests']}) ended its run before the time limit")
        emit(f"{PREFIX}_requests_{role}", result["answered"], "requests")
        emit(f"{PREFIX}_rps_{role}", round(result["rps"], 1), "req/s")
        emit(f"{PREFIX}_p50_{role}", _median(ordered), "ms")
        emit(f"{PREFIX}_p95_{role}", _p95(ordered), "ms")
        emit(f"{PREFIX}_errors_{role}", not_ok + failures, "requests")
        emit(f"{PREFIX}_5xx_{role}", server_errors, "requests")
        totals.update(answered=result["answered"], not_ok=not_ok, failures=failures, e5=server_errors, e4=client_errors)
    seconds = max((result["seconds"] for result in results.values()), default=0.0)
    latencies.sort()
    emit(f"{PREFIX}_requests", totals["answered"], "requests")
    emit(f"{PREFIX}_rps", round(totals["answered"] / seconds, 1) if seconds else 0.0, "req/s")
    emit(f"{PREFIX}_p50", _median(latencies), "ms")
    emit(f"{PREFIX}_p95", _p95(latencies), "ms")
    emit(f"{PREFIX}_errors", totals["not_ok"] + totals["failures"], "requests")
    emit(f"{PREFIX}_5xx", totals["e5"], "requests")
    emit(f"{PREFIX}_4xx", totals["e4"], "requests")
    emit(f"{PREFIX}_failed_connections", totals["failures"], "requests")
    emit(f"{PREFIX}_seconds", round(seconds, 1), "s")
    return bool(totals["not_ok"] or totals["failures"])


def _median(ordered: list[float]) -> float:
    return round(statistics.median(ordered), 1) if ordered else 0.0


def _p95(ordered: list[float]) -> float:
    return round(percentile(ordered, 0.95), 1) if ordered else 0.0


if __name__ == "__main__":
    main()
