"""Updating many responses at once from a spreadsheet (CSV or XLSX): upload, preview, commit all or nothing.

The rules, in one place (pages and API call these):
- Only a scrutiny lead imports (engagements.import_responses), and only into the partnership they act in.
- The file is recognised by its content, not its name: an XLSX workbook is a zip (it starts with PK\\x03\\x04); a CSV
  must be UTF-8 text (a byte order mark is fine). At most 5 MB and 10,000 rows. tablib reads both.
- The first row holds the column headings (COLUMNS; READ_ONLY_COLUMNS are shown for reference and ignored). An
  unknown heading is an error on row 1 naming the column and listing the ones we know.
- Each row names a recommendation by its number. One of another partnership is "unknown", exactly like a missing
  one. It must already have a response (record the response on its page first), and may appear once in a file.
- An empty cell changes nothing. Only real differences from the current values are changes. Every problem names the
  spreadsheet row (the headings are row 1), the column and how to fix it, and the business rules are checked as the
  services check them: status moves (RecommendationResponse.TRANSITIONS), reasons for "partly accepted", "not
  accepted" and "not going ahead", a response that is done is at 100%.
- The preview is kept on a ResponseImport (rows, with each response's values as they were), so what is committed is
  what was shown. Committing (response_import_commit) refuses if any row has a problem, else moves the import to
  COMMITTING and enqueues the Celery task engagements.commit_response_import: 10,000 rows take minutes, too long for
  a web request. The task (response_import_apply) locks the import and the responses, refuses if a response changed
  since the preview (naming the row), then applies each row through response_update (and timeline_entry_add for a
  row with only an update), in one transaction, as the person who committed, in the import's partnership. If any
  row fails, nothing is changed, nobody is told, and the import goes back to PREVIEWED with the failure (naming the
  row) kept in `failure`; else it is COMMITTED with the report. Notifications are those the services send for a
  change made by hand, so they happen once per changed row, after the commit.
"""

from __future__ import annotations

import contextlib
import csv
import datetime
import io
import logging
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import IO, Any

import tablib
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone
from openpyxl import load_workbook
from tablib.exceptions import InvalidDimensions

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import act_in
from core.workflows import transition
from engagements.models import Recommendation, RecommendationResponse, ResponseImport
from engagements.services.feedback import (
    RESPONSE_FIELDS,
    response_changes_check,
    response_update,
    timeline_entry_add,
)
from participants.models import User

logger = logging.getLogger(__name__)

IMPORT_RESPONSES = "engagements.import_responses"

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 10_000
MAX_COLUMNS = 50
# An XLSX is compressed XML: refuse one that would unpack to more than this (a "zip bomb" in 5 MB).
MAX_UNPACKED_BYTES = 60 * 1024 * 1024
MAX_ID = 2**63 - 1
MAX_TEXT = 5000

Decision = RecommendationResponse.Decision
Status = RecommendationResponse.Status

# The columns a file may have, in the order of the download, with what each means (shown on the upload page).
COLUMNS: dict[str, str] = {
    "recommendation_id": "The recommendation's number (required). Do not change it.",
    "decision": "Not decided yet, Accepted, Partly accepted or Not accepted (or accepted, partly_accepted...).",
    "decision_reason": "Why, in plain words. Needed for Partly accepted and Not accepted.",
    "status": "Not started, In progress, Done or Not going ahead (or not_started, in_progress...).",
    "status_reason": "Why it is not going ahead, in plain words. Needed for Not going ahead.",
    "progress": "A whole number from 0 to 100 (per cent). Done is always 100.",
    "due_on": "The due date, like 2027-03-31 or 31/03/2027 (or a date cell).",
    "owner_agency": "The agency that owns the response.",
    "owner_name": "The person in that agency who owns it.",
    "owner_email": "Where young people's ratings are sent.",
    "update": "A note for the timeline, in plain words: young people see it.",
}
# Shown in the download so people know which recommendation a row is; changes to them are not saved.
READ_ONLY_COLUMNS: dict[str, str] = {
    "recommendation": "The recommendation's words, for reference: changes here are not saved.",
    "engagement": "The engagement it came from, for reference: changes here are not saved.",
}
REQUIRED_COLUMN = "recommendation_id"
HEADER_ROW = 1

