"""Updating responses from a spreadsheet: the preview names the row, the column and the fix for every bad cell and
commits nothing; commit moves the import to COMMITTING and a Celery task (eager in tests, run on commit) applies every
row or none, through the same service as a change by hand (so each change notifies the young people once, after
commit), or puts the import back to PREVIEWED naming the row; the task is safe to run twice; CSV and XLSX; another
partnership's ids are unknown; scrutiny lead only."""

from __future__ import annotations

import datetime
import io
import re

import openpyxl
import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Notification, RecommendationResponse, ResponseImport, TimelineEntry
from engagements.services import feedback as feedback_services
from engagements.services import response_import as importing
from engagements.services.feedback import response_update
from engagements.services.response_import import (
    MAX_BYTES,
    MAX_ROWS,
    response_import_apply,
    response_import_commit,
    response_import_discard,
    response_import_preview,
    responses_dataset,
)
from engagements.tasks import commit_response_import
from participants.models import Role
from tests.factories import MembershipFactory
from tests.factories.feedback import (
    RecommendationContributorFactory,
    RecommendationFactory,
    RecommendationResponseFactory,
)

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision
HEADINGS = ["recommendation_id", "decision", "decision_reason", "status", "status_reason", "progress", "due_on"]


# --- Helpers (the page and API tests use these too) ---------------------------------------------------------------


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


def make_response(partnership, *, contributors: int = 0, **fields) -> RecommendationResponse:
    """A response in `partnership` (in progress at 40% unless told), recorded by a scrutiny lead, to a
    recommendation made by `contributors` young people."""
    recorded_by = MembershipFactory(partnership=partnership, roles=[Role.SCRUTINY_LEAD]).user
    values = {"status": Status.IN_PROGRESS, "progress": 40, "decision": Decision.ACCEPTED, "created_by": recorded_by}
    values.update(fields)
    response = RecommendationResponseFactory(recommendation__engagement__partnership=partnership, **values)
    for _ in range(contributors):
        RecommendationContributorFactory(recommendation=response.recommendation)
    return response


def csv_file(rows: list[list[object]], headings: list[str] | None = None, *, bom: bool = False) -> io.BytesIO:
    lines = [",".join(headings or HEADINGS)]
    lines += [",".join("" if cell is None else str(cell) for cell in row) for row in rows]
    text = "\n".join(lines) + "\n"
    return io.BytesIO((("\ufeff" if bom else "") + text).encode())


def xlsx_file(rows: list[list[object]], headings: list[str] | None = None) -> io.BytesIO:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(headings or HEADINGS)
    for row in rows:
        sheet.append(row)
    stream = io.BytesIO()
    book.save(stream)
    stream.seek(0)
    return stream


def preview(actor, stream: io.BytesIO, name: str = "responses.csv") -> ResponseImport:
    return response_import_preview(actor=actor, file=stream, file_name=name)


def problems(response_import: ResponseImport) -> list[tuple[int, str, str]]:
    return [(row["row"], e["column"], e["message"]) for row in response_import.rows for e in row["errors"]]


def row_of(response_import: ResponseImport, number: int) -> dict:
    return next(row for row in response_import.rows if row["row"] == number)


def commit(actor, response_import: ResponseImport, capture) -> ResponseImport:
    """Commit, run the task as it runs once the request's transaction commits, and read the import again."""
    with capture(execute=True):
        response_import_commit(actor=actor, import_id=response_import.pk)
    return ResponseImport.objects.get(pk=response_import.pk)


def commit_unsent(actor, response_import: ResponseImport, capture) -> ResponseImport:
    """Commit, but the task is not run: its message never reached a worker. Returns the import, COMMITTING."""
    with capture(execute=False):
        return response_import_commit(actor=actor, import_id=response_import.pk)


def snapshot(*responses: RecommendationResponse) -> list[dict]:
    return [importing.response_values(RecommendationResponse.objects.get(pk=r.pk)) for r in responses]


# --- The bad input of the issue ------------------------------------------------------------------------------------


