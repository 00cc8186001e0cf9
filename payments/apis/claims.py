"""/api/v1/claims/ and /api/v1/payment-choice/. Thin: parse, call the service or selector, serialize.

- GET /api/v1/claims/: finance officers read the partnership's claims (filters `status`, `membership`); a young
  person reads their own (the `membership` filter is ignored for them). Each claim says whether its payee can be
  paid now ("payment": {"ready", "waiting", "rail", "summary", "detail"}); "waiting" is "Waiting for payment details".
- POST /api/v1/claims/ {"work_log": id} (payments.change_claim): make the claim for an approved work log. A refusal
  is a 400 naming the field: no rate ("rate"), below the minimum wage ("rate"), already claimed ("work_log").
- GET /api/v1/claims/<id>/: one claim with its lines, each explained. Another partnership's, or for a young person
  anyone else's, is a 404.
- POST /api/v1/claims/<id>/choice/ {"choice"}: a young person changes how one of their own open claims is paid.
- GET and PUT /api/v1/payment-choice/: a young person's standing choice (money, vouchers or declined).
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination
from participants.apis.recruitment import MAX_ID, named_choice_field
from payments.apis.rates import AgeBandField
from payments.models import Claim, ClaimLine, PaymentChoice, Rail
from payments.selectors.claims import (
    Readiness,
    claim_get_for_actor,
    claim_payment_readiness,
    claims_visible_to,
)
from payments.selectors.setup import own_payment_setup
from payments.services.claims import claim_choice_set, claim_create_from_work_log
from payments.services.setup import payment_choice_set

ClaimStatusField = named_choice_field("ClaimStatusEnum", Claim.Status.choices)
PaymentChoiceField = named_choice_field("PaymentChoiceEnum", PaymentChoice.choices)
ClaimLineKindField = named_choice_field("ClaimLineKindEnum", ClaimLine.Kind.choices)
RailField = named_choice_field("RailEnum", Rail.choices)


class ReadinessOutput(OutputSerializer):
    ready = serializers.BooleanField(help_text="The payee can be paid now.")
    waiting = serializers.BooleanField(help_text="Waiting for payment details: the rail they need is not set up.")
    rail = RailField(allow_null=True)
    summary = serializers.CharField(help_text="For example 'Ready to pay: gift voucher'.")
    detail = serializers.CharField()


class ClaimLineOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = ClaimLineKindField()
    description = serializers.CharField()
    explanation = serializers.CharField(help_text="How the amount was worked out, in plain words.")
    amount_pence = serializers.IntegerField()


class ClaimOutput(OutputSerializer):
    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    work_log_id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    work_date = serializers.DateField()
    status = ClaimStatusField()
    status_label = ChoiceLabelField("status")
    age_band = AgeBandField()
    choice = PaymentChoiceField()
    rate_id = serializers.IntegerField(allow_null=True)
    pay_pence = serializers.IntegerField()
    expenses_pence = serializers.IntegerField()
    total_pence = serializers.IntegerField()
    batch_id = serializers.IntegerField(allow_null=True)
    created_at = serializers.DateTimeField()
    payment = serializers.SerializerMethodField()

    @extend_schema_field(ReadinessOutput)
    def get_payment(self, claim: Claim) -> dict[str, Any]:
        readiness: dict[int, Readiness] = self.context.get("readiness") or claim_payment_readiness([claim])
        found = readiness[claim.pk]
        return {
            "ready": found.ready,
            "waiting": found.waiting,
            "rail": found.rail,
            "summary": found.label,
            "detail": found.detail,
        }


class ClaimDetailOutput(ClaimOutput):
    lines = ClaimLineOutput(many=True)


class ClaimFilter(serializers.Serializer):
    status = ClaimStatusField(required=False)
    membership = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


class ClaimCreateInput(serializers.Serializer):
    work_log = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="An approved work log.")


class ChoiceInput(serializers.Serializer):
    choice = PaymentChoiceField()


class StandingChoiceInput(ChoiceInput):
    apply_to_open_claims = serializers.BooleanField(
        default=False, help_text="Also change your claims that are not in a payment batch yet."
    )


def _detail(request: Request, claim_id: int, *, created: bool = False) -> Response:
    claim = claim_get_for_actor(actor(request), claim_id)
    return Response(ClaimDetailOutput(claim).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ClaimListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[ClaimFilter],
        responses=ClaimOutput(many=True),
        summary="Claims: the partnership's (finance officers) or your own (young people)",
    )
    def get(self, request: Request) -> Response:
        filters = ClaimFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        claims = claims_visible_to(actor(request), status=data.get("status"), membership_id=data.get("membership"))
        paginator = Pagination()
        page = paginator.paginate_queryset(claims, request, view=self) or []
        readiness = claim_payment_readiness(page)
        return paginator.get_paginated_response(ClaimOutput(page, many=True, context={"readiness": readiness}).data)

    @extend_schema(request=ClaimCreateInput, responses={201: ClaimDetailOutput}, summary="Make the claim for a log")
    def post(self, request: Request) -> Response:
        payload = ClaimCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        claim = claim_create_from_work_log(actor=actor(request), work_log_id=payload.validated_data["work_log"])
        return _detail(request, claim.pk, created=True)


class ClaimDetailApi(PartnershipApi):
    @extend_schema(responses=ClaimDetailOutput, summary="One claim with its lines, each explained")
    def get(self, request: Request, claim_id: int) -> Response:
        return _detail(request, claim_id)


class ClaimChoiceApi(PartnershipApi):
    @extend_schema(
        request=ChoiceInput, responses=ClaimDetailOutput, summary="Change how one of your open claims is paid"
    )
    def post(self, request: Request, claim_id: int) -> Response:
        payload = ChoiceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        claim_choice_set(actor=actor(request), claim_id=claim_id, choice=payload.validated_data["choice"])
        return _detail(request, claim_id)


class StandingChoiceOutput(OutputSerializer):
    choice = PaymentChoiceField()
    choice_label = serializers.CharField()


class PaymentChoiceApi(PartnershipApi):
    @extend_schema(responses=StandingChoiceOutput, summary="Your standing choice (money until you choose)")
    def get(self, request: Request) -> Response:
        setup = own_payment_setup(actor(request))
        choice = setup.choice if setup is not None else PaymentChoice.MONEY
        return Response({"choice": choice, "choice_label": PaymentChoice(choice).label})

    @extend_schema(request=StandingChoiceInput, responses=StandingChoiceOutput, summary="Set your standing choice")
    def put(self, request: Request) -> Response:
        payload = StandingChoiceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        setup = payment_choice_set(actor=actor(request), **payload.validated_data)
        return Response({"choice": setup.choice, "choice_label": setup.get_choice_display()})


urlpatterns: list[URLPattern | URLResolver] = [
    path("claims/", ClaimListApi.as_view(), name="api-claim-list"),
    path("claims/<int:claim_id>/", ClaimDetailApi.as_view(), name="api-claim-detail"),
    path("claims/<int:claim_id>/choice/", ClaimChoiceApi.as_view(), name="api-claim-choice"),
    path("payment-choice/", PaymentChoiceApi.as_view(), name="api-payment-choice"),
]