# How a change is named on the preview and in the report.
FIELD_LABELS: dict[str, str] = {
    "decision": "Decision",
    "decision_reason": "Reason for the decision",
    "status": "Status",
    "status_reason": "Reason it is not going ahead",
    "progress": "Progress",
    "due_on": "Due date",
    "owner_agency": "Owner's agency",
    "owner_name": "Owner",
    "owner_email": "Owner's email",
}
TEXT_LIMITS: dict[str, int] = {
    "owner_agency": 200,
    "owner_name": 150,
    "owner_email": 254,
    "decision_reason": MAX_TEXT,
    "status_reason": MAX_TEXT,
    "update": MAX_TEXT,
}
PROGRESS_FIX = "use a whole number from 0 to 100"
DATE_FIX = "use YYYY-MM-DD like 2027-03-31"
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
UK_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
# A spreadsheet reads a cell starting with one of these as a formula: the download puts a ' in front of them, and the
# upload takes it away again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- Reading the file -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Sheet:
    """The file's headings and rows as read, with the spreadsheet row number of each row."""

    headings: list[str]
    rows: list[tuple[int, list[Any]]]


def _refuse(message: str) -> ApplicationError:
    return ApplicationError(message, extra={"field": "file"})


def _read_bytes(file: IO[bytes]) -> bytes:
    if file.seekable():
        file.seek(0)
    data = file.read(MAX_BYTES + 1)
    if not isinstance(data, bytes):
        raise _refuse("Choose a CSV or XLSX file.")
    if len(data) > MAX_BYTES:
        raise _refuse(
            "The file is bigger than 5 MB. Split it into smaller files, or remove the rows you do not change."
        )
    if not data.strip():
        raise _refuse("The file is empty. Download the current responses, change them, and upload that file.")
    return data


def _too_many_rows(count: int) -> ApplicationError:
    return _refuse(
        f"The file has {count:,} rows; the most we take at once is {MAX_ROWS:,}. Split it into smaller files "
        "(and delete any empty rows at the bottom)."
    )


def _read_xlsx(data: bytes) -> Sheet:
    not_xlsx = (
        "We could not read this file as an Excel workbook. Save it as “Excel Workbook (.xlsx)” or “CSV UTF-8” "
        "and upload it again."
    )
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        raise _refuse(not_xlsx) from None
    if unpacked > MAX_UNPACKED_BYTES:
        raise _refuse("The workbook is too big once unpacked. Keep only the responses sheet, or save it as CSV.")
    try:
        # Check the sheet's declared size before tablib reads it (a sheet can claim a million empty rows).
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = book.active
        declared_rows, declared_columns = sheet.max_row, sheet.max_column
        book.close()
        if declared_rows is not None and declared_rows > MAX_ROWS + HEADER_ROW:
            raise _too_many_rows(declared_rows - HEADER_ROW)
        if declared_columns is not None and declared_columns > MAX_COLUMNS:
            raise _refuse(f"The sheet has {declared_columns} columns; use only the columns in the download.")
        dataset = tablib.Dataset().load(data, format="xlsx")
    except ApplicationError:
        raise
    except InvalidDimensions:
        raise _refuse(
            "A row has more cells than there are column headings. Give every column a heading, or delete it."
        ) from None
    except Exception:  # openpyxl raises many kinds for a broken workbook: all mean the same to the person
        raise _refuse(not_xlsx) from None
    headings = [_heading(value) for value in (dataset.headers or [])]
    # tablib keeps every row of a sheet, empty ones too, so the spreadsheet row is the position plus the headings.
    return Sheet(headings, [(index + HEADER_ROW + 1, list(row)) for index, row in enumerate(dataset)])


def _read_csv(data: bytes) -> Sheet:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise _refuse(
            "The file must be an Excel workbook (.xlsx) or a CSV saved as UTF-8 text. In Excel choose "
            "“Save as”, then “CSV UTF-8 (Comma delimited)” or “Excel Workbook”."
        ) from None
    if "\x00" in text:
        raise _refuse("The file must be an Excel workbook (.xlsx) or a CSV file (text), not another kind of file.")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    # tablib skips blank lines, so find each record's spreadsheet row (a quoted cell may span lines, as a spreadsheet
    # shows it in one row) and check the widths, to name the right row in every message.
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as error:
        raise _refuse(f"The CSV file is broken ({error}). Save it from your spreadsheet again.") from None
    if not records or not records[0]:
        raise _refuse("The first row must hold the column headings, like those in the download.")
    numbers = [index + 1 for index, record in enumerate(records) if record]
    filled = sum(1 for record in records[1:] if any(cell.strip() for cell in record))
    if filled > MAX_ROWS:
        raise _too_many_rows(filled)
    width = len(records[0])
    for index, record in enumerate(records):
        if len(record) > width:
            raise _refuse(
                f"Row {index + 1} has {len(record)} cells but there are only {width} column headings. Give every "
                "column a heading, or delete the extra cells."
            )
    dataset = tablib.Dataset().load(text, format="csv", delimiter=delimiter)
    headings = [_heading(value) for value in (dataset.headers or [])]
    return Sheet(headings, [(numbers[index + 1], list(row)) for index, row in enumerate(dataset)])


