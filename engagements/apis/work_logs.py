"""/api/v1/work-logs/: young people log their time and expenses (with receipts) for engagements they attended and
send them for approval; participation workers approve (as claimed or adjusted, with a reason) or reject them.
Finance officers and partnership admins read the partnership's logs. Thin: parse, call the service, serialize.

A young person sees only their own logs; anyone else's (or another partnership's) is a 404. A receipt that is not
a photo or PDF is a 400 naming the field: {"message": ..., "extra": {"field": "receipt"}}.

Adding an expense takes an optional Idempotency-Key header: a retry of the same expense (same kind, description
and amount) with the same key for the same log adds nothing and answers with the log holding the first one.

Saving a draft (POST work-logs/) answers 201 when it made the log and 200 when it changed the one there was. A
receipt downloads from work-logs/<id>/expenses/<expense id>/receipt/ for the same people as the page's download:
its owner, participation workers and finance officers (a 404 for anyone else).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.urls import URLPattern, URLResolver, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from engagements.apis.downloads import DownloadNegotiation, private_download
from engagements.models import Expense, WorkLog
from engagements.selectors.work_logs import (
    expense_get_for_receipt,
    own_work_logs,
    work_log_get_for_actor,
    work_logs_visible_to,
)
from engagements.services.work_logs import (
    IDEMPOTENCY_KEY_MAX,
    MAX_DRAFT_MINUTES,
    NOTE_MAX,
    REASON_MAX,
    expense_add,
    expense_remove,
    work_log_approve,
    work_log_reject,
    work_log_save_draft,
    work_log_submit,
)
from participants.apis.recruitment import MAX_ID, named_choice_field
from participants.models import User

WorkLogStatusField = named_choice_field("WorkLogStatusEnum", WorkLog.Status.choices)
ExpenseKindField = named_choice_field("ExpenseKindEnum", Expense.Kind.choices)


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _minutes_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=MAX_DRAFT_MINUTES, **kwargs)


class ExpenseOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = ExpenseKindField()
    description = serializers.CharField()
    amount = serializers.DecimalField(max_digits=8, decimal_places=2)
    approved_amount = serializers.DecimalField(max_digits=8, decimal_places=2, allow_null=True)
    has_receipt = serializers.SerializerMethodField()
    receipt_url = serializers.SerializerMethodField(
        help_text="The API download of the receipt (its owner, participation workers and finance officers)."
    )

    def get_has_receipt(self, expense: Expense) -> bool:
        return bool(expense.receipt)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_receipt_url(self, expense: Expense) -> str | None:
        if not expense.receipt:
            return None
        return reverse("api-work-log-receipt", args=[expense.work_log_id, expense.pk])


class WorkLogOutput(OutputSerializer):
    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    engagement_starts_at = serializers.DateTimeField(source="engagement.starts_at")
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    status = WorkLogStatusField()
    status_label = ChoiceLabelField("status")
    preparation_minutes = serializers.IntegerField()
    session_minutes = serializers.IntegerField()
    travel_minutes = serializers.IntegerField()
    claimed_minutes = serializers.IntegerField()
    approved_preparation_minutes = serializers.IntegerField(allow_null=True)
    approved_session_minutes = serializers.IntegerField(allow_null=True)
    approved_travel_minutes = serializers.IntegerField(allow_null=True)
    approved_minutes = serializers.IntegerField(allow_null=True)
    is_adjusted = serializers.BooleanField()
    note = serializers.CharField()
    decision_reason = serializers.CharField()
    decided_by = serializers.CharField(source="decided_by.full_name", allow_null=True, default=None)
    decided_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    expenses = ExpenseOutput(many=True)
    expenses_total = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=2))
    def get_expenses_total(self, log: WorkLog) -> str:
        return f"{log.expenses_total:.2f}"


class WorkLogFilter(serializers.Serializer):
    status = WorkLogStatusField(required=False)
    engagement = _id_field(required=False)


class DraftInput(serializers.Serializer):
    engagement = _id_field(help_text="An engagement you were confirmed for.")
    preparation_minutes = _minutes_field(default=0)
    session_minutes = _minutes_field(default=0)
    travel_minutes = _minutes_field(default=0)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class DraftUpdateInput(serializers.Serializer):
    preparation_minutes = _minutes_field(required=False)
    session_minutes = _minutes_field(required=False)
    travel_minutes = _minutes_field(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=NOTE_MAX)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class ExpenseInput(serializers.Serializer):
    kind = ExpenseKindField()
    description = serializers.CharField(max_length=200)
    amount = serializers.DecimalField(
        max_digits=8, decimal_places=2, help_text="Pounds and pence, more than 0 and at most 500."
    )
    receipt = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="A photo (JPG or PNG) or a PDF, at most 10 MB."
    )


class WorkLogApproveInput(serializers.Serializer):
    preparation_minutes = _minutes_field(required=False, allow_null=True, default=None)
    session_minutes = _minutes_field(required=False, allow_null=True, default=None)
    travel_minutes = _minutes_field(required=False, allow_null=True, default=None)
    expense_amounts = serializers.DictField(
        child=serializers.DecimalField(max_digits=8, decimal_places=2, min_value=Decimal("0")),
        required=False,
        default=dict,
        help_text="Expense id to the amount approved (leave out to approve as claimed).",
    )
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=REASON_MAX, help_text="Needed for any change."
    )

    def validate_expense_amounts(self, amounts: dict[str, Decimal]) -> dict[int, Decimal]:
        def is_id(text: str) -> bool:
            return text.isascii() and text.isdigit() and len(text) < 19 and int(text) <= MAX_ID

        if bad := [key for key in amounts if not is_id(str(key))]:
            raise serializers.ValidationError(dict.fromkeys(bad, "Use an expense id."))
        return {int(key): value for key, value in amounts.items()}


class WorkLogRejectInput(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX, help_text="What to change. The young person sees it.")


def _detail(request: Request, work_log_id: int) -> Response:
    return Response(WorkLogOutput(work_log_get_for_actor(actor(request), work_log_id)).data)


def _own_log(user: User, work_log_id: int) -> WorkLog:
    """The young person's own log, checked before a change's body is read: 404 for a log they cannot see (another
    partnership's, another young person's), 403 for one they may see but is not theirs (staff)."""
    log = work_log_get_for_actor(user, work_log_id)
    if user.membership is None or log.membership_id != user.membership.pk:
        raise PermissionDenied("Only the young person whose log it is can change it.")
    return log


class WorkLogListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[WorkLogFilter],
        responses=WorkLogOutput(many=True),
        summary="Work logs: your own (young people) or the partnership's (workers, finance officers, admins)",
    )
    def get(self, request: Request) -> Response:
        filters = WorkLogFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        logs = work_logs_visible_to(actor(request), status=data.get("status"), engagement_id=data.get("engagement"))
        return paginate(request, self, logs, WorkLogOutput)

    @extend_schema(
        request=DraftInput,
        responses={201: WorkLogOutput, 200: WorkLogOutput},
        summary="Save your draft for an engagement (201: made now; 200: the one there was, changed; a log sent "
        "back becomes a draft again)",
    )
    def post(self, request: Request) -> Response:
        payload = DraftInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = actor(request)
        # Whether there was one before: the service makes it or changes it. (Two first saves at the very same
        # moment make one log; both may answer 201.)
        had_one = own_work_logs(user).filter(engagement_id=data["engagement"]).exists()
        log = work_log_save_draft(
            actor=user,
            engagement_id=data["engagement"],
            preparation_minutes=data["preparation_minutes"],
            session_minutes=data["session_minutes"],
            travel_minutes=data["travel_minutes"],
            note=data["note"],
        )
        response = _detail(request, log.pk)
        if not had_one:
            response.status_code = status.HTTP_201_CREATED
        return response


class WorkLogDetailApi(PartnershipApi):
    @extend_schema(responses=WorkLogOutput)
    def get(self, request: Request, work_log_id: int) -> Response:
        return _detail(request, work_log_id)

    @extend_schema(request=DraftUpdateInput, responses=WorkLogOutput, summary="Change your draft")
    def patch(self, request: Request, work_log_id: int) -> Response:
        user = actor(request)
        log = _own_log(user, work_log_id)
        payload = DraftUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = {
            "preparation_minutes": log.preparation_minutes,
            "session_minutes": log.session_minutes,
            "travel_minutes": log.travel_minutes,
            "note": log.note,
            **payload.validated_data,
        }
        work_log_save_draft(actor=user, engagement_id=log.engagement_id, **data)
        return _detail(request, work_log_id)


class WorkLogSubmitApi(PartnershipApi):
    @extend_schema(request=None, responses=WorkLogOutput, summary="Send your log for approval")
    def post(self, request: Request, work_log_id: int) -> Response:
        work_log_submit(actor=actor(request), work_log_id=work_log_id)
        return _detail(request, work_log_id)


class WorkLogApproveApi(PartnershipApi):
    @extend_schema(
        request=WorkLogApproveInput,
        responses=WorkLogOutput,
        summary="Approve as claimed, or adjusted (any figure that differs needs a reason)",
    )
    def post(self, request: Request, work_log_id: int) -> Response:
        payload = WorkLogApproveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        work_log_approve(actor=actor(request), work_log_id=work_log_id, **payload.validated_data)
        return _detail(request, work_log_id)


class WorkLogRejectApi(PartnershipApi):
    @extend_schema(
        request=WorkLogRejectInput, responses=WorkLogOutput, summary="Send back to the young person with a reason"
    )
    def post(self, request: Request, work_log_id: int) -> Response:
        payload = WorkLogRejectInput(data=request.data)
        payload.is_valid(raise_exception=True)
        work_log_reject(actor=actor(request), work_log_id=work_log_id, **payload.validated_data)
        return _detail(request, work_log_id)


class WorkLogExpensesApi(PartnershipApi):
    parser_classes = [MultiPartParser, FormParser, JSONParser]

    @extend_schema(
        request={"multipart/form-data": ExpenseInput},
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=False,
                description=(
                    f"Any unique value (a UUID), at most {IDEMPOTENCY_KEY_MAX} characters. Sending the same expense "
                    "again with the same key adds nothing and answers as the first time did."
                ),
            )
        ],
        responses={201: WorkLogOutput},
        summary="Add an expense with its receipt (a photo or PDF; travel fares under £5 need none)",
    )
    def post(self, request: Request, work_log_id: int) -> Response:
        user = actor(request)
        _own_log(user, work_log_id)
        payload = ExpenseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        expense_add(
            actor=user,
            work_log_id=work_log_id,
            idempotency_key=request.headers.get("Idempotency-Key"),
            **payload.validated_data,
        )
        response = _detail(request, work_log_id)
        response.status_code = status.HTTP_201_CREATED
        return response


class WorkLogReceiptApi(PartnershipApi):
    """An expense's receipt, as a download: for its owner, participation workers and finance officers; a 404 for
    anyone else, for another partnership's, and for an expense that is not on this log."""

    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The receipt (a PDF, JPG or PNG) as an attachment."
            ),
            404: OpenApiResponse(description="No such receipt, or not one you may open."),
        },
        summary="Download an expense's receipt (its owner, participation workers and finance officers)",
    )
    def get(self, request: Request, work_log_id: int, expense_id: int) -> FileResponse:
        expense = expense_get_for_receipt(actor(request), expense_id, work_log_id=work_log_id)
        return private_download(expense.receipt, filename_stem=f"receipt-{expense.pk}", kind=expense.receipt_kind)


