"""Every benchmark, on the national data set in the local PostgreSQL: what `make bench` runs.

    make bench                                                # or: .venv/bin/python -m bench.run_all
    BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/somewhere_else make bench
    .venv/bin/python -m bench.run_all --scale small          # a quick check (young_scrutineers_bench_small)

1. The database (BENCH_DATABASE_URL, by default young_scrutineers_bench on 127.0.0.1:5432 as postgres) is created
   when missing. It is reused when it already holds the national data set made by the same generator on the same
   migrations: after `python -m bench.generate --scale national` has finished in it, this script writes the scale and
   the fingerprint of bench/generate.py, bench/data.py and every migration into the database's comment (COMMENT ON
   DATABASE), and reads it back next time. A database of ours holding an older or unfinished data set is dropped and
   made again; a database that holds tables but not our comment is not ours, and is left alone (the run stops).
2. The benchmarks, one process each, in this order: bench.query_budgets (the national side is this database; the
   small side is generated in a throwaway database on the same server), bench.throughput (this database),
   bench.profile (this database: each key page's time in-process, split into SQL and the rest),
   bench.roles_load (this database: every role at once for 60 seconds, 20 on the small scale),
   bench.payments_batch (a throwaway database of its own on the same server) and bench.imports (a throwaway copy of
   this database).

Each benchmark's JSON lines are passed through to stdout as they come; anything else a benchmark writes to stdout goes
to stderr with its name, so stdout holds JSON lines only. Every benchmark runs even when one fails; the exit status
is 1 when any failed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/young_scrutineers_bench"
MARK = "young-scrutineers bench"


def benchmarks(scale: str, url: str) -> list[tuple[str, list[str]]]:
    """(name, the arguments after `python -m`) of every benchmark, in the order they run. National is the figures;
    small is a quick check that everything runs (smaller batch and import too)."""
    if scale == "national":
        return [
            ("query budgets", ["bench.query_budgets", "--national-database", url]),
            ("throughput", ["bench.throughput"]),
            ("where the time goes", ["bench.profile", "--floor"]),
            ("roles load", ["bench.roles_load"]),
            ("payments batch", ["bench.payments_batch"]),
            ("imports and annual report", ["bench.imports"]),
        ]
    return [
        ("query budgets", ["bench.query_budgets", "--database-ready"]),
        ("throughput", ["bench.throughput"]),
        ("where the time goes", ["bench.profile", "--floor", "--requests", "5"]),
        ("roles load", ["bench.roles_load", "--seconds", "20"]),
        ("payments batch", ["bench.payments_batch", "--claims", "500", "--payees", "100"]),
        ("imports and annual report", ["bench.imports", "--scale", "small", "--rows", "1000", "--requests", "2"]),
    ]


def say(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scale", choices=("national", "small"), default="national", help="small: a quick check that all runs"
    )
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--only", default="", help="comma-separated benchmark names (default: all)")
    args = parser.parse_args()
    url = args.database_url or (DEFAULT_URL if args.scale == "national" else f"{DEFAULT_URL}_small")
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql") or not parts.path.strip("/"):
        parser.error("the bench database must be a PostgreSQL URL naming a database, postgres://user@host:port/name")
    chosen = every = benchmarks(args.scale, url)
    if args.only:
        wanted = {name.strip() for name in args.only.split(",")}
        chosen = [(name, command) for name, command in every if name in wanted]
        if len(chosen) != len(wanted):
            parser.error(f"--only: choose from {', '.join(name for name, _ in every)}")

    prepare_database(url, args.scale)
    failed = [name for name, command in chosen if not run_benchmark(name, command, url)]
    if failed:
        say(f"failed: {', '.join(failed)}")
        sys.exit(1)


def prepare_database(url: str, scale: str) -> None:
    """Make sure the database at `url` holds the data set of `scale` of this checkout's generator and migrations."""
    name = urlsplit(url).path.strip("/")
    fingerprint = f"{scale} {_fingerprint()}"
    with _connect(_maintenance_url(url)) as admin:
        exists = admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone() is not None
        comment = ""
        if exists:
            row = admin.execute(
                "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            comment = (row[0] if row else None) or ""
        if comment == f"{MARK} {fingerprint}":
            say(f"{name}: holds the {scale} data set of this generator and these migrations; reusing it")
            return
        if exists and not comment.startswith(MARK) and _has_tables(url):
            raise SystemExit(
                f"{name} holds tables but was not made by `make bench`: choose another database with "
                "BENCH_DATABASE_URL, or drop this one yourself."
            )
        if exists:
            say(f"{name}: {'an older or unfinished data set' if comment else 'empty'}; making it again")
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        _mark(admin, name, "unfinished")  # ours from now on: a failed generation is dropped next time

    say(f"{name}: generating the {scale} data set")
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "bench.generate", "--scale", scale],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        text=True,
        check=False,
    )
    _pass_through("generate", done.stdout)
    if done.returncode != 0:
        raise SystemExit(f"bench.generate failed (exit code {done.returncode})")
    say(f"{name}: generated in {time.perf_counter() - started:.0f}s")
    with _connect(_maintenance_url(url)) as admin:
        _mark(admin, name, fingerprint)


def _mark(admin: psycopg.Connection[Any], name: str, state: str) -> None:
    admin.execute(sql.SQL("COMMENT ON DATABASE {} IS {}").format(sql.Identifier(name), sql.Literal(f"{MARK} {state}")))


def run_benchmark(name: str, arguments: list[str], url: str) -> bool:
    """Run one benchmark with DATABASE_URL set to the bench database; True when it succeeded."""
    say(f"--- {name}: python -m {' '.join(arguments)}")
    started = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and modules
        [sys.executable, "-m", *arguments],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    for line in process.stdout:
        _pass_through(name, line)
    code = process.wait()
    say(f"--- {name}: {'done' if code == 0 else f'FAILED (exit code {code})'} in {time.perf_counter() - started:.0f}s")
    return code == 0


def _pass_through(name: str, text: str) -> None:
    """JSON lines to stdout; anything else to stderr, marked with the benchmark's name."""
    for line in text.splitlines():
        try:
            figure = json.loads(line)
        except ValueError:
            figure = None
        if isinstance(figure, dict) and {"name", "value", "unit"} <= figure.keys():
            print(line, flush=True)
        elif line.strip():
            say(f"[{name}] {line}")


def _fingerprint() -> str:
    """What the generated data depends on: the generator and the schema (every migration of every app)."""
    digest = hashlib.sha256()
    files = [ROOT / "bench" / "generate.py", ROOT / "bench" / "data.py", *sorted(ROOT.glob("*/migrations/*.py"))]
    for path in files:
        if path.exists():
            digest.update(str(path.relative_to(ROOT)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _maintenance_url(url: str) -> str:
    """The same server, database "postgres": where databases are created and dropped."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _connect(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url, autocommit=True)


def _has_tables(url: str) -> bool:
    with _connect(url) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables"
            " WHERE table_schema NOT IN ('pg_catalog', 'information_schema')"
        ).fetchone()
    return bool(row and row[0])


if __name__ == "__main__":
    main()