def read_sheet(data: bytes) -> Sheet:
    """The file's headings and rows (XLSX or CSV, recognised by content), or a refusal saying what to do instead."""
    sheet = _read_xlsx(data) if data.startswith(b"PK\x03\x04") else _read_csv(data)
    rows = [(number, cells) for number, cells in sheet.rows if any(_cell(value) != "" for value in cells)]
    if len(rows) > MAX_ROWS:
        raise _too_many_rows(len(rows))
    if not any(sheet.headings):
        raise _refuse("The first row must hold the column headings, like those in the download.")
    if not rows:
        raise _refuse("The file has headings but no rows under them: add a row for each response you change.")
    return Sheet(sheet.headings, rows)


def _heading(value: Any) -> str:
    """'Recommendation ID' and 'recommendation_id' are the same heading."""
    if value is None:
        return ""
    return re.sub(r"[\s\-]+", "_", str(value).strip().lower())


def _cell(value: Any) -> Any:
    """A cell as read: text stripped, whole numbers as int, dates as they are; empty is ''."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value).upper()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _shown(value: Any) -> str:
    """A cell's value as the person typed it, for a message."""
    if isinstance(value, datetime.datetime):
        return f"{value:%Y-%m-%d %H:%M}"
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value)
    return text if len(text) <= 40 else f"{text[:40]}…"


# --- Understanding each cell ------------------------------------------------------------------------------------


class CellProblem(Exception):
    """What is wrong with one cell and how to fix it (the column is added by the caller)."""


def _choice(value: Any, choices: Any, what: str) -> str:
    wanted = str(value).strip().lower().replace("_", " ")
    for choice in choices:
        if wanted in (str(choice.value).replace("_", " "), str(choice.label).lower()):
            return str(choice.value)
    names = ", ".join(str(choice.label) for choice in choices)
    raise CellProblem(f"'{_shown(value)}' is not a {what}; use one of: {names}")


def _progress(value: Any) -> int:
    if isinstance(value, str):
        text = value.removesuffix("%").strip()
        if not re.fullmatch(r"-?\d+", text):
            raise CellProblem(f"'{_shown(value)}' is not a whole number; {PROGRESS_FIX}")
        number = int(text)
    elif isinstance(value, int):
        number = value
    else:
        raise CellProblem(f"'{_shown(value)}' is not a whole number; {PROGRESS_FIX} (format the cell as a number)")
    if number > 100:
        raise CellProblem(f"{number} is more than 100; {PROGRESS_FIX}")
    if number < 0:
        raise CellProblem(f"{number} is less than 0; {PROGRESS_FIX}")
    return number


def _date(value: Any) -> datetime.date:
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    text = str(value).strip()
    try:
        if ISO_DATE.match(text):
            return datetime.date.fromisoformat(text)
        uk = UK_DATE.match(text)
        if uk:
            day, month, year = (int(part) for part in uk.groups())
            return datetime.date(year, month, day)
    except ValueError:
        pass
    raise CellProblem(f"'{_shown(value)}' is not a date; {DATE_FIX}")


def _text(value: Any, column: str) -> str:
    text = str(value).strip()
    if text[:2] in {f"'{start}" for start in FORMULA_STARTS}:
        text = text[1:]
    limit = TEXT_LIMITS[column]
    if len(text) > limit:
        raise CellProblem(f"it is {len(text):,} characters long; make it {limit:,} characters or fewer")
    return text


def _email(value: Any) -> str:
    text = _text(value, "owner_email")
    try:
        validate_email(text)
    except ValidationError:
        raise CellProblem(f"'{_shown(value)}' is not an email address; use one like name@agency.org.uk") from None
    return text


def _recommendation_id(value: Any) -> int:
    fix = "use the number in the recommendation_id column of the download"
    if isinstance(value, int) or (isinstance(value, str) and re.fullmatch(r"\d{1,19}", value)):
        number = int(value)
        if 1 <= number <= MAX_ID:
            return number
    raise CellProblem(f"'{_shown(value)}' is not a recommendation number; {fix}")


