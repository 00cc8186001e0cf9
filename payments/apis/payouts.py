"""/api/v1/payouts/ and /api/v1/payee-accounts/ (finance officers). Thin: parse, call the service or selector,
serialize.

- GET /api/v1/payouts/ (filters `status`, `rail`, `batch`): the partnership's payouts; a failed one carries the
  reason (Stripe's own words where there are some). GET /api/v1/payouts/<id>/.
- POST /api/v1/payouts/<id>/retry/ {"rail"?}: try a failed or reversed payout's claim again, on the same rail or
  another; answers the NEW payout (201). If Stripe turns out to hold a transfer for the claim it is recorded and
  nothing is sent again.
- POST /api/v1/payouts/<id>/reverse/ {"reason"}: reverse a sent or paid Stripe transfer; the claim comes back as
  failed.
- POST /api/v1/payouts/<id>/voucher/ {"supplier", "code", "issued_on"}: record the voucher for a voucher payout
  (it becomes PAID). The code is never sent back.
- GET /api/v1/payee-accounts/ (filters `status`, `rail`): who can be paid how, with the status; bank numbers only
  as their last 2 digits.
Another partnership's payout is a 404.
"""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from participants.apis.recruitment import MAX_ID, named_choice_field
from payments.apis.batches import BatchRailField
from payments.models import PayeeAccount, Payout
from payments.rails.voucher import CODE_MAX, SUPPLIER_MAX
from payments.selectors.accounts import mask, payee_accounts_visible_to
from payments.selectors.batches import payout_get_for_actor, payouts_visible_to
from payments.services.payouts import REASON_MAX, payout_retry, payout_reverse, voucher_issue

PayoutStatusField = named_choice_field("PayoutStatusEnum", Payout.Status.choices)
PayeeAccountStatusField = named_choice_field("PayeeAccountStatusEnum", PayeeAccount.Status.choices)


class PayoutOutput(OutputSerializer):
    id = serializers.IntegerField()
    batch_id = serializers.IntegerField()
    batch_reference = serializers.CharField(source="batch.reference")
    claim_id = serializers.IntegerField()
    payee_name = serializers.CharField()
    rail = BatchRailField()
    rail_label = ChoiceLabelField("rail")
    status = PayoutStatusField()
    status_label = ChoiceLabelField("status")
    amount_pence = serializers.IntegerField()
    attempts = serializers.IntegerField()
    stripe_transfer_id = serializers.CharField(allow_null=True)
    failure_reason = serializers.CharField()
    created_at = serializers.DateTimeField()
    sent_at = serializers.DateTimeField(allow_null=True)
    paid_at = serializers.DateTimeField(allow_null=True)
    failed_at = serializers.DateTimeField(allow_null=True)


class PayoutFilter(serializers.Serializer):
    status = PayoutStatusField(required=False)
    rail = BatchRailField(required=False)
    batch = serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False)


class RetryInput(serializers.Serializer):
    rail = BatchRailField(required=False, allow_null=True, default=None, help_text="Leave out for the same rail.")


class ReverseInput(serializers.Serializer):
    reason = serializers.CharField(max_length=REASON_MAX)


class VoucherInput(serializers.Serializer):
    supplier = serializers.CharField(max_length=SUPPLIER_MAX)
    code = serializers.CharField(max_length=CODE_MAX, help_text="Stored encrypted; never shown by the API.")
    issued_on = serializers.DateField()


class PayeeAccountOutput(OutputSerializer):
    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    holder_name = serializers.CharField()
    rail = BatchRailField()
    rail_label = ChoiceLabelField("rail")
    status = PayeeAccountStatusField()
    status_label = ChoiceLabelField("status")
    unavailable_reason = serializers.CharField()
    for_nominee = serializers.BooleanField()
    sort_code = serializers.SerializerMethodField(help_text="The last 2 digits only.")
    account_number = serializers.SerializerMethodField(help_text="The last 2 digits only.")
    updated_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField())
    def get_sort_code(self, account: PayeeAccount) -> str:
        return mask(account.bank_sort_code)

    @extend_schema_field(serializers.CharField())
    def get_account_number(self, account: PayeeAccount) -> str:
        return mask(account.bank_account_number)


class PayeeAccountFilter(serializers.Serializer):
    status = PayeeAccountStatusField(required=False)
    rail = BatchRailField(required=False)


def _payout(request: Request, payout_id: int, code: int = status.HTTP_200_OK) -> Response:
    return Response(PayoutOutput(payout_get_for_actor(actor(request), payout_id)).data, status=code)


class PayoutListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(parameters=[PayoutFilter], responses=PayoutOutput(many=True), summary="Payouts")
    def get(self, request: Request) -> Response:
        filters = PayoutFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        payouts = payouts_visible_to(
            actor(request), status=data.get("status"), rail=data.get("rail"), batch_id=data.get("batch")
        )
        return paginate(request, self, payouts, PayoutOutput)


class PayoutDetailApi(PartnershipApi):
    @extend_schema(responses=PayoutOutput, summary="A payout")
    def get(self, request: Request, payout_id: int) -> Response:
        return _payout(request, payout_id)


class PayoutRetryApi(PartnershipApi):
    @extend_schema(
        request=RetryInput,
        responses={201: PayoutOutput},
        summary="Try a failed payout again, on the same rail or another (never a second transfer)",
    )
    def post(self, request: Request, payout_id: int) -> Response:
        payload = RetryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        new = payout_retry(actor=actor(request), payout_id=payout_id, rail=payload.validated_data["rail"])
        return _payout(request, new.pk, status.HTTP_201_CREATED)


class PayoutReverseApi(PartnershipApi):
    @extend_schema(request=ReverseInput, responses=PayoutOutput, summary="Reverse a Stripe transfer")
    def post(self, request: Request, payout_id: int) -> Response:
        payload = ReverseInput(data=request.data)
        payload.is_valid(raise_exception=True)
        payout_reverse(actor=actor(request), payout_id=payout_id, reason=payload.validated_data["reason"])
        return _payout(request, payout_id)


class PayoutVoucherApi(PartnershipApi):
    @extend_schema(request=VoucherInput, responses=PayoutOutput, summary="Record the voucher for a voucher payout")
    def post(self, request: Request, payout_id: int) -> Response:
        payload = VoucherInput(data=request.data)
        payload.is_valid(raise_exception=True)
        voucher_issue(actor=actor(request), payout_id=payout_id, **payload.validated_data)
        return _payout(request, payout_id)


class PayeeAccountListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[PayeeAccountFilter],
        responses=PayeeAccountOutput(many=True),
        summary="Payee accounts: who can be paid how (bank numbers masked)",
    )
    def get(self, request: Request) -> Response:
        filters = PayeeAccountFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        accounts = payee_accounts_visible_to(actor(request), status=data.get("status"), rail=data.get("rail"))
        return paginate(request, self, accounts, PayeeAccountOutput)


urlpatterns: list[URLPattern | URLResolver] = [
    path("payouts/", PayoutListApi.as_view(), name="api-payout-list"),
    path("payouts/<int:payout_id>/", PayoutDetailApi.as_view(), name="api-payout-detail"),
    path("payouts/<int:payout_id>/retry/", PayoutRetryApi.as_view(), name="api-payout-retry"),
    path("payouts/<int:payout_id>/reverse/", PayoutReverseApi.as_view(), name="api-payout-reverse"),
    path("payouts/<int:payout_id>/voucher/", PayoutVoucherApi.as_view(), name="api-payout-voucher"),
    path("payee-accounts/", PayeeAccountListApi.as_view(), name="api-payee-account-list"),
]