def test_each_bad_cell_names_the_row_the_column_and_the_fix_and_nothing_is_committed(partnership, lead):
    first, second, third = (make_response(partnership) for _ in range(3))
    stream = csv_file(
        [
            [first.recommendation_id, "", "", "", "", 60, "", "blue"],
            [999999, "", "", "", "", 50, "", ""],
            [second.recommendation_id, "", "", "", "", 140, "", ""],
            [third.recommendation_id, "", "", "", "", "", "31-02-2027", ""],
        ],
        headings=[*HEADINGS, "colour"],
    )
    response_import = preview(lead, stream)

    found = problems(response_import)
    assert (1, "colour", "'colour' is not a column we know; use only: " + ", ".join(importing.COLUMNS)) in found
    assert (
        3,
        "recommendation_id",
        "999999 is an unknown recommendation id; check the number against the download",
    ) in found
    assert (4, "progress", "140 is more than 100; use a whole number from 0 to 100") in found
    assert (5, "due_on", "'31-02-2027' is not a date; use YYYY-MM-DD like 2027-03-31") in found
    assert len(found) == 4
    assert response_import.status == ResponseImport.Status.PREVIEWED and response_import.error_count == 4
    # The good row is previewed, but nothing is committed until every row is right.
    assert row_of(response_import, 2)["changes"] == {"progress": {"from": 40, "to": 60}}
    before = snapshot(first, second, third)
    with pytest.raises(ApplicationError, match=r"The file has 4 problems\. Nothing was changed"):
        response_import_commit(actor=lead, import_id=response_import.pk)
    assert snapshot(first, second, third) == before
    assert not TimelineEntry.objects.exists()
    assert ResponseImport.objects.get(pk=response_import.pk).status == ResponseImport.Status.PREVIEWED


def test_the_messages_read_as_whole_sentences(partnership, lead):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 140, ""]]))
    row = row_of(response_import, 2)
    assert importing.error_words(row, row["errors"][0]) == (
        "Row 2, progress: 140 is more than 100; use a whole number from 0 to 100"
    )


@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        ("progress", "-5", "-5 is less than 0; use a whole number from 0 to 100"),
        ("progress", "sixty", "'sixty' is not a whole number; use a whole number from 0 to 100"),
        ("progress", "60.5", "'60.5' is not a whole number; use a whole number from 0 to 100"),
        ("due_on", "2027-13-01", "'2027-13-01' is not a date; use YYYY-MM-DD like 2027-03-31"),
        ("due_on", "next week", "'next week' is not a date; use YYYY-MM-DD like 2027-03-31"),
        ("decision", "maybe", "'maybe' is not a decision; use one of: Not decided yet, Accepted, Partly accepted, "
         "Not accepted"),
        ("status", "finished", "'finished' is not a status; use one of: Not started, In progress, Done, "
         "Not going ahead"),
        ("owner_email", "priya@", "'priya@' is not an email address; use one like name@agency.org.uk"),
        ("recommendation_id", "abc", "'abc' is not a recommendation number; use the number in the "
         "recommendation_id column of the download"),
    ],
)  # fmt: skip
def test_a_bad_value_says_how_to_put_it_right(partnership, lead, column, value, message):
    response = make_response(partnership)
    headings = ["recommendation_id", column] if column != "recommendation_id" else ["recommendation_id", "progress"]
    cells = [response.recommendation_id, value] if column != "recommendation_id" else [value, 50]
    response_import = preview(lead, csv_file([cells], headings=headings))
    assert problems(response_import) == [(2, column, message)]


def test_an_id_of_another_partnership_is_unknown_and_nothing_about_it_is_shown(partnership, other_partnership, lead):
    theirs = make_response(other_partnership)
    response_import = preview(lead, csv_file([[theirs.recommendation_id, "", "", "", "", 60, ""]]))
    assert problems(response_import) == [
        (
            2,
            "recommendation_id",
            f"{theirs.recommendation_id} is an unknown recommendation id; check the number against the download",
        )
    ]
    row = row_of(response_import, 2)
    assert row["recommendation"] == "" and row["response_id"] is None and row["was"] == {}
    assert theirs.recommendation.text not in str(response_import.rows)


def test_a_recommendation_with_no_response_yet_must_have_it_recorded_first(partnership, lead):
    recommendation = RecommendationFactory(engagement__partnership=partnership)
    response_import = preview(lead, csv_file([[recommendation.pk, "", "", "", "", 60, ""]]))
    [(row, column, message)] = problems(response_import)
    assert (row, column) == (2, "recommendation_id")
    assert "has no response yet; record the response first" in message


def test_the_same_recommendation_twice_is_a_problem_on_the_second_row(partnership, lead):
    response = make_response(partnership)
    rows = [[response.recommendation_id, "", "", "", "", 60, ""], [response.recommendation_id, "", "", "", "", 70, ""]]
    response_import = preview(lead, csv_file(rows))
    assert problems(response_import) == [
        (
            3,
            "recommendation_id",
            f"recommendation {response.recommendation_id} is also on row 2; put all its changes on one row",
        )
    ]