class WorkLogExpenseApi(PartnershipApi):
    @extend_schema(request=None, responses={200: WorkLogOutput}, summary="Remove an expense from your draft")
    def delete(self, request: Request, work_log_id: int, expense_id: int) -> Response:
        expense_remove(actor=actor(request), work_log_id=work_log_id, expense_id=expense_id)
        return _detail(request, work_log_id)


urlpatterns: list[URLPattern | URLResolver] = [
    path("work-logs/", WorkLogListApi.as_view(), name="api-work-log-list"),
    path("work-logs/<int:work_log_id>/", WorkLogDetailApi.as_view(), name="api-work-log-detail"),
    path("work-logs/<int:work_log_id>/submit/", WorkLogSubmitApi.as_view(), name="api-work-log-submit"),
    path("work-logs/<int:work_log_id>/approve/", WorkLogApproveApi.as_view(), name="api-work-log-approve"),
    path("work-logs/<int:work_log_id>/reject/", WorkLogRejectApi.as_view(), name="api-work-log-reject"),
    path("work-logs/<int:work_log_id>/expenses/", WorkLogExpensesApi.as_view(), name="api-work-log-expenses"),
    path(
        "work-logs/<int:work_log_id>/expenses/<int:expense_id>/",
        WorkLogExpenseApi.as_view(),
        name="api-work-log-expense",
    ),
    path(
        "work-logs/<int:work_log_id>/expenses/<int:expense_id>/receipt/",
        WorkLogReceiptApi.as_view(),
        name="api-work-log-receipt",
    ),
]
