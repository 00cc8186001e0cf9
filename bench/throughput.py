"""Benchmark: requests per second and latency of the key pages and API lists served by gunicorn, against a floor.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/young_scrutineers_bench .venv/bin/python -m bench.throughput
    ... --requests 200 --concurrency 8 --workers 2 --only young_person_home,api_claims

Needs a PostgreSQL database that already holds a generated data set (`python -m bench.generate`; `make bench` makes
it). Starts gunicorn (config.wsgi, `--workers` sync workers, 127.0.0.1 on a free port) with bench/settings.py
(production's behaviour over plain http) and BENCH_FLOOR_VIEW on, signs in one person per role of the measured
partnership by writing their sessions into the database (each carries the record of a second factor, as allauth
writes it after the TOTP step), and loads every page of bench/budgets.py KEY_URLS in turn from a second process
(bench/load.py): `--requests` requests from `--concurrency` clients over loopback, after a few untimed warm-up
requests.

The floor is /bench/floor/ (core.views.bench_floor): the same middleware, one indexed query, a small template. It is
loaded, the same way, right before each page, as the same kind of person (a young person, or a member of staff:
staff pages pass one more check, the second factor), so each ratio compares two runs made moments apart whatever
else the machine is doing. Then the peak memory (VmHWM) of the gunicorn workers is read and gunicorn is stopped.

Prints JSON lines on stdout; human text goes to stderr. Per page: rps_<name> (with "compare": {"page", "floor"}, the
floor run just before it), ratio_<name> (page over floor; the goal is 0.5 or more), p50_<name> and p95_<name> in ms,
errors_<name> (answers other than 200 and failed connections; must be 0). Per floor (floor_young_person,
floor_staff): the median of its runs' requests per second, p50 and p95 over all its runs, errors. Then the number of
pages under half of their floor and gunicorn_worker_peak_rss (the larger worker's VmHWM). Exits 1 when any request
failed.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from bench.load import percentile

if TYPE_CHECKING:
    from bench.budgets import KeyUrl
    from bench.generate import BenchData

ROOT = Path(__file__).resolve().parent.parent
FLOOR_PATH = "/bench/floor/"
GOAL = 0.5  # every page at half of the floor's requests per second or better
YOUNG, STAFF = "young_person", "staff"


def emit(name: str, value: float | int, unit: str, compare: dict[str, float] | None = None) -> None:
    line: dict[str, Any] = {"name": name, "value": value, "unit": unit}
    if compare is not None:
        line["compare"] = compare
    print(json.dumps(line), flush=True)


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Target:
    name: str
    path: str
    cookie: str
    kind: str  # YOUNG or STAFF: which floor it is compared with
    accept: str = "text/html"


@dataclass
class Gunicorn:
    process: subprocess.Popen[str]
    url: str
    workers: list[int]  # every worker pid gunicorn reported booting, in order


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="timed requests per page")
    parser.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--warmup", type=int, default=16, help="untimed requests per page first")
    parser.add_argument("--time-limit", type=float, default=120.0, help="seconds per page at most")
    parser.add_argument("--only", default="", help="comma-separated KEY_URLS names (default: all)")
    args = parser.parse_args()
    if min(args.requests, args.concurrency, args.workers) < 1 or args.warmup < 0 or args.time_limit <= 0:
        parser.error("--requests, --concurrency and --workers must be at least 1, --time-limit positive")

    # The same settings and the same keys here (to write sessions gunicorn accepts) as in gunicorn.
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_FLOOR_VIEW"] = "1"
    import django

    django.setup()
    from django.db import connection

    if connection.vendor != "postgresql":
        sys.exit("bench.throughput measures PostgreSQL: set DATABASE_URL to a database made by bench.generate.")

    from bench.budgets import keys_named
    from bench.query_budgets import bench_data_in_database

    data = bench_data_in_database()
    try:
        keys = keys_named(args.only)
    except ValueError as error:
        parser.error(str(error))
    failed = run(
        data,
        keys,
        requests=args.requests,
        concurrency=args.concurrency,
        workers=args.workers,
        warmup=args.warmup,
        time_limit=args.time_limit,
    )
    sys.exit(1 if failed else 0)


def run(
    data: BenchData,
    keys: list[KeyUrl],
    *,
    requests: int,
    concurrency: int,
    workers: int,
    warmup: int,
    time_limit: float,
) -> bool:
    """Measure the floors and the pages; print the figures. True when any request failed."""
    from django.db import connection

    from participants.models import STAFF_ROLES

    staff_roles = [key.role for key in keys if key.role in STAFF_ROLES] or sorted(set(data.users) & STAFF_ROLES)
    staff_role = staff_roles[0]  # the staff floor: any staff role passes the same middleware
    with signed_in_sessions(data, {key.role for key in keys} | {YOUNG, staff_role}) as cookies:
        floors = {
            YOUNG: Target(f"floor_{YOUNG}", FLOOR_PATH, cookies[YOUNG], YOUNG),
            STAFF: Target(f"floor_{STAFF}", FLOOR_PATH, cookies[staff_role], STAFF),
        }
        targets = [
            Target(
                key.name,
                key.path(data),
                cookies[key.role],
                STAFF if key.role in STAFF_ROLES else YOUNG,
                "application/json" if key.is_api else "text/html",
            )
            for key in keys
        ]
        connection.close()  # the server's connections are the ones that count

        load = _loader(requests=requests, concurrency=concurrency, warmup=warmup, time_limit=time_limit)
        with gunicorn(workers) as server:
            say(f"gunicorn at {server.url}, workers {server.workers}; {len(targets)} pages, {requests} requests each")
            # Each page right after its floor: the ratio compares two runs made moments apart, whatever else the
            # machine is doing meanwhile.
            floor_runs: dict[str, list[dict[str, Any]]] = {kind: [] for kind in floors}
            results: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {}
            for target in targets:
                floor_run = load(server, floors[target.kind])
                floor_runs[target.kind].append(floor_run)
                results[target.name] = (load(server, target), floor_run)
            for kind, runs in floor_runs.items():
                if not runs:
                    runs.append(load(server, floors[kind]))
            peaks = {pid: _peak_rss_mib(pid) for pid in _live_workers(server)}
            restarted = len(server.workers) > workers

    failed = False
    for kind, runs in floor_runs.items():
        emit(f"rps_{floors[kind].name}", round(statistics.median(run["rps"] for run in runs), 1), "req/s")
        failed |= _emit_latency_and_errors(floors[kind].name, *runs)
    under = 0
    for target in targets:
        result, floor_run = results[target.name]
        ratio = result["rps"] / floor_run["rps"] if floor_run["rps"] else 0.0
        under += ratio < GOAL
        emit(f"rps_{target.name}", _r(result), "req/s", {"page": _r(result), "floor": _r(floor_run)})
        emit(f"ratio_{target.name}", round(ratio, 3), "ratio")
        failed |= _emit_latency_and_errors(target.name, result)
    emit("throughput_pages_under_half_floor", under, "pages")
    if peaks:
        for pid, mib in peaks.items():
            say(f"gunicorn worker {pid}: peak RSS {mib:.1f} MiB")
        emit("gunicorn_worker_peak_rss", round(max(peaks.values()), 1), "MiB")
    if restarted:
        say(f"WARNING: gunicorn restarted a worker during the run (pids {server.workers}); peak memory misses it")
    return failed


def _r(result: dict[str, Any]) -> float:
    return round(float(result["rps"]), 1)


def _emit_latency_and_errors(name: str, *runs: dict[str, Any]) -> bool:
    """p50 and p95 of the timed requests of every run of the page, and the count of its failed requests."""
    latencies = sorted(ms for one in runs for ms in one["latencies_ms"])
    emit(f"p50_{name}", round(statistics.median(latencies), 1) if latencies else 0.0, "ms")
    emit(f"p95_{name}", round(percentile(latencies, 0.95), 1) if latencies else 0.0, "ms")
    errors = 0
    for one in runs:
        bad = {code: n for code, n in one["statuses"].items() if code != "200"}
        errors += sum(bad.values()) + sum(one["failures"].values())
        if bad or one["failures"]:
            say(f"ERROR {name}: answers {bad}, failed connections {one['failures']} ({one['url']})")
        if one["timed_out"]:
            say(f"WARNING {name}: the time limit stopped it after {one['answered']} of {one['requests']} requests")
    emit(f"errors_{name}", errors, "requests")
    return errors > 0


def _loader(*, requests: int, concurrency: int, warmup: int, time_limit: float) -> Any:
    def load(server: Gunicorn, target: Target) -> dict[str, Any]:
        """Run bench/load.py against one page, in its own process; its JSON result."""
        if server.process.poll() is not None:
            raise RuntimeError(f"gunicorn has stopped (exit code {server.process.returncode})")
        command = [
            sys.executable,
            "-m",
            "bench.load",
            f"--url={server.url}{target.path}",
            f"--cookie={target.cookie}",
            f"--accept={target.accept}",
            f"--requests={requests}",
            f"--concurrency={concurrency}",
            f"--warmup={warmup}",
            f"--time-limit={time_limit}",
        ]
        done = subprocess.run(  # noqa: S603 - our own interpreter and module, arguments we made
            command, cwd=ROOT, capture_output=True, text=True, timeout=time_limit * 2 + 60, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"bench.load failed on {target.name}: {done.stderr.strip()}")
        result: dict[str, Any] = json.loads(done.stdout)
        say(
            f"{target.name:32} {result['rps']:8.1f} req/s  p50 {result['p50_ms'] or 0:7.1f} ms  "
            f"p95 {result['p95_ms'] or 0:7.1f} ms  {result['statuses']}"
        )
        return result

    return load


@contextlib.contextmanager
def signed_in_sessions(data: BenchData, roles: set[str]) -> Iterator[dict[str, str]]:
    """role -> the Cookie header of a session of the measured partnership's person with that role; the sessions are
    deleted afterwards."""
    cookies = _sessions_for(data, sorted(roles))
    try:
        yield cookies
    finally:
        from django.contrib.sessions.models import Session

        keys = [cookie.split("=", 1)[1] for cookie in cookies.values()]
        Session.objects.filter(session_key__in=keys).delete()


def _sessions_for(data: BenchData, roles: list[str]) -> dict[str, str]:
    """Write a signed-in session for each role's person into the database, as a sign-in with the second factor leaves
    it (tests/conftest.py login_with_second_factor does the same through the test client)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY
    from django.contrib.auth import SESSION_KEY as USER_SESSION_KEY

    from core.tenancy import SESSION_KEY as PARTNERSHIP_SESSION_KEY
    from participants.models import User

    store_class = import_module(settings.SESSION_ENGINE).SessionStore
    cookies = {}
    for role in roles:
        if role not in data.users:
            raise LookupError(f"The generated data has no {role} in the measured partnership.")
        user = User.objects.get(pk=data.users[role])
        now = time.time()
        session = store_class()
        session[USER_SESSION_KEY] = user._meta.pk.value_to_string(user)
        session[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[PARTNERSHIP_SESSION_KEY] = data.partnership_id
        session["account_authentication_methods_user"] = str(user.pk)
        session["account_authentication_methods"] = [
            {"method": "password", "at": now, "email": user.email},
            {"method": "mfa", "at": now, "type": "totp"},
        ]
        session.create()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
    return cookies


@contextlib.contextmanager
def gunicorn(workers: int, startup_timeout: float = 60.0) -> Iterator[Gunicorn]:
    """gunicorn with `workers` sync workers on 127.0.0.1 and a port the system picks; stopped (SIGTERM, a graceful
    shutdown) on leaving. Its log goes to stderr."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.settings", "BENCH_FLOOR_VIEW": "1"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        f"--workers={workers}",
        "--bind=127.0.0.1:0",
        "--error-logfile=-",
        "--log-level=info",
        "--no-control-socket",  # gunicorn's runtime control interface: not needed, and it would live in $HOME
    ]
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and module, arguments we made
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    server = Gunicorn(process=process, url="", workers=[])
    listening = threading.Event()

    def follow_log() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            if match := re.search(r"Listening at: (http://127\.0\.0\.1:\d+)", line):
                server.url = match.group(1)
                listening.set()
            elif match := re.search(r"Booting worker with pid: (\d+)", line):
                server.workers.append(int(match.group(1)))
            print(f"  [gunicorn] {line.rstrip()}", file=sys.stderr, flush=True)

    reader = threading.Thread(target=follow_log, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + startup_timeout
        while not listening.wait(0.1):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not start (see its log above)")
        while not (len(server.workers) >= workers and _answers(server.url, FLOOR_PATH)):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("gunicorn's workers did not answer (see its log above)")
            time.sleep(0.2)
        yield server
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                say("gunicorn did not stop within 30 s of SIGTERM; killing it")
                process.kill()
                process.wait()
        reader.join(timeout=5)


def _answers(url: str, path: str) -> bool:
    """Whether the server answers HTTP at all (any status: without a session the floor sends to the sign-in page)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=5)
    try:
        conn.request("GET", path)
        conn.getresponse().read()
        return True
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _live_workers(server: Gunicorn) -> list[int]:
    """The worker pids still running (gunicorn replaces a worker that dies or times out)."""
    return [pid for pid in server.workers if Path(f"/proc/{pid}/status").exists()]


def _peak_rss_mib(pid: int) -> float:
    """The process's peak resident set size (VmHWM), in MiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024  # kB
    raise LookupError(f"no VmHWM for process {pid}")


if __name__ == "__main__":
    main()