def test_a_missing_recommendation_id_column_and_an_empty_id_are_problems(partnership, lead):
    response_import = preview(lead, csv_file([[60]], headings=["progress"]))
    [(row, column, message)] = problems(response_import)
    assert (row, column) == (1, "recommendation_id") and "the recommendation_id column is missing" in message

    response = make_response(partnership)
    empty_id = preview(
        lead, csv_file([[response.recommendation_id, 60], ["", 70]], headings=["recommendation_id", "progress"])
    )
    assert problems(empty_id) == [
        (3, "recommendation_id", "it is empty; put the recommendation's number, as in the download")
    ]


def test_a_column_with_values_but_no_heading_is_a_problem_but_an_empty_one_is_not(partnership, lead):
    response = make_response(partnership)
    stream = csv_file(
        [[response.recommendation_id, 60, "", "stray"]], headings=["recommendation_id", "progress", "", ""]
    )
    [(row, column, message)] = problems(preview(lead, stream))
    assert (row, column) == (1, "D") and message.startswith("column D has no heading")


# --- The rules of a response ------------------------------------------------------------------------------------


def test_a_status_move_the_workflow_does_not_allow_is_a_problem_in_the_status_column(partnership, lead):
    done = make_response(partnership, status=Status.DONE, progress=100)
    response_import = preview(lead, csv_file([[done.recommendation_id, "", "", "Not started", "", "", ""]]))
    [(row, column, message)] = problems(response_import)
    assert (row, column) == (2, "status")
    assert "Done cannot move to Not started" in message and "In progress" in message


def test_not_going_ahead_and_not_accepted_need_a_reason(partnership, lead):
    response = make_response(partnership)
    response_import = preview(
        lead, csv_file([[response.recommendation_id, "Not accepted", "", "not_going_ahead", "", "", ""]])
    )
    assert {column for _, column, _ in problems(response_import)} == {"decision_reason", "status_reason"}

    with_reasons = preview(
        lead,
        csv_file(
            [[response.recommendation_id, "Not accepted", "It costs too much", "not_going_ahead", "No money", "", ""]]
        ),
    )
    assert problems(with_reasons) == []


def test_done_is_100_percent(partnership, lead):
    response = make_response(partnership, progress=40)
    moved = preview(lead, csv_file([[response.recommendation_id, "", "", "Done", "", "", ""]]))
    assert row_of(moved, 2)["changes"] == {
        "status": {"from": "in_progress", "to": "done"},
        "progress": {"from": 40, "to": 100},
    }
    done = make_response(partnership, status=Status.DONE, progress=100)
    wrong = preview(lead, csv_file([[done.recommendation_id, "", "", "", "", 60, ""]]))
    assert [(row, column) for row, column, _ in problems(wrong)] == [(2, "progress")]


def test_labels_or_values_and_only_real_differences_are_changes(partnership, lead):
    response = make_response(partnership, decision=Decision.ACCEPTED, progress=40, due_on=datetime.date(2027, 3, 31))
    other = make_response(partnership, decision=Decision.PENDING)
    rows = [
        # the same values, written differently: no change
        [response.recommendation_id, "accepted", "", "In progress", "", "40", "31/03/2027"],
        [other.recommendation_id, "partly_accepted", "Only in two schools", "", "", "", "2027-04-01"],
    ]
    response_import = preview(lead, csv_file(rows))
    assert problems(response_import) == []
    assert row_of(response_import, 2)["changes"] == {}
    assert row_of(response_import, 3)["changes"] == {
        "decision": {"from": "pending", "to": "partly_accepted"},
        "decision_reason": {"from": "", "to": "Only in two schools"},
        "due_on": {"from": None, "to": "2027-04-01"},
    }
    labelled = preview(
        lead, csv_file([[other.recommendation_id, "Partly accepted", "Only in two schools", "", "", "", ""]])
    )
    assert row_of(labelled, 2)["changes"]["decision"] == {"from": "pending", "to": "partly_accepted"}


def test_the_change_is_described_in_words(partnership, lead):
    assert importing.change_words("progress", {"from": 40, "to": 60}) == "Progress: 40% → 60%"
    assert (
        importing.change_words("due_on", {"from": None, "to": "2026-11-26"}) == "Due date: nothing → 26 November 2026"
    )
    assert importing.change_words("status", {"from": "in_progress", "to": "done"}) == "Status: In progress → Done"


# --- Files -----------------------------------------------------------------------------------------------------