PARSERS: dict[str, Any] = {
    "decision": lambda value: _choice(value, Decision, "decision"),
    "status": lambda value: _choice(value, Status, "status"),
    "progress": _progress,
    "due_on": _date,
    "owner_email": _email,
    "owner_agency": lambda value: _text(value, "owner_agency"),
    "owner_name": lambda value: _text(value, "owner_name"),
    "decision_reason": lambda value: _text(value, "decision_reason"),
    "status_reason": lambda value: _text(value, "status_reason"),
    "update": lambda value: _text(value, "update"),
}


# --- Comparing with the response as it is -------------------------------------------------------------------------


def _stored(value: Any) -> Any:
    """A value as kept in the import's JSON (dates as YYYY-MM-DD)."""
    return value.isoformat() if isinstance(value, datetime.date) else value


def response_values(response: RecommendationResponse) -> dict[str, Any]:
    """The response's current values of every field an import may change, as kept in the import's JSON."""
    return {field: _stored(getattr(response, field)) for field in RESPONSE_FIELDS}


def _error(errors: list[dict[str, str]], column: str, message: str) -> None:
    errors.append({"column": column, "message": message})


def _label(choices: Any, value: Any) -> str:
    return str(dict(choices.choices).get(value, value))


def _service_problems(error: ValidationError) -> list[dict[str, str]]:
    """The feedback service's refusal, as problems in the columns it names."""
    if not hasattr(error, "error_dict"):
        return [{"column": REQUIRED_COLUMN, "message": " ".join(error.messages)}]
    return [
        {"column": field if field in COLUMNS else REQUIRED_COLUMN, "message": " ".join(messages)}
        for field, messages in error.message_dict.items()
    ]


def _empty_row(number: int) -> dict[str, Any]:
    """A row as kept on the import: `was` holds the response's values at the preview, `changes` what would change
    ({field: {"from": ..., "to": ...}}), `update` the timeline note, `errors` [{"column": ..., "message": ...}]."""
    return {
        "row": number,
        "recommendation_id": None,
        "response_id": None,
        "recommendation": "",
        "changes": {},
        "update": "",
        "was": {},
        "errors": [],
    }


def _preview_row(
    number: int,
    values: dict[str, Any],
    recommendations: dict[int, Recommendation],
    seen: dict[int, int],
) -> dict[str, Any]:
    row = _empty_row(number)
    errors: list[dict[str, str]] = row["errors"]
    raw_id = values.get(REQUIRED_COLUMN, "")
    response: RecommendationResponse | None = None
    if raw_id == "":
        _error(errors, REQUIRED_COLUMN, "it is empty; put the recommendation's number, as in the download")
    else:
        try:
            recommendation_id = _recommendation_id(raw_id)
        except CellProblem as problem:
            _error(errors, REQUIRED_COLUMN, str(problem))
        else:
            row["recommendation_id"] = recommendation_id
            recommendation = recommendations.get(recommendation_id)
            if recommendation is None:
                _error(
                    errors,
                    REQUIRED_COLUMN,
                    f"{recommendation_id} is an unknown recommendation id; check the number against the download",
                )
            elif recommendation_id in seen:
                _error(
                    errors,
                    REQUIRED_COLUMN,
                    f"recommendation {recommendation_id} is also on row {seen[recommendation_id]}; "
                    "put all its changes on one row",
                )
            else:
                seen[recommendation_id] = number
                row["recommendation"] = recommendation.text[:200]
                response = getattr(recommendation, "response", None)
                if response is None:
                    _error(
                        errors,
                        REQUIRED_COLUMN,
                        f"recommendation {recommendation_id} has no response yet; record the response first, on "
                        "the recommendation's page, then upload this row again",
                    )
    given: dict[str, Any] = {}
    for column, parse in PARSERS.items():
        value = values.get(column, "")
        if value == "":
            continue
        try:
            given[column] = parse(value)
        except CellProblem as problem:
            _error(errors, column, str(problem))
    row["update"] = given.pop("update", "")
    if response is None:
        return row
    row["response_id"] = response.pk
    row["was"] = response_values(response)
    if errors:
        return row  # the cells say what to fix first; the rules are checked once every cell can be read
    # The rules are the feedback service's own (status moves, reasons, done is 100%, the model's checks), so what the
    # preview accepts is what the commit will do. It returns only the fields that really change.
    try:
        diff = response_changes_check(response, given)
    except ValidationError as error:
        errors.extend(_service_problems(error))
        return row
    row["changes"] = {
        field: {"from": _stored(diff[field][0]), "to": _stored(diff[field][1])}
        for field in RESPONSE_FIELDS
        if field in diff
    }
    return row


