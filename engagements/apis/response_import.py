"""/api/v1/response-imports/: update many responses from a spreadsheet (thin: parse, call the service, serialize).

POST a CSV or XLSX file (multipart, field `file`) to get the preview: each row with its changes and problems (every
problem names the spreadsheet row, the column and the fix). Nothing is changed until the preview is committed
(response-imports/<id>/commit/): that answers 202 with the import "committing" while a background task applies every
row or none; GET the import until it is "committed" (with the report) or back to "previewed" with `failure` naming the
row that could not be saved. A scrutiny lead only; another partnership's import is a 404.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from engagements.models import ResponseImport
from engagements.services.response_import import (
    FIELD_LABELS,
    change_words,
    error_words,
    response_import_commit,
    response_import_discard,
    response_import_get_for_actor,
    response_import_preview,
    response_imports_for,
)
from participants.apis.recruitment import named_choice_field

ResponseImportStatusField = named_choice_field("ResponseImportStatusEnum", ResponseImport.Status.choices)


class ResponseImportChangeOutput(OutputSerializer):
    field = serializers.CharField(help_text="The response's field, like 'progress' or 'due_on'.")
    field_label = serializers.CharField(help_text="The field in words, like 'Progress'.")
    before = serializers.JSONField(help_text="The value before (dates as YYYY-MM-DD).")
    after = serializers.JSONField(help_text="The value after (dates as YYYY-MM-DD).")
    text = serializers.CharField(help_text="In words, like 'Progress: 40% → 60%'.")


class ResponseImportProblemOutput(OutputSerializer):
    column = serializers.CharField(help_text="The column the problem is in (a letter for a column with no heading).")
    message = serializers.CharField(help_text="What is wrong and how to fix it.")
    text = serializers.CharField(help_text="The whole sentence, like 'Row 3, progress: 140 is more than 100; ...'.")


class ResponseImportRowOutput(OutputSerializer):
    row = serializers.IntegerField(help_text="The spreadsheet row (the headings are row 1).")
    recommendation_id = serializers.IntegerField(allow_null=True)
    response_id = serializers.IntegerField(allow_null=True)
    recommendation = serializers.CharField(help_text="The start of the recommendation's words ('' if unknown).")
    changes = ResponseImportChangeOutput(many=True)
    timeline_update = serializers.CharField(help_text="The `update` column: a note for the timeline ('' for none).")
    problems = ResponseImportProblemOutput(many=True)


def _row(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "row": row["row"],
        "recommendation_id": row.get("recommendation_id"),
        "response_id": row.get("response_id"),
        "recommendation": row.get("recommendation", ""),
        "changes": [
            {
                "field": field,
                "field_label": FIELD_LABELS.get(field, field),
                "before": change.get("from"),
                "after": change.get("to"),
                "text": change_words(field, change),
            }
            for field, change in row.get("changes", {}).items()
        ],
        "timeline_update": row.get("update", ""),
        "problems": [{**error, "text": error_words(row, error)} for error in row.get("errors", [])],
    }


class ResponseImportSummaryOutput(OutputSerializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    status = ResponseImportStatusField()
    status_label = ChoiceLabelField("status")
    uploaded_by = serializers.CharField(source="uploaded_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    committed_at = serializers.DateTimeField(allow_null=True)


class ResponseImportOutput(ResponseImportSummaryOutput):
    problem_count = serializers.IntegerField(source="error_count", help_text="Commit only when this is 0.")
    failure = serializers.CharField(
        help_text="Why the last commit saved nothing, naming the row ('' if none): fix it and commit again."
    )
    rows = serializers.SerializerMethodField(help_text="Every row read from the file, as previewed.")
    report = serializers.SerializerMethodField(help_text="Once committed: the rows that changed something.")

    @extend_schema_field(ResponseImportRowOutput(many=True))
    def get_rows(self, response_import: ResponseImport) -> list[dict[str, Any]]:
        return [_row(row) for row in response_import.rows]

    @extend_schema_field(ResponseImportRowOutput(many=True))
    def get_report(self, response_import: ResponseImport) -> list[dict[str, Any]]:
        return [_row(row) for row in response_import.report]


class ResponseImportInput(serializers.Serializer):
    file = serializers.FileField(
        help_text="A CSV (UTF-8) or XLSX file of 5 MB or less, at most 10,000 rows; the first row holds the headings."
    )


class ResponseImportListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        responses=ResponseImportSummaryOutput(many=True),
        summary="The partnership's spreadsheet imports of response updates, newest first (scrutiny lead)",
    )
    def get(self, request: Request) -> Response:
        imports = response_imports_for(actor(request)).defer("rows", "report")
        return paginate(request, self, imports, ResponseImportSummaryOutput)

    @extend_schema(
        request={"multipart/form-data": ResponseImportInput},
        responses={201: ResponseImportOutput},
        summary="Upload a spreadsheet of response updates and get the preview (nothing is changed yet)",
    )
    def post(self, request: Request) -> Response:
        require(actor(request), "engagements.import_responses")  # 403 before the file is read
        payload = ResponseImportInput(data=request.data)
        payload.is_valid(raise_exception=True)
        upload = payload.validated_data["file"]
        response_import = response_import_preview(actor=actor(request), file=upload, file_name=upload.name or "")
        return Response(ResponseImportOutput(response_import).data, status=status.HTTP_201_CREATED)


class ResponseImportDetailApi(PartnershipApi):
    @extend_schema(
        responses=ResponseImportOutput,
        summary="An import: its preview (with `failure` if a commit saved nothing), or its report once committed",
    )
    def get(self, request: Request, import_id: int) -> Response:
        return Response(ResponseImportOutput(response_import_get_for_actor(actor(request), import_id)).data)


class ResponseImportCommitApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses={202: ResponseImportOutput},
        summary=(
            "Commit a previewed import: 202 with status 'committing'; every row is then applied in the background, "
            "or none (notifications as for changes by hand). GET the import to see when it is committed."
        ),
    )
    def post(self, request: Request, import_id: int) -> Response:
        user = actor(request)
        response_import_get_for_actor(user, import_id)  # 404 first for what the caller cannot see
        response_import = response_import_commit(actor=user, import_id=import_id)
        return Response(ResponseImportOutput(response_import).data, status=status.HTTP_202_ACCEPTED)


class ResponseImportDiscardApi(PartnershipApi):
    @extend_schema(request=None, responses=ResponseImportOutput, summary="Discard a previewed import")
    def post(self, request: Request, import_id: int) -> Response:
        user = actor(request)
        response_import_get_for_actor(user, import_id)
        return Response(ResponseImportOutput(response_import_discard(actor=user, import_id=import_id)).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("response-imports/", ResponseImportListApi.as_view(), name="api-response-import-list"),
    path("response-imports/<int:import_id>/", ResponseImportDetailApi.as_view(), name="api-response-import-detail"),
    path(
        "response-imports/<int:import_id>/commit/",
        ResponseImportCommitApi.as_view(),
        name="api-response-import-commit",
    ),
    path(
        "response-imports/<int:import_id>/discard/",
        ResponseImportDiscardApi.as_view(),
        name="api-response-import-discard",
    ),
]