def test_an_xlsx_file_with_number_and_date_cells_works(partnership, lead, django_capture_on_commit_callbacks):
    response = make_response(partnership, contributors=1)
    rows = [[response.recommendation_id, "Accepted", None, "In progress", None, 75, datetime.date(2027, 6, 30)]]
    response_import = preview(lead, xlsx_file(rows), "responses.xlsx")
    assert problems(response_import) == []
    assert row_of(response_import, 2)["changes"] == {
        "progress": {"from": 40, "to": 75},
        "due_on": {"from": None, "to": "2027-06-30"},
    }
    assert commit(lead, response_import, django_capture_on_commit_callbacks).status == ResponseImport.Status.COMMITTED
    response.refresh_from_db()
    assert (response.progress, response.due_on) == (75, datetime.date(2027, 6, 30))


def test_an_xlsx_percentage_cell_is_refused_with_the_fix(partnership, lead):
    response = make_response(partnership)
    response_import = preview(lead, xlsx_file([[response.recommendation_id, None, None, None, None, 0.6, None]]))
    [(row, column, message)] = problems(response_import)
    assert (row, column) == (2, "progress") and "format the cell as a number" in message


def test_a_csv_with_a_byte_order_mark_semicolons_headings_in_words_and_blank_lines_works(partnership, lead):
    first, second = make_response(partnership), make_response(partnership)
    text = (
        "\ufeffRecommendation ID;Progress;Due on\n"
        f"{first.recommendation_id};55;01/12/2027\n"
        "\n"
        f"{second.recommendation_id};140;\n"
    )
    response_import = preview(lead, io.BytesIO(text.encode()))
    assert row_of(response_import, 2)["changes"]["due_on"] == {"from": None, "to": "2027-12-01"}
    # The blank line is still counted, as a spreadsheet shows it: the second response is on row 4.
    assert [(row, column) for row, column, _ in problems(response_import)] == [(4, "progress")]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n\xff\xfe\x00binary", "must be an Excel workbook (.xlsx) or a CSV"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "must be an Excel workbook (.xlsx) or a CSV"),
        (b"PK\x03\x04not really a zip", "could not read this file as an Excel workbook"),
        (b"", "The file is empty"),
        (b"recommendation_id,progress\n", "no rows under them"),
    ],
)
def test_a_file_that_is_not_a_spreadsheet_is_refused_with_what_to_do(lead, content, message):
    with pytest.raises(ApplicationError, match=re.escape(message)) as refused:
        preview(lead, io.BytesIO(content), "responses.csv")
    assert refused.value.extra == {"field": "file"}
    assert not ResponseImport.objects.exists()