def _header_errors(headings: Sequence[str], rows: Iterable[tuple[int, list[Any]]]) -> list[dict[str, str]]:
    known = [*COLUMNS, *READ_ONLY_COLUMNS]
    allowed = ", ".join(COLUMNS)
    errors: list[dict[str, str]] = []
    used: set[str] = set()
    rows = list(rows)
    for position, heading in enumerate(headings):
        if not heading:
            if any(position < len(cells) and _cell(cells[position]) != "" for _, cells in rows):
                letter = _column_letter(position)
                _error(errors, letter, f"column {letter} has no heading; give it one of: {allowed} (or delete it)")
            continue
        if heading not in known:
            _error(errors, heading, f"'{heading}' is not a column we know; use only: {allowed}")
        elif heading in used:
            _error(errors, heading, f"the column '{heading}' is there twice; keep one")
        used.add(heading)
    if REQUIRED_COLUMN not in used:
        _error(
            errors,
            REQUIRED_COLUMN,
            "the recommendation_id column is missing; it says which recommendation each row is (keep it from the "
            "download)",
        )
    return errors


def _column_letter(position: int) -> str:
    letters = ""
    position += 1
    while position:
        position, remainder = divmod(position - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# --- The services -----------------------------------------------------------------------------------------------


def response_imports_for(actor: User) -> QuerySet[ResponseImport]:
    """The partnership's imports, newest first. Only someone who may import sees them (else PermissionDenied)."""
    require(actor, IMPORT_RESPONSES)
    return ResponseImport.objects.filter(partnership=actor.partnership).select_related("uploaded_by")


def response_import_get_for_actor(actor: User, import_id: int) -> ResponseImport:
    """One import; another partnership's, or one the actor may not see, is a 404 like a missing one."""
    return get_object_or_404(response_imports_for(actor), pk=import_id)


@transaction.atomic
def response_import_preview(*, actor: User, file: IO[bytes], file_name: str) -> ResponseImport:
    """Read the file and keep each row's changes and problems for the person to check (status PREVIEWED).
    Nothing is changed. A file we cannot read at all is refused with a message saying what to do instead."""
    require(actor, IMPORT_RESPONSES)
    sheet = read_sheet(_read_bytes(file))
    header_errors = _header_errors(sheet.headings, sheet.rows)
    columns = [(position, heading) for position, heading in enumerate(sheet.headings) if heading in COLUMNS]
    rows: list[dict[str, Any]] = []
    if header_errors:
        rows.append({**_empty_row(HEADER_ROW), "errors": header_errors})
    if any(heading == REQUIRED_COLUMN for _, heading in columns):
        values_by_row = [
            (
                number,
                {heading: _cell(cells[position]) if position < len(cells) else "" for position, heading in columns},
            )
            for number, cells in sheet.rows
        ]
        wanted: set[int] = set()
        for _, values in values_by_row:
            with contextlib.suppress(CellProblem):
                wanted.add(_recommendation_id(values[REQUIRED_COLUMN]))
        recommendations = {
            recommendation.pk: recommendation
            for recommendation in Recommendation.objects.filter(
                partnership=actor.partnership, pk__in=wanted
            ).select_related("response")
        }
        seen: dict[int, int] = {}
        rows.extend(_preview_row(number, values, recommendations, seen) for number, values in values_by_row)
    name = (file_name or "").strip().replace("\\", "/").rsplit("/", 1)[-1][:200] or "responses"
    response_import = ResponseImport(
        partnership=actor.partnership,
        file_name=name,
        rows=rows,
        uploaded_by=actor,
        status=ResponseImport.Status.PREVIEWED,
    )
    response_import.full_clean()
    response_import.save()
    audit_record(
        actor=actor,
        partnership=response_import.partnership,
        subject=response_import,
        event_type="response_import.previewed",
        payload={
            "file_name": name,
            "rows": len(sheet.rows),
            "rows_with_changes": sum(1 for row in rows if _work(row)),
            "errors": response_import.error_count,
        },
    )
    return response_import


def _lock_import(actor: User, import_id: int) -> ResponseImport:
    require(actor, IMPORT_RESPONSES)
    imports = ResponseImport.objects.select_for_update().filter(partnership=actor.partnership)
    response_import = get_object_or_404(imports, pk=import_id)
    if response_import.status != ResponseImport.Status.PREVIEWED:
        raise ApplicationError(
            f"This import is already {response_import.get_status_display().lower()}: upload the file again to make "
            "more changes.",
            extra={"field": "status", "status": response_import.status},
        )
    return response_import


def _work(row: dict[str, Any]) -> bool:
    return bool(row.get("changes") or row.get("update")) and row.get("response_id") is not None


def _changed_since(was: dict[str, Any], now: dict[str, Any]) -> list[str]:
    return [field for field in RESPONSE_FIELDS if was.get(field) != now.get(field)]


def _service_message(error: Exception) -> str:
    if isinstance(error, ApplicationError):
        return error.message
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in error.message_dict.items())
        return " ".join(error.messages)
    return str(error) or "it could not be saved"


