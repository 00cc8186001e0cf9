"""/api/v1/payment-batches/: finance officers build a batch of ready claims, a different finance officer approves
it, and submitting it sends the payouts in the background. Thin: parse, call the service or selector, serialize.

- GET /api/v1/payment-batches/ (filter `status`), POST (no body): a new draft batch (201).
- GET /api/v1/payment-batches/<id>/: the batch with its totals per rail and per payee, and its progress.
- POST .../claims/ {"claim_ids": [..]}: add OPEN claims whose payee is ready; all or nothing. A claim "waiting for
  payment details" is refused: 400 {"message", "extra": {"field": "claim_ids", "refused": {"<id>": reason}}}.
- DELETE .../claims/<claim_id>/: take a claim out of a draft batch.
- POST .../approve/ {"expected_total_pence"?}: a different finance officer from the maker (400 otherwise).
- POST .../submit/: APPROVED -> SUBMITTING; the Celery task sends the payouts (202). A second submit is a 400.
- POST .../bank-export/: make the bank file for the batch's waiting bank transfers; answers the CSV itself
  (text/csv, attachment, no-store). GET .../bank-export/ answers the latest file again (the download is audited).
- POST .../bank-confirmation/ (multipart `file`): the bank's confirmation file; marks the bank payouts PAID or FAILED.
Another partnership's batch is a 404.
"""

from __future__ import annotations

from typing import Any

from django.http import Http404, HttpResponse
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from participants.apis.recruitment import MAX_ID, named_choice_field
from payments.models import BankExport, PaymentBatch, Rail
from payments.selectors.batches import (
    bank_exports_for,
    batch_get_for_actor,
    batch_progress,
    batch_totals,
    batches_visible_to,
)
from payments.services.batches import (
    MAX_CLAIMS_PER_REQUEST,
    batch_add_claims,
    batch_approve,
    batch_create,
    batch_remove_claim,
    batch_submit,
)
from payments.services.payouts import bank_confirmation_import, bank_export_create, bank_export_download

BatchStatusField = named_choice_field("PaymentBatchStatusEnum", PaymentBatch.Status.choices)
BatchRailField = named_choice_field("PayoutRailEnum", Rail.choices)


class BatchOutput(OutputSerializer):
    id = serializers.IntegerField()
    reference = serializers.CharField()
    status = BatchStatusField()
    status_label = ChoiceLabelField("status")
    created_by = serializers.CharField(source="created_by.full_name")
    created_at = serializers.DateTimeField()
    approved_by = serializers.CharField(source="approved_by.full_name", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(allow_null=True)
    submitted_at = serializers.DateTimeField(allow_null=True)
    finished_at = serializers.DateTimeField(allow_null=True)
    payout_count = serializers.IntegerField(help_text="Payouts that are not failed or reversed.")
    total_pence = serializers.IntegerField(help_text="Their total, in pence.")


class RailTotalOutput(OutputSerializer):
    rail = BatchRailField()
    rail_label = serializers.CharField(source="label")
    payouts = serializers.IntegerField()
    total_pence = serializers.IntegerField()


class PayeeTotalOutput(OutputSerializer):
    membership_id = serializers.IntegerField()
    payee_name = serializers.CharField()
    rail = BatchRailField()
    payouts = serializers.IntegerField()
    total_pence = serializers.IntegerField()


class ProgressOutput(OutputSerializer):
    total = serializers.IntegerField()
    done = serializers.IntegerField(help_text="Sent, paid, failed or reversed.")
    sent = serializers.IntegerField(help_text="Sent or paid.")
    failed = serializers.IntegerField(help_text="Failed or reversed.")
    waiting_bank = serializers.IntegerField(help_text="Bank transfers waiting for the bank file.")
    waiting_voucher = serializers.IntegerField(help_text="Vouchers waiting to be recorded.")
    sending_now = serializers.IntegerField(help_text="Stripe payouts still being sent.")
    percent = serializers.IntegerField()


class BankExportOutput(OutputSerializer):
    id = serializers.IntegerField()
    line_count = serializers.IntegerField()
    control_total_pence = serializers.IntegerField()
    created_by = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class BatchDetailOutput(BatchOutput):
    totals_by_rail = RailTotalOutput(many=True)
    totals_by_payee = PayeeTotalOutput(many=True)
    progress = ProgressOutput()
    bank_exports = BankExportOutput(many=True)


class BatchFilter(serializers.Serializer):
    status = BatchStatusField(required=False)


class ClaimsInput(serializers.Serializer):
    claim_ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_CLAIMS_PER_REQUEST,
        help_text="OPEN claims of the partnership whose payee is ready to be paid.",
    )


