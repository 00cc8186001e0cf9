"""Benchmark: importing a 10,000-row response spreadsheet (CSV and XLSX), and building the annual report PDF, for one
partnership of the national data set.

    .venv/bin/python -m bench.imports                        # or: --scale small --rows 1000 --requests 5
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/young_scrutineers .venv/bin/python -m bench.imports

Works in a throwaway database: a copy of DATABASE_URL's database when that is PostgreSQL and already holds the data set
(as `make bench` leaves it: bench/run_all.py), else an empty one (SQLite by default, a database named after this
process on the server of DATABASE_URL otherwise) in which bench.generate builds it. Then, in the measured partnership:

- the annual report PDF: its young person asks for the PDF of the reporting year with the most engagements, through
  the page (django.test.Client, every middleware), `--requests` times; the median time and the queries per request.
  Measured first, on the data set as generated.
- the import: `--rows` recommendations with a response (two young people made each) are added with bulk inserts;
  the scrutiny lead downloads the responses (the import's own download), changes the progress of every row (and
  writes a timeline note on every tenth), and imports the file: preview, then commit, through the services the pages
  and the API call. Once as CSV, then (on the download taken after that commit) as XLSX. Each commit changes every
  row, so each row writes its timeline entry, its notifications and its audit row, as a change made by hand does.
  The notification emails are queued for the Celery worker (an in-memory broker here), not sent in process.

Prints JSON lines ({"name", "value", "unit"}); human text goes to stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import logging
import os
import statistics
import sys
import time
from typing import Any


def emit(name: str, value: float, unit: str) -> None:
    """One figure, as a JSON line on stdout."""
    print(json.dumps({"name": name, "value": value, "unit": unit}), flush=True)


def say(text: str) -> None:
    """Human text, on stderr."""
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", default="national", help="national or small (bench.generate's scales)")
    parser.add_argument(
        "--rows", type=int, default=10_000, help="rows in each spreadsheet (at most the import's limit)"
    )
    parser.add_argument("--requests", type=int, default=5, help="annual report PDFs to build (the median is shown)")
    parser.add_argument(
        "--fresh", action="store_true", help="generate the data set even when DATABASE_URL's database holds it"
    )
    args = parser.parse_args()

    # bench.generate's settings: its encryption keys wrote the TOTP secrets and bank details of a data set it made.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    os.environ.setdefault("DJANGO_DEBUG", "false")  # DEBUG would keep every query's text in memory
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    from bench.generate import SCALES, generate
    from engagements.services.response_import import MAX_ROWS

    if args.scale not in SCALES:
        parser.error(f"--scale must be one of: {', '.join(SCALES)}")
    if not 1 <= args.rows <= MAX_ROWS:
        parser.error(f"--rows must be from 1 to {MAX_ROWS} (the import's limit)")
    if args.requests < 1:
        parser.error("--requests must be at least 1")

    for name in ("celery", "kombu", "engagements"):
        logging.getLogger(name).setLevel(logging.ERROR)
    setup_test_environment()
    # Emails are the worker's work: queue them on an in-memory broker instead of sending them in process.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from config.celery_app import app

    app.conf.update(task_always_eager=False, broker_url="memory://")
    scale = SCALES[args.scale]
    throwaway = f"test_bench_imports_{os.getpid()}"  # never the test suite's database, which may be in use
    data = None if args.fresh else _copy_of_generated(connection, scale=scale, copy=throwaway)
    if data is not None:
        try:
            _annual_report(data, requests=args.requests, connection=connection)
            _imports(data, rows=args.rows, connection=connection)
        finally:
            _drop(connection, throwaway)
        return
    if connection.vendor != "sqlite":
        connection.settings_dict["TEST"]["NAME"] = throwaway
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        started = time.perf_counter()
        data = generate(scale)
        say(f"generated the {scale.name} data set in {time.perf_counter() - started:.1f}s ({connection.vendor})")
        _annual_report(data, requests=args.requests, connection=connection)
        _imports(data, rows=args.rows, connection=connection)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


# --- The database ----------------------------------------------------------------------------------------------------


def _copy_of_generated(connection: Any, *, scale: Any, copy: str) -> Any:
    """When DATABASE_URL's database (PostgreSQL) holds the data set at this scale, as `make bench` leaves it, make a
    copy of it (CREATE DATABASE ... TEMPLATE: seconds, where generating takes minutes), switch to the copy and
    return what bench.generate returned when it made it. None when there is none, or it cannot be copied now (the
    copy needs nobody else connected to it): the caller generates the data set instead."""
    from django.db import DatabaseError

    from bench.data import bench_partnership_ids
    from bench.query_budgets import bench_data_in_database

    if connection.vendor != "postgresql":
        return None
    source = connection.settings_dict["NAME"]
    try:
        partnerships = len(bench_partnership_ids())
    except DatabaseError:  # not migrated: no data set in it
        partnerships = 0
    finally:
        connection.close()
    if partnerships != scale.partnerships:
        return None
    quote = connection.ops.quote_name
    try:
        with connection._nodb_cursor() as cursor:
            cursor.execute(f"CREATE DATABASE {quote(copy)} TEMPLATE {quote(source)}")
    except DatabaseError as error:
        say(f"could not copy {source} ({str(error).strip()}); generating the data set instead")
        return None
    connection.settings_dict["NAME"] = copy
    say(f"copied the {scale.name} data set of {source} into {copy}")
    try:
        return bench_data_in_database()
    except BaseException:
        _drop(connection, copy)
        raise


def _drop(connection: Any, name: str) -> None:
    connection.close()
    with connection._nodb_cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {connection.ops.quote_name(name)}")


# --- The annual report ---------------------------------------------------------------------------------------------


def _annual_report(data: Any, *, requests: int, connection: Any) -> None:
    from django.db.models import Count
    from django.db.models.functions import ExtractMonth, ExtractYear
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from bench.budgets import counted
    from core.tenancy import act_in
    from engagements.models import Engagement
    from engagements.selectors.reports import UK, annual_report_years, reporting_year_of
    from participants.models import Role, User

    young = User.objects.get(pk=data.users[Role.YOUNG_PERSON])
    act_in(young, data.partnership_id)
    years = annual_report_years(young)
    if not years:
        raise SystemExit("The measured partnership has no reporting year with engagements or recommendations.")
    by_year: dict[int, int] = dict.fromkeys(years, 0)
    months = (
        Engagement.objects.filter(partnership_id=data.partnership_id)
        .annotate(y=ExtractYear("starts_at", tzinfo=UK), m=ExtractMonth("starts_at", tzinfo=UK))
        .values("y", "m")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in months:
        year = reporting_year_of(datetime.date(row["y"], row["m"], 1))
        if year in by_year:
            by_year[year] += row["n"]
    year = max(years, key=lambda y: (by_year[y], y))

    client = Client()
    client.force_login(young, backend="allauth.account.auth_backends.AuthenticationBackend")
    url = reverse("annual_report_pdf", args=[year])
    timings: list[float] = []
    counts: list[int] = []
    size = 0
    for _ in range(requests + 1):  # the first is a warm-up
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            response = client.get(url)
            timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        assert response["Content-Type"] == "application/pdf"
        counts.append(len(counted(queries.captured_queries)))
        size = len(response.content)
    timings, counts = timings[1:], counts[1:]
    median = statistics.median(timings)
    say(
        f"annual report PDF {year}/{year + 1} ({by_year[year]} engagements that year): median {median:.0f} ms of "
        f"{requests}, {counts[-1]} queries, {size / 1024:.0f} KB"
    )
    emit("annual_report_pdf", round(median, 1), "ms")
    emit("annual_report_pdf_queries", counts[-1], "queries")


# --- The spreadsheet import ------------------------------------------------------------------------------------------


def _add_responses(data: Any, rows: int) -> tuple[Any, set[int]]:
    """`rows` recommendations with a response in the measured partnership, each made by two of its young people, and
    its scrutiny lead acting in it. Returns the lead and the recommendations' ids."""
    from django.db import transaction
    from django.utils import timezone

    from core.tenancy import act_in
    from engagements.models import (
        Engagement,
        OpportunityType,
        Recommendation,
        RecommendationContributor,
        RecommendationResponse,
    )
    from participants.models import Membership, Role, User

    partnership_id = data.partnership_id
    lead = User.objects.get(pk=data.users[Role.SCRUTINY_LEAD])
    act_in(lead, partnership_id)
    young = list(
        Membership.objects.filter(
            Membership.with_role(Role.YOUNG_PERSON), partnership_id=partnership_id, status=Membership.Status.ACTIVE
        ).values_list("pk", flat=True)
    )
    assert len(young) >= 2, "the measured partnership needs at least two young people"
    now = timezone.now()
    with transaction.atomic():
        engagements = list(Engagement.objects.filter(partnership_id=partnership_id).values_list("pk", flat=True))
        if not engagements:
            engagements = [
                Engagement.objects.create(
                    partnership_id=partnership_id,
                    title="Bench panel",
                    opportunity_type=OpportunityType.SECTION_11_PANEL,
                    starts_at=now - datetime.timedelta(days=60),
                    ends_at=now - datetime.timedelta(days=60, hours=-2),
                    location="Council offices",
                ).pk
            ]
        recommendations = Recommendation.objects.bulk_create(
            (
                Recommendation(
                    partnership_id=partnership_id,
                    engagement_id=engagements[n % len(engagements)],
                    text=(
                        f"Recommendation {n}: young people should be asked before a plan about them is changed, and "
                        "told what was decided and why, in plain words, within four weeks."
                    ),
                    theme="Being listened to",
                    agency="Children's services",
                    created_by=lead,
                    created_at=now - datetime.timedelta(days=90, minutes=n),
                )
                for n in range(rows)
            ),
            batch_size=2000,
        )
        RecommendationResponse.objects.bulk_create(
            (
                RecommendationResponse(
                    partnership_id=partnership_id,
                    recommendation=recommendation,
                    owner_agency="Children's services",
                    owner_name="Sam Jones",
                    owner_email="sam.jones@council.example",
                    decision=RecommendationResponse.Decision.ACCEPTED,
                    status=RecommendationResponse.Status.IN_PROGRESS,
                    progress=10,
                    due_on=datetime.date(2027, 3, 31),
                    created_by=lead,
                    created_at=now - datetime.timedelta(days=80),
                    updated_at=now - datetime.timedelta(days=80),
                )
                for recommendation in recommendations
            ),
            batch_size=2000,
        )
        RecommendationContributor.objects.bulk_create(
            (
                RecommendationContributor(
                    partnership_id=partnership_id,
                    recommendation=recommendation,
                    membership_id=young[(2 * n + k) % len(young)],
                )
                for n, recommendation in enumerate(recommendations)
                for k in range(2)
            ),
            batch_size=2000,
        )
    return lead, {recommendation.pk for recommendation in recommendations}