def _to_service(field: str, value: Any) -> Any:
    return datetime.date.fromisoformat(value) if field == "due_on" and isinstance(value, str) else value


@transaction.atomic
def response_import_commit(*, actor: User, import_id: int) -> ResponseImport:
    """Ask for a previewed import to be saved: PREVIEWED -> COMMITTING now, and the rows applied by the Celery task
    `engagements.commit_response_import` once this commits (response_import_apply does the work). Refused if any row
    has a problem. A big file takes minutes to save, longer than a web request may take."""
    from engagements.tasks import commit_response_import

    response_import = _lock_import(actor, import_id)
    if response_import.error_count:
        count = response_import.error_count
        raise ApplicationError(
            f"The file has {count} problem{'s' if count != 1 else ''}. Nothing was changed: fix "
            f"{'them' if count != 1 else 'it'} and upload the file again.",
            extra={"field": "rows", "errors": count},
        )
    response_import.failure = ""
    response_import.commit_requested_by = actor
    response_import.commit_requested_at = timezone.now()
    transition(
        response_import,
        to=ResponseImport.Status.COMMITTING,
        actor=actor,
        payload={"rows": rows_to_save(response_import)},
        extra_update_fields=["failure", "commit_requested_by", "commit_requested_at"],
    )
    transaction.on_commit(partial(commit_response_import.delay, response_import.pk, actor.pk))
    return response_import


# An import still COMMITTING this long after the commit was asked for has lost its task (a 10,000-row file takes
# 2 to 4 minutes, docs/performance.md): the message was lost between the commit and the broker, or the worker died
# and the broker has not delivered it again yet (that takes CELERY_VISIBILITY_TIMEOUT, an hour).
STALLED_AFTER = datetime.timedelta(minutes=15)
# Sent again every 10 minutes until then; an import still not saved two hours after its commit was asked for kills
# its worker every time (a file too big for the machine, say): it goes back to the preview with what to do.
GIVE_UP_AFTER = datetime.timedelta(hours=2)
GAVE_UP = (
    "Nothing was changed: saving this upload did not finish after several tries. Commit it again, or split the file "
    "into smaller ones and upload each."
)


def response_imports_resume_stalled(*, now: datetime.datetime) -> int:
    """Send every import stuck in COMMITTING for STALLED_AFTER to the task again, as the person who asked for the
    commit; the job `engagements.resume_stalled_response_imports` runs this every 10 minutes. Harmless when the
    first task is still running: the second finds the import locked and does nothing (`_lock_committing`). An
    import committed before the asker was recorded (uploaded over STALLED_AFTER ago) goes back to PREVIEWED with the
    reason, to be committed again. One still COMMITTING GIVE_UP_AFTER its commit was asked for goes back to PREVIEWED
    with GAVE_UP (unless a task holds it at that moment). Returns how many were sent again."""
    from engagements.tasks import commit_response_import

    given_up = ResponseImport.objects.filter(
        status=ResponseImport.Status.COMMITTING, commit_requested_at__lt=now - GIVE_UP_AFTER
    ).values_list("pk", flat=True)
    for import_id in list(given_up):
        if _commit_failed(import_id, None, GAVE_UP) is not None:
            logger.error("Response import %s was not saved after %s: given up", import_id, GIVE_UP_AFTER)
    stalled = (
        ResponseImport.objects.filter(status=ResponseImport.Status.COMMITTING)
        .filter(
            Q(commit_requested_at__lt=now - STALLED_AFTER)
            # Committed before the asker was recorded: the upload itself is older still.
            | Q(commit_requested_at__isnull=True, created_at__lt=now - STALLED_AFTER)
        )
        .order_by("pk")
        .values_list("pk", "commit_requested_by_id")
    )
    count = 0
    for import_id, actor_id in stalled:
        logger.warning("Response import %s has been committing since before %s: sending it again", import_id, now)
        commit_response_import.delay(import_id, actor_id)
        count += 1
    return count