def test_a_file_over_5_mb_or_10000_rows_is_refused(partnership, lead):
    with pytest.raises(ApplicationError, match="bigger than 5 MB"):
        preview(lead, io.BytesIO(b"recommendation_id\n" + b"1\n" * (MAX_BYTES // 2 + 1)))
    too_many = csv_file([[n, 50] for n in range(1, MAX_ROWS + 2)], headings=["recommendation_id", "progress"])
    with pytest.raises(ApplicationError, match="10,001 rows; the most we take at once is 10,000"):
        preview(lead, too_many)
    sheet = xlsx_file([[n, 50] for n in range(1, MAX_ROWS + 2)], headings=["recommendation_id", "progress"])
    with pytest.raises(ApplicationError, match="10,001 rows"):
        preview(lead, sheet, "big.xlsx")
    assert not ResponseImport.objects.exists()


def test_the_download_goes_back_in_unchanged_as_no_changes_in_both_formats(partnership, lead):
    make_response(partnership, owner_name="=HYPERLINK(1)", due_on=datetime.date(2027, 1, 5), status_reason="-dash")
    make_response(partnership, decision=Decision.NOT_ACCEPTED, decision_reason="Too costly", status=Status.NOT_STARTED)
    csv_text = responses_dataset(lead, dates_as_text=True).export("csv")
    assert "'=HYPERLINK(1)" in csv_text  # not a formula when a spreadsheet opens it
    xlsx_bytes = responses_dataset(lead, dates_as_text=False).export("xlsx")
    for stream, name in ((io.BytesIO(("\ufeff" + csv_text).encode()), "r.csv"), (io.BytesIO(xlsx_bytes), "r.xlsx")):
        response_import = preview(lead, stream, name)
        assert problems(response_import) == [], name
        assert [row["changes"] for row in response_import.rows] == [{}, {}], name


def test_the_download_has_only_this_partnerships_responses(partnership, other_partnership, lead):
    ours, theirs = make_response(partnership), make_response(other_partnership)
    ids = [row[0] for row in responses_dataset(lead, dates_as_text=True)]
    assert ids == [ours.recommendation_id] and theirs.recommendation_id not in ids


# --- Commit: all or nothing, as if by hand -----------------------------------------------------------------------


def test_commit_applies_each_row_through_the_service_and_reports_what_changed(
    partnership, lead, django_capture_on_commit_callbacks
):
    first = make_response(partnership, contributors=2)
    second = make_response(partnership, contributors=1)
    unchanged = make_response(partnership, contributors=1)
    note_only = make_response(partnership, contributors=1)
    headings = [*HEADINGS, "owner_name", "update"]
    rows = [
        [first.recommendation_id, "", "", "", "", 60, "", "", "We trained 40 staff"],
        [second.recommendation_id, "", "", "Done", "", "", "", "Sam Jones", ""],
        [unchanged.recommendation_id, "", "", "", "", 40, "", "", ""],
        [note_only.recommendation_id, "", "", "", "", "", "", "", "We met the head teachers"],
    ]
    response_import = preview(lead, csv_file(rows, headings=headings))
    assert problems(response_import) == []
    # Committing only asks for the rows to be saved: nothing changes until the task runs, after the commit.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        committing = response_import_commit(actor=lead, import_id=response_import.pk)
        assert committing.status == ResponseImport.Status.COMMITTING and committing.report == []
        assert RecommendationResponse.objects.get(pk=first.pk).progress == 40
        assert not Notification.objects.exists()
    assert len(callbacks) > 1  # the task, then the notifications its rows enqueued
    committed = ResponseImport.objects.get(pk=response_import.pk)

    assert committed.status == ResponseImport.Status.COMMITTED and committed.committed_at is not None
    assert [(r["row"], r["changes"], r["update"]) for r in committed.report] == [
        (2, {"progress": {"from": 40, "to": 60}}, "We trained 40 staff"),
        (3, {"status": {"from": "in_progress", "to": "done"}, "progress": {"from": 40, "to": 100},
             "owner_name": {"from": "Priya Shah", "to": "Sam Jones"}}, ""),
        (5, {}, "We met the head teachers"),
    ]  # fmt: skip
    first.refresh_from_db(), second.refresh_from_db()
    assert first.progress == 60 and (second.status, second.progress, second.owner_name) == ("done", 100, "Sam Jones")
    # One timeline entry per changed row, as by hand: the note goes with the change.
    first_entry = TimelineEntry.objects.get(response=first)
    assert first_entry.kind == TimelineEntry.Kind.CHANGE and "We trained 40 staff" in first_entry.text
    assert TimelineEntry.objects.get(response=note_only).kind == TimelineEntry.Kind.UPDATE
    assert not TimelineEntry.objects.filter(response=unchanged).exists()
    # Each changed row's young people are told once; nobody else.
    told = sorted(Notification.objects.values_list("response_id", "membership_id"))
    expected = sorted(
        (response.pk, c.membership_id)
        for response in (first, second, note_only)
        for c in response.recommendation.contributions.all()
    )
    assert told == expected
    assert len(mail.outbox) == len(expected)
    moves = AuditEvent.objects.filter(event_type="responseimport.status_changed", subject_id=str(committed.pk))
    assert [(e.payload["from"], e.payload["to"]) for e in moves.order_by("pk")] == [
        ("previewed", "committing"),
        ("committing", "committed"),
    ]
    assert committed.failure == ""


def test_a_row_that_fails_at_commit_leaves_every_response_unchanged_and_tells_nobody(
    partnership, lead, monkeypatch, django_capture_on_commit_callbacks
):
    first = make_response(partnership, contributors=2)
    second = make_response(partnership, contributors=2)
    rows = [[first.recommendation_id, "", "", "", "", 60, ""], [second.recommendation_id, "", "", "", "", 70, ""]]
    response_import = preview(lead, csv_file(rows))
    real_update = feedback_services.response_update

    def failing_on_the_second(**kwargs):
        if kwargs["response_id"] == second.pk:
            raise ApplicationError("The database said no.")
        return real_update(**kwargs)

    monkeypatch.setattr(importing, "response_update", failing_on_the_second)
    before = snapshot(first, second)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response_import_commit(actor=lead, import_id=response_import.pk)
    # The first row was saved, then rolled back with the second: nothing changed, nobody told.
    assert snapshot(first, second) == before
    assert not TimelineEntry.objects.exists() and not Notification.objects.exists()
    assert len(callbacks) == 1 and mail.outbox == []  # only the task: the first row's notifications were dropped
    # The import is back to the preview, saying which row to fix, and can be committed again.
    failed = ResponseImport.objects.get(pk=response_import.pk)
    assert failed.status == ResponseImport.Status.PREVIEWED and failed.report == [] and failed.committed_at is None
    assert failed.failure == (
        f"Row 3 (recommendation {second.recommendation_id}) could not be saved: The database said no. Nothing was "
        "changed: fix the row and upload the file again."
    )
    event = AuditEvent.objects.filter(event_type="responseimport.status_changed").latest("pk")
    assert (event.payload["from"], event.payload["to"]) == ("committing", "previewed")
    assert event.payload["failure"] == failed.failure

    monkeypatch.setattr(importing, "response_update", real_update)
    retried = commit(lead, response_import, django_capture_on_commit_callbacks)
    assert retried.status == ResponseImport.Status.COMMITTED and retried.failure == ""
    assert [r["progress"] for r in snapshot(first, second)] == [60, 70]
    assert Notification.objects.count() == 4


def test_a_response_changed_since_the_preview_is_refused_naming_the_row(
    partnership, lead, django_capture_on_commit_callbacks
):
    first, second = make_response(partnership), make_response(partnership)
    rows = [[first.recommendation_id, "", "", "", "", 60, ""], [second.recommendation_id, "", "", "", "", 70, ""]]
    response_import = preview(lead, csv_file(rows))
    response_update(actor=lead, response_id=second.pk, changes={"status": Status.DONE})
    refused = commit(lead, response_import, django_capture_on_commit_callbacks)
    assert refused.status == ResponseImport.Status.PREVIEWED
    assert re.search(r"row 3 \(recommendation \d+: status, progress\)\. Nothing was changed", refused.failure)
    first.refresh_from_db()
    assert first.progress == 40


def test_an_import_is_committed_once_and_a_discarded_one_never(partnership, lead, django_capture_on_commit_callbacks):
    response = make_response(partnership)
    committed = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    with django_capture_on_commit_callbacks(execute=True):
        response_import_commit(actor=lead, import_id=committed.pk)
        # While it is being saved it can be neither committed again nor discarded.
        with pytest.raises(ApplicationError, match="already being saved"):
            response_import_commit(actor=lead, import_id=committed.pk)
        with pytest.raises(ApplicationError, match="already being saved"):
            response_import_discard(actor=lead, import_id=committed.pk)
    with pytest.raises(ApplicationError, match="already committed"):
        response_import_commit(actor=lead, import_id=committed.pk)
    discarded = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 80, ""]]))
    assert response_import_discard(actor=lead, import_id=discarded.pk).status == ResponseImport.Status.DISCARDED
    with pytest.raises(ApplicationError, match="already discarded"):
        response_import_commit(actor=lead, import_id=discarded.pk)
    response.refresh_from_db()
    assert response.progress == 60


