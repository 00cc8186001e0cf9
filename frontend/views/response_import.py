"""Pages for updating many responses at once from a spreadsheet (the scrutiny lead): the upload page (what each
column means, the current responses to download as CSV or XLSX), the preview of an upload (each row's changes and
problems, Commit only when there are none, Discard), "Saving N rows…" while a Celery task saves them (the page polls
the `response_import_progress` fragment every 2 s with htmx, which reloads the page once the import is saved or has
gone back to the preview with the failure), and the report of what changed once committed.

Thin: parse input, call a service, render. The rules live in engagements.services.response_import.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from engagements.models import ResponseImport
from engagements.services.response_import import (
    COLUMNS,
    HEADER_ROW,
    IMPORT_RESPONSES,
    MAX_ROWS,
    READ_ONLY_COLUMNS,
    change_words,
    error_words,
    response_import_commit,
    response_import_discard,
    response_import_get_for_actor,
    response_import_preview,
    response_imports_for,
    responses_dataset,
    rows_to_save,
)
from frontend.forms.response_import import ResponseImportForm
from frontend.views.home import acting_user, apply_service_error

STOP_POLLING = 286  # htmx stops polling on this status
# The error summary lists this many problems at most (every row's problems are in the table below it).
SUMMARY_LIMIT = 100
DOWNLOADS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _importer(request: HttpRequest) -> Any:
    user = acting_user(request)
    require(user, IMPORT_RESPONSES, message="Only a scrutiny lead can update responses from a spreadsheet.")
    return user


@login_required
@require_http_methods(["GET", "POST"])
def response_import_upload(request: HttpRequest) -> HttpResponse:
    user = _importer(request)
    posted = request.method == "POST"
    form = ResponseImportForm(request.POST if posted else None, request.FILES if posted else None)
    if posted and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            response_import = response_import_preview(actor=user, file=upload, file_name=upload.name or "")
        except (ApplicationError, DjangoValidationError) as error:
            apply_service_error(form, error)
        else:
            return redirect("response_import_detail", import_id=response_import.pk)
    return render(
        request,
        "response_import/upload.html",
        {
            "form": form,
            "columns": list(COLUMNS.items()),
            "read_only_columns": list(READ_ONLY_COLUMNS.items()),
            "max_rows": MAX_ROWS,
            "recent": list(response_imports_for(user)[:10]),
        },
    )


@login_required
@require_GET
def response_import_template(request: HttpRequest, fmt: str) -> HttpResponse:
    """The partnership's current responses in the import's columns, to change and upload again."""
    user = _importer(request)
    if fmt not in DOWNLOADS:
        raise Http404("Choose CSV or XLSX.")
    dataset = responses_dataset(user, dates_as_text=fmt == "csv")
    dataset.title = "Responses"
    # A byte order mark makes Excel open the CSV as UTF-8 (the upload accepts it).
    body = "\ufeff" + dataset.export("csv") if fmt == "csv" else dataset.export("xlsx")
    response = HttpResponse(body, content_type=DOWNLOADS[fmt])
    response["Content-Disposition"] = f'attachment; filename="responses-{timezone.localdate():%Y-%m-%d}.{fmt}"'
    return response


def _page_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each row with its changes and problems in words, for the table."""
    shown = []
    for row in rows:
        shown.append(
            {
                **row,
                "is_header": row["row"] == HEADER_ROW and row.get("recommendation_id") is None,
                "change_lines": [change_words(field, change) for field, change in row.get("changes", {}).items()],
                "error_lines": [
                    {"column": error["column"], "message": error["message"], "text": error_words(row, error)}
                    for error in row.get("errors", [])
                ],
            }
        )
    return shown


def _render_detail(
    request: HttpRequest, response_import: ResponseImport, *, commit_error: str = "", status: int = 200
) -> HttpResponse:
    rows = _page_rows(response_import.rows)
    problems = [(row["row"], line["text"]) for row in rows for line in row["error_lines"]]
    listed = [row for row in rows if row["change_lines"] or row["error_lines"] or row.get("update")]
    data_rows = sum(1 for row in rows if not row["is_header"])
    previewed = response_import.status == ResponseImport.Status.PREVIEWED
    if previewed and not commit_error and response_import.failure:
        commit_error = response_import.failure  # the last commit saved nothing: say why, to fix and try again
    return render(
        request,
        "response_import/detail.html",
        {
            "import": response_import,
            "rows": listed,
            "data_rows": data_rows,
            "unchanged": data_rows - sum(1 for row in listed if not row["is_header"]),
            "problems": problems[:SUMMARY_LIMIT],
            "more_problems": max(0, len(problems) - SUMMARY_LIMIT),
            "problem_count": len(problems),
            "commit_error": commit_error,
            "can_commit": previewed and not problems,
            "can_discard": previewed,
            "report": _page_rows(response_import.report) if response_import.report else [],
            **_progress_context(response_import),
        },
        status=status,
    )


@login_required
@require_GET
def response_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    user = _importer(request)
    return _render_detail(request, response_import_get_for_actor(user, import_id))


@login_required
@require_POST
def response_import_commit_view(request: HttpRequest, import_id: int) -> HttpResponse:
    user = _importer(request)
    response_import = response_import_get_for_actor(user, import_id)
    try:
        committed = response_import_commit(actor=user, import_id=response_import.pk)
    except (ApplicationError, DjangoValidationError) as error:
        message = error.message if isinstance(error, ApplicationError) else " ".join(error.messages)
        response_import.refresh_from_db()
        return _render_detail(request, response_import, commit_error=message, status=400)
    return redirect("response_import_detail", import_id=committed.pk)


def _progress_context(response_import: ResponseImport) -> dict[str, Any]:
    return {
        "committing": response_import.status == ResponseImport.Status.COMMITTING,
        "rows_to_save": rows_to_save(response_import),
    }


@login_required
@require_GET
def response_import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The fragment the detail page polls while the rows are being saved. Once the import is saved, or back to the
    preview because a row could not be saved, it asks htmx to reload the page (HX-Refresh) and stops the polling."""
    user = _importer(request)
    response_import = response_import_get_for_actor(user, import_id)
    context = {"import": response_import, **_progress_context(response_import)}
    response = render(request, "response_import/_progress.html", context)
    if not context["committing"]:
        response.status_code = STOP_POLLING
        response["HX-Refresh"] = "true"
    return response


@login_required
@require_POST
def response_import_discard_view(request: HttpRequest, import_id: int) -> HttpResponse:
    user = _importer(request)
    response_import = response_import_get_for_actor(user, import_id)
    try:
        response_import_discard(actor=user, import_id=response_import.pk)
    except ApplicationError as error:
        response_import.refresh_from_db()
        return _render_detail(request, response_import, commit_error=error.message, status=400)
    messages.success(request, f"“{response_import.file_name}” was discarded. Nothing was changed.")
    return redirect("response_import_upload")


urlpatterns = [
    path("responses/import/", response_import_upload, name="response_import_upload"),
    path("responses/import/responses.<str:fmt>", response_import_template, name="response_import_template"),
    path("responses/import/<int:import_id>/", response_import_detail, name="response_import_detail"),
    path("responses/import/<int:import_id>/progress/", response_import_progress, name="response_import_progress"),
    path("responses/import/<int:import_id>/commit/", response_import_commit_view, name="response_import_commit"),
    path("responses/import/<int:import_id>/discard/", response_import_discard_view, name="response_import_discard"),
]