class ApproveInput(serializers.Serializer):
    expected_total_pence = serializers.IntegerField(
        min_value=0,
        required=False,
        allow_null=True,
        default=None,
        help_text="The total you checked: approval is refused if the batch has changed since.",
    )


class ConfirmationInput(serializers.Serializer):
    file = serializers.FileField(help_text="The bank's confirmation CSV: line_reference, amount, status, reason.")


class ConfirmationOutput(OutputSerializer):
    paid = serializers.IntegerField()
    rejected = serializers.IntegerField()
    already_recorded = serializers.IntegerField()


def detail_data(batch: PaymentBatch) -> dict[str, Any]:
    totals = batch_totals(batch)
    progress = batch_progress(batch)
    data: dict[str, Any] = dict(BatchOutput(batch).data)
    data["totals_by_rail"] = RailTotalOutput(totals.by_rail, many=True).data
    data["totals_by_payee"] = PayeeTotalOutput(totals.by_payee, many=True).data
    data["progress"] = {**ProgressOutput(progress).data}
    data["bank_exports"] = BankExportOutput(bank_exports_for(batch), many=True).data
    return data


def _detail(request: Request, batch_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(detail_data(batch_get_for_actor(actor(request), batch_id)), status=code)


def bank_file_response(export: BankExport) -> HttpResponse:
    """The bank file as a download that no browser or proxy keeps."""
    response = HttpResponse(export.content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export.batch.reference}-bank-file-{export.pk}.csv"'
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


class BatchListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(parameters=[BatchFilter], responses=BatchOutput(many=True), summary="Payment batches")
    def get(self, request: Request) -> Response:
        filters = BatchFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        batches = batches_visible_to(actor(request), status=filters.validated_data.get("status"))
        return paginate(request, self, batches, BatchOutput)

    @extend_schema(request=None, responses={201: BatchDetailOutput}, summary="Start a new draft batch")
    def post(self, request: Request) -> Response:
        batch = batch_create(actor=actor(request))
        return _detail(request, batch.pk, status.HTTP_201_CREATED)


class BatchDetailApi(PartnershipApi):
    @extend_schema(responses=BatchDetailOutput, summary="A batch with its totals per rail and per payee, and progress")
    def get(self, request: Request, batch_id: int) -> Response:
        return _detail(request, batch_id)


class BatchClaimsApi(PartnershipApi):
    @extend_schema(request=ClaimsInput, responses=BatchDetailOutput, summary="Add ready claims to a draft batch")
    def post(self, request: Request, batch_id: int) -> Response:
        user = actor(request)
        batch_get_for_actor(user, batch_id)  # 403/404 before the body is read
        payload = ClaimsInput(data=request.data)
        payload.is_valid(raise_exception=True)
        batch_add_claims(actor=user, batch_id=batch_id, claim_ids=payload.validated_data["claim_ids"])
        return _detail(request, batch_id)


class BatchClaimApi(PartnershipApi):
    @extend_schema(request=None, responses={200: BatchDetailOutput}, summary="Take a claim out of a draft batch")
    def delete(self, request: Request, batch_id: int, claim_id: int) -> Response:
        user = actor(request)
        batch_get_for_actor(user, batch_id)
        batch_remove_claim(actor=user, batch_id=batch_id, claim_id=claim_id)
        return _detail(request, batch_id)


class BatchApproveApi(PartnershipApi):
    @extend_schema(
        request=ApproveInput,
        responses=BatchDetailOutput,
        summary="Approve a batch (a different finance officer from the one who made it)",
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = actor(request)
        batch_get_for_actor(user, batch_id)  # 403/404 before the body is read
        payload = ApproveInput(data=request.data)
        payload.is_valid(raise_exception=True)
        batch_approve(actor=user, batch_id=batch_id, **payload.validated_data)
        return _detail(request, batch_id)


class BatchSubmitApi(PartnershipApi):
    @extend_schema(
        request=None, responses={202: BatchDetailOutput}, summary="Send an approved batch (in the background)"
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = actor(request)
        batch_get_for_actor(user, batch_id)
        batch_submit(actor=user, batch_id=batch_id)
        return _detail(request, batch_id, status.HTTP_202_ACCEPTED)


class BatchBankExportApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses={(200, "text/csv"): OpenApiResponse(description="The latest bank file of the batch.")},
        summary="Download the batch's latest bank file again",
    )
    def get(self, request: Request, batch_id: int) -> HttpResponse:
        user = actor(request)
        batch = batch_get_for_actor(user, batch_id)
        latest = bank_exports_for(batch).last()
        if latest is None:
            raise Http404("This batch has no bank file yet.")
        return bank_file_response(bank_export_download(actor=user, export_id=latest.pk))

    @extend_schema(
        request=None,
        responses={(201, "text/csv"): OpenApiResponse(description="The bank file (layout in docs/payments.md).")},
        summary="Make the bank file for the batch's waiting bank transfers (they become SENT)",
    )
    def post(self, request: Request, batch_id: int) -> HttpResponse:
        user = actor(request)
        batch_get_for_actor(user, batch_id)
        export = bank_export_create(actor=user, batch_id=batch_id)
        response = bank_file_response(bank_export_download(actor=user, export_id=export.pk))
        response.status_code = status.HTTP_201_CREATED
        return response


class BatchBankConfirmationApi(PartnershipApi):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": ConfirmationInput},
        responses=ConfirmationOutput,
        summary="Import the bank's confirmation file: bank payouts become PAID or FAILED",
    )
    def post(self, request: Request, batch_id: int) -> Response:
        user = actor(request)
        # The permission on the record before the body is read: 403 (404 for another partnership's), not a 400.
        require(user, "payments.change_paymentbatch", batch_get_for_actor(user, batch_id))
        payload = ConfirmationInput(data=request.data)
        payload.is_valid(raise_exception=True)
        result = bank_confirmation_import(actor=user, batch_id=batch_id, file=payload.validated_data["file"])
        return Response(ConfirmationOutput(result).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("payment-batches/", BatchListApi.as_view(), name="api-payment-batch-list"),
    path("payment-batches/<int:batch_id>/", BatchDetailApi.as_view(), name="api-payment-batch-detail"),
    path("payment-batches/<int:batch_id>/claims/", BatchClaimsApi.as_view(), name="api-payment-batch-claims"),
    path(
        "payment-batches/<int:batch_id>/claims/<int:claim_id>/",
        BatchClaimApi.as_view(),
        name="api-payment-batch-claim",
    ),
    path("payment-batches/<int:batch_id>/approve/", BatchApproveApi.as_view(), name="api-payment-batch-approve"),
    path("payment-batches/<int:batch_id>/submit/", BatchSubmitApi.as_view(), name="api-payment-batch-submit"),
    path(
        "payment-batches/<int:batch_id>/bank-export/",
        BatchBankExportApi.as_view(),
        name="api-payment-batch-bank-export",
    ),
    path(
        "payment-batches/<int:batch_id>/bank-confirmation/",
        BatchBankConfirmationApi.as_view(),
        name="api-payment-batch-bank-confirmation",
    ),
]