def test_running_the_task_twice_saves_the_rows_once(partnership, lead, django_capture_on_commit_callbacks):
    response = make_response(partnership, contributors=2)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the queue: the task is not run yet
        response_import_commit(actor=lead, import_id=response_import.pk)
    assert len(callbacks) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert commit_response_import(response_import.pk, lead.pk) == ResponseImport.Status.COMMITTED
    events, told = AuditEvent.objects.count(), Notification.objects.count()
    assert told == 2 and TimelineEntry.objects.filter(response=response).count() == 1
    with django_capture_on_commit_callbacks(execute=True) as again:
        assert commit_response_import(response_import.pk, lead.pk) is None  # delivered twice: nothing to do
        assert response_import_apply(import_id=response_import.pk, actor_id=lead.pk) is None
    assert again == []
    assert (AuditEvent.objects.count(), Notification.objects.count()) == (events, told)
    assert TimelineEntry.objects.filter(response=response).count() == 1
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 60
    # A previewed (never committed) import is left alone too.
    untouched = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 80, ""]]))
    assert commit_response_import(untouched.pk, lead.pk) is None
    assert ResponseImport.objects.get(pk=untouched.pk).status == ResponseImport.Status.PREVIEWED


def test_the_task_acts_in_the_imports_partnership(
    partnership, other_partnership, lead, django_capture_on_commit_callbacks
):
    """The worker knows only the ids: the committer acts in the import's partnership, whichever they last chose."""
    MembershipFactory(user=lead, partnership=other_partnership, roles=[Role.SCRUTINY_LEAD])
    ours = make_response(partnership, contributors=1)
    theirs = make_response(other_partnership)
    response_import = preview(lead, csv_file([[ours.recommendation_id, "", "", "", "", 60, ""]]))
    with django_capture_on_commit_callbacks(execute=False):
        response_import_commit(actor=lead, import_id=response_import.pk)
    # The first of the lead's memberships (by name) is the other partnership's: a fresh user would act there.
    other_partnership.name, partnership.name = "Aaa partnership", "Zzz partnership"
    other_partnership.save(update_fields=["name"])
    partnership.save(update_fields=["name"])
    with django_capture_on_commit_callbacks(execute=True):
        assert commit_response_import(response_import.pk, lead.pk) == ResponseImport.Status.COMMITTED
    assert RecommendationResponse.objects.get(pk=ours.pk).progress == 60
    assert RecommendationResponse.objects.get(pk=theirs.pk).progress == 40
    assert Notification.objects.get().membership.partnership_id == partnership.pk
    event = AuditEvent.objects.filter(event_type="responseimport.status_changed").latest("pk")
    assert event.partnership_id == partnership.pk and event.payload["to"] == "committed"