def rows_to_save(response_import: ResponseImport) -> int:
    """How many rows change something (the "Saving N rows" of the page)."""
    return sum(1 for row in response_import.rows if _work(row))


def response_import_apply(*, import_id: int, actor_id: int | None) -> ResponseImport | None:
    """The body of the `engagements.commit_response_import` task: apply every row of a COMMITTING import in one
    transaction, as if each change were made by hand by the person who committed it (in the import's partnership),
    then COMMITTED with the report; notifications go once that commits. If anything fails, every row is rolled back
    and nobody is told, and the import goes back to PREVIEWED with the failure naming the row, to fix and try again.
    Safe to run twice: an import that is not COMMITTING is left alone (None)."""
    actor: User | None = None
    try:
        with transaction.atomic():
            response_import = _lock_committing(import_id)
            if response_import is None:
                return None
            actor = _committer(response_import, actor_id)
            _apply_rows(actor, response_import)
            return response_import
    except Exception as error:
        if not isinstance(error, (ApplicationError, ValidationError, PermissionDenied)):
            logger.exception("Response import %s could not be committed", import_id)
        message = (
            error.message
            if isinstance(error, ApplicationError)
            else "Nothing was changed: something went wrong on our side. Commit the changes again."
        )
        return _commit_failed(import_id, actor, message)


def _lock_committing(import_id: int) -> ResponseImport | None:
    """The import, locked, if it is COMMITTING and no other task holds it (that one is applying it: a task sent again
    by the resume job does not wait minutes for it, holding a worker and a connection)."""
    response_import = ResponseImport.objects.select_for_update(skip_locked=True).filter(pk=import_id).first()
    if response_import is None or response_import.status != ResponseImport.Status.COMMITTING:
        return None
    return response_import


def _committer(response_import: ResponseImport, actor_id: int | None) -> User:
    """The person who committed, acting in the import's partnership, and still allowed to import there."""
    if actor_id is None:
        raise ApplicationError(
            "Nothing was changed: we do not know who asked for this upload to be saved. A scrutiny lead can commit "
            "it again.",
            extra={"field": "status"},
        )
    actor = User.objects.filter(pk=actor_id).first()
    if actor is None or act_in(actor, response_import.partnership_id) is None or not actor.has_perm(IMPORT_RESPONSES):
        raise ApplicationError(
            "Nothing was changed: the person who committed this upload can no longer update responses in this "
            "partnership. A scrutiny lead can commit it again.",
            extra={"field": "status"},
        )
    return actor


@transaction.atomic
def _commit_failed(import_id: int, actor: User | None, message: str) -> ResponseImport | None:
    response_import = _lock_committing(import_id)
    if response_import is None:
        return None
    response_import.failure = message
    transition(
        response_import,
        to=ResponseImport.Status.PREVIEWED,
        actor=actor,
        payload={"failure": message},
        extra_update_fields=["failure"],
    )
    return response_import