def _edited_file(lead: Any, wanted: set[int], *, kind: str) -> tuple[bytes, int]:
    """The import's own download, as a person edits it: only the `wanted` rows, each with its progress up by 10 and
    every tenth with a note for the timeline. Returns the file and its number of rows."""
    import tablib

    from engagements.services.response_import import responses_dataset

    download = responses_dataset(lead, dates_as_text=kind == "csv")
    headers = list(download.headers or [])
    edited = tablib.Dataset(headers=headers)
    progress, update, rec = headers.index("progress"), headers.index("update"), headers.index("recommendation_id")
    for n, row in enumerate(download):
        if row[rec] not in wanted:
            continue
        cells = list(row)
        cells[progress] = int(cells[progress]) + 10
        if n % 10 == 0:
            cells[update] = "We met the young people's panel and agreed the next steps."
        edited.append(cells)
    content = edited.export(kind)
    return (content.encode() if isinstance(content, str) else content), edited.height


@contextlib.contextmanager
def _counting(connection: Any) -> Any:
    """Count the queries run inside, as the query budgets count them (transaction control, savepoints included, is
    left out); yields a one-item list holding the count."""
    from bench.budgets import TRANSACTION_CONTROL

    count = [0]

    def counter(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        if not sql.lstrip().upper().startswith(TRANSACTION_CONTROL):
            count[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        yield count


def _imports(data: Any, *, rows: int, connection: Any) -> None:
    from engagements.models import ResponseImport
    from engagements.services.response_import import (
        response_import_apply,
        response_import_commit,
        response_import_preview,
    )

    started = time.perf_counter()
    lead, wanted = _add_responses(data, rows)
    say(f"added {rows:,} recommendations with responses in {time.perf_counter() - started:.1f}s")
    for kind in ("csv", "xlsx"):
        content, count = _edited_file(lead, wanted, kind=kind)
        with _counting(connection) as preview_queries:
            started = time.perf_counter()
            previewed = response_import_preview(actor=lead, file=io.BytesIO(content), file_name=f"responses.{kind}")
            preview_seconds = time.perf_counter() - started
        assert previewed.error_count == 0, previewed.rows[:3]
        with _counting(connection) as commit_queries:
            started = time.perf_counter()
            # The request queues the commit; the Celery task applies every row (timed together: the task is the cost).
            response_import_commit(actor=lead, import_id=previewed.pk)
            committed = response_import_apply(import_id=previewed.pk, actor_id=lead.pk)
            commit_seconds = time.perf_counter() - started
        assert committed is not None and committed.status == ResponseImport.Status.COMMITTED, committed
        assert len(committed.report) == count, (len(committed.report), count)
        total = preview_seconds + commit_seconds
        size = len(content) / 1024 / 1024
        say(f"import {kind.upper()} {count:,} rows ({size:.1f} MB):")
        say(f"  preview {preview_seconds:.1f}s, {preview_queries[0]} queries")
        say(f"  commit {commit_seconds:.1f}s, {commit_queries[0]} queries ({commit_queries[0] / count:.1f} a row)")
        say(f"  {total / count * 1000:.1f} ms a row in all")
        emit(f"response_import_{kind}_preview", round(preview_seconds, 2), "s")
        emit(f"response_import_{kind}_commit", round(commit_seconds, 2), "s")
        emit(f"response_import_{kind}_total", round(total, 2), "s")
        emit(f"response_import_{kind}_preview_queries", preview_queries[0], "queries")
        emit(f"response_import_{kind}_commit_queries_per_row", round(commit_queries[0] / count, 2), "queries")


if __name__ == "__main__":
    main()