def test_a_committer_who_may_no_longer_import_saves_nothing(partnership, lead, django_capture_on_commit_callbacks):
    from participants.models import Membership

    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    commit_unsent(lead, response_import, django_capture_on_commit_callbacks)
    Membership.objects.filter(user=lead).update(status=Membership.Status.SUSPENDED)
    response_import_apply(import_id=response_import.pk, actor_id=lead.pk)
    failed = ResponseImport.objects.get(pk=response_import.pk)
    assert failed.status == ResponseImport.Status.PREVIEWED and "can no longer update responses" in failed.failure
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_the_preview_is_audited(partnership, lead):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    event = AuditEvent.objects.get(event_type="response_import.previewed", subject_id=str(response_import.pk))
    assert event.payload == {"file_name": "responses.csv", "rows": 1, "rows_with_changes": 1, "errors": 0}


# --- Who may ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_only_a_scrutiny_lead_imports(partnership, member, lead, role):
    response = make_response(partnership)
    someone = member(role)
    with pytest.raises(PermissionDenied):
        preview(someone, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    with pytest.raises(PermissionDenied):
        response_import_commit(actor=someone, import_id=response_import.pk)
    with pytest.raises(PermissionDenied):
        response_import_discard(actor=someone, import_id=response_import.pk)


def test_another_partnerships_import_cannot_be_committed(partnership, other_partnership, member, lead):
    response = make_response(partnership)
    response_import = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    their_lead = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    from django.http import Http404

    with pytest.raises(Http404):
        response_import_commit(actor=their_lead, import_id=response_import.pk)


def test_the_preview_makes_a_fixed_number_of_queries_to_read_the_rows(partnership, lead):
    def count(n: int) -> int:
        responses = [make_response(partnership) for _ in range(n)]
        stream = csv_file([[r.recommendation_id, "", "", "", "", 40, ""] for r in responses])  # no changes
        with CaptureQueriesContext(connection) as captured:
            preview(lead, stream)
        return len(captured)

    assert count(3) == count(30)


def test_a_workbook_that_unpacks_to_far_more_than_a_spreadsheet_is_refused_before_it_is_read(lead):
    import zipfile

    stream = io.BytesIO()
    with zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (importing.MAX_UNPACKED_BYTES + 1))
    assert len(stream.getvalue()) < MAX_BYTES
    with pytest.raises(ApplicationError, match="too big once unpacked"):
        preview(lead, stream, "bomb.xlsx")


# --- An import whose task was lost (engagements.resume_stalled_response_imports) ----------------------------------