def _apply_rows(actor: User, response_import: ResponseImport) -> None:
    """Apply the rows (inside the caller's transaction, on the locked import): refuse, naming the rows, if a response
    changed since the preview; a row the services refuse stops everything, naming the row."""
    rows = [row for row in response_import.rows if _work(row)]
    responses = {
        response.pk: response
        for response in RecommendationResponse.objects.select_for_update()
        .filter(partnership=response_import.partnership_id, pk__in=[row["response_id"] for row in rows])
        .order_by("pk")
    }
    stale: dict[int, str] = {}
    for row in rows:
        response = responses.get(row["response_id"])
        if response is None:
            stale[row["row"]] = (
                f"row {row['row']} (recommendation {row['recommendation_id']}: its response was removed)"
            )
            continue
        fields = _changed_since(row["was"], response_values(response))
        if fields:
            names = ", ".join(FIELD_LABELS.get(field, field).lower() for field in fields)
            stale[row["row"]] = f"row {row['row']} (recommendation {row['recommendation_id']}: {names})"
    if stale:
        raise ApplicationError(
            "Some responses were changed after this preview, so it no longer shows what would happen: "
            f"{'; '.join(stale.values())}. Nothing was changed: download the current responses and upload the "
            "file again.",
            extra={"field": "rows", "rows": list(stale)},
        )
    report: list[dict[str, Any]] = []
    for row in rows:
        changes = {field: _to_service(field, change["to"]) for field, change in row["changes"].items()}
        note = row.get("update", "")
        try:
            # A change the young people are told of carries the note in its timeline entry; with no such change the
            # note is written as an update of its own (response_update does that too), so it is never lost.
            if changes:
                response_update(actor=actor, response_id=row["response_id"], changes=changes, note=note)
            else:
                timeline_entry_add(actor=actor, response_id=row["response_id"], text=note)
        except Exception as error:
            if not isinstance(error, (ApplicationError, ValidationError, PermissionDenied)):
                logger.exception("Row %s of response import %s could not be saved", row["row"], response_import.pk)
            if isinstance(error, (ApplicationError, ValidationError)):
                reason = _service_message(error).rstrip(".")
            elif isinstance(error, PermissionDenied):
                reason = "the person who committed may not change this response"
            else:
                reason = "something went wrong on our side"
            raise ApplicationError(
                f"Row {row['row']} (recommendation {row['recommendation_id']}) could not be saved: {reason}. "
                "Nothing was changed: fix the row and upload the file again.",
                extra={"field": "rows", "row": row["row"], "recommendation_id": row["recommendation_id"]},
            ) from error
        report.append(
            {
                "row": row["row"],
                "recommendation_id": row["recommendation_id"],
                "response_id": row["response_id"],
                "recommendation": row.get("recommendation", ""),
                "changes": row["changes"],
                "update": note,
            }
        )
    response_import.report = report
    response_import.committed_at = timezone.now()
    response_import.failure = ""
    transition(
        response_import,
        to=ResponseImport.Status.COMMITTED,
        actor=actor,
        payload={"rows_changed": len(report)},
        extra_update_fields=["report", "committed_at", "failure"],
    )


@transaction.atomic
def response_import_discard(*, actor: User, import_id: int) -> ResponseImport:
    """Throw a previewed import away: nothing is changed."""
    response_import = _lock_import(actor, import_id)
    transition(response_import, to=ResponseImport.Status.DISCARDED, actor=actor)
    return response_import


# --- Showing changes, and the download to edit --------------------------------------------------------------------


def _value_words(field: str, value: Any) -> str:
    if value in (None, ""):
        return "nothing"
    if field == "decision":
        return _label(Decision, value)
    if field == "status":
        return _label(Status, value)
    if field == "progress":
        return f"{value}%"
    if field == "due_on":
        day = datetime.date.fromisoformat(value) if isinstance(value, str) else value
        return f"{day:%-d %B %Y}"
    return f"“{value}”"


def change_words(field: str, change: dict[str, Any]) -> str:
    """'Progress: 40% → 60%'."""
    label = FIELD_LABELS.get(field, field)
    return f"{label}: {_value_words(field, change.get('from'))} → {_value_words(field, change.get('to'))}"


def error_words(row: dict[str, Any], error: dict[str, str]) -> str:
    """'Row 3, progress: 140 is more than 100; use a whole number from 0 to 100'."""
    return f"Row {row['row']}, {error['column']}: {error['message']}"


def _safe(value: str) -> str:
    return f"'{value}" if value[:1] in FORMULA_STARTS else value


def responses_for_download(actor: User) -> QuerySet[RecommendationResponse]:
    require(actor, IMPORT_RESPONSES)
    return (
        RecommendationResponse.objects.filter(partnership=actor.partnership)
        .select_related("recommendation__engagement")
        .order_by("recommendation_id")
    )


def responses_dataset(actor: User, *, dates_as_text: bool) -> tablib.Dataset:
    """The partnership's responses in the import's columns, to edit and upload again (a row per response). Text that
    a spreadsheet would read as a formula starts with a ' (the upload takes it away again)."""
    dataset = tablib.Dataset(headers=[*COLUMNS, *READ_ONLY_COLUMNS])
    for response in responses_for_download(actor).iterator(chunk_size=500):
        recommendation = response.recommendation
        due: Any = response.due_on
        if due is not None and dates_as_text:
            due = due.isoformat()
        dataset.append(
            [
                recommendation.pk,
                response.get_decision_display(),
                _safe(response.decision_reason),
                response.get_status_display(),
                _safe(response.status_reason),
                response.progress,
                due if due is not None else "",
                _safe(response.owner_agency),
                _safe(response.owner_name),
                _safe(response.owner_email),
                "",
                _safe(recommendation.text),
                _safe(recommendation.engagement.title),
            ]
        )
    return dataset