def test_an_import_whose_task_was_lost_is_saved_by_the_resume_job_as_the_person_who_committed(
    partnership, lead, django_capture_on_commit_callbacks
):
    """The commit's message never reached a worker (the web process died between the commit and the broker): the
    import would say "being saved" for ever. Fifteen minutes after the commit was asked for, the job sends it again,
    and the rows are saved as the person who committed; a younger one, and one already saved, are left alone."""
    from engagements.services.response_import import STALLED_AFTER, response_imports_resume_stalled
    from engagements.tasks import resume_stalled_response_imports

    response = make_response(partnership, contributors=1)
    lost = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:  # the message is lost
        asked = response_import_commit(actor=lead, import_id=lost.pk)
    assert len(callbacks) == 1
    assert (asked.commit_requested_by, asked.status) == (lead, ResponseImport.Status.COMMITTING)
    asked_at = asked.commit_requested_at

    # Before the 15 minutes are up the task may still be running: nothing is sent.
    with django_capture_on_commit_callbacks(execute=True):
        assert response_imports_resume_stalled(now=asked_at + STALLED_AFTER) == 0
    assert ResponseImport.objects.get(pk=lost.pk).status == ResponseImport.Status.COMMITTING

    ResponseImport.objects.filter(pk=lost.pk).update(commit_requested_at=asked_at - STALLED_AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_response_imports() == 1
    saved = ResponseImport.objects.get(pk=lost.pk)
    assert saved.status == ResponseImport.Status.COMMITTED
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 60
    event = AuditEvent.objects.filter(event_type="responseimport.status_changed").latest("pk")
    assert (event.actor_id, event.payload["to"]) == (lead.pk, "committed")
    assert Notification.objects.count() == 1  # the young person is told once

    # Saved now: the next run has nothing to send.
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_response_imports() == 0


def test_an_import_stuck_from_before_the_committer_was_recorded_goes_back_to_be_committed_again(
    partnership, lead, django_capture_on_commit_callbacks
):
    response = make_response(partnership)
    stuck = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    commit_unsent(lead, stuck, django_capture_on_commit_callbacks)
    ResponseImport.objects.filter(pk=stuck.pk).update(commit_requested_by=None, commit_requested_at=None)
    from engagements.services.response_import import STALLED_AFTER, response_imports_resume_stalled
    from engagements.tasks import resume_stalled_response_imports

    # Uploaded less than 15 minutes ago: its task may be running still, so it is left alone.
    with django_capture_on_commit_callbacks(execute=True):
        assert response_imports_resume_stalled(now=stuck.created_at + STALLED_AFTER) == 0
    ResponseImport.objects.filter(pk=stuck.pk).update(created_at=stuck.created_at - STALLED_AFTER)
    with django_capture_on_commit_callbacks(execute=True):
        assert resume_stalled_response_imports() == 1
    back = ResponseImport.objects.get(pk=stuck.pk)
    assert back.status == ResponseImport.Status.PREVIEWED
    assert "we do not know who asked for this upload to be saved" in back.failure and "commit it again" in back.failure
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_an_import_still_not_saved_two_hours_after_its_commit_goes_back_to_the_preview(
    partnership, lead, django_capture_on_commit_callbacks
):
    """Its task keeps dying (a file too big for the machine, say): after two hours of sending it again the job gives
    up, and the scrutiny lead sees what to do instead."""
    from engagements.services.response_import import GIVE_UP_AFTER, response_imports_resume_stalled

    response = make_response(partnership)
    dying = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    asked = commit_unsent(lead, dying, django_capture_on_commit_callbacks)
    # Before two hours it is sent again (the tests above); after, it is given up and nothing is sent.
    with django_capture_on_commit_callbacks(execute=False) as sent:
        later = asked.commit_requested_at + GIVE_UP_AFTER + datetime.timedelta(minutes=1)
        assert response_imports_resume_stalled(now=later) == 0
    assert sent == []
    given_up = ResponseImport.objects.get(pk=dying.pk)
    assert given_up.status == ResponseImport.Status.PREVIEWED
    assert given_up.failure.startswith("Nothing was changed: saving this upload did not finish after several tries.")
    assert RecommendationResponse.objects.get(pk=response.pk).progress == 40


def test_an_import_being_saved_when_0008_is_deployed_gets_its_committer_from_the_audit_log(
    partnership, lead, django_capture_on_commit_callbacks
):
    """engagements 0008 recorded who asked for a commit from then on; for an import already COMMITTING it reads
    them from the audit log's record of that move, so the resume job saves it as them."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps as registry

    migration = import_module("engagements.migrations.0008_response_import_commit_requested")
    response = make_response(partnership)
    committing = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 60, ""]]))
    commit_unsent(lead, committing, django_capture_on_commit_callbacks)
    never_committed = preview(lead, csv_file([[response.recommendation_id, "", "", "", "", 70, ""]]))
    ResponseImport.objects.filter(pk=committing.pk).update(commit_requested_by=None, commit_requested_at=None)
    event = AuditEvent.objects.get(
        event_type="responseimport.status_changed", subject_id=str(committing.pk), payload__to="committing"
    )

    migration.from_the_audit_log(registry, SimpleNamespace(connection=connection))

    backfilled = ResponseImport.objects.get(pk=committing.pk)
    assert (backfilled.commit_requested_by_id, backfilled.commit_requested_at) == (lead.pk, event.created_at)
    untouched = ResponseImport.objects.get(pk=never_committed.pk)
    assert (untouched.commit_requested_by_id, untouched.commit_requested_at) == (None, None)
