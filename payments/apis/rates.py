"""/api/v1/pay-rates/ and /api/v1/expenses-policy/. Thin: parse, call the service or selector, serialize.

- GET /api/v1/pay-rates/ (payments.view_payrate: finance officers, participation workers, partnership admins): the
  partnership's rates, newest first within each type and band; filters `opportunity_type`, `age_band`.
- POST /api/v1/pay-rates/ (payments.change_payrate: finance officers): add a rate from a date. A rate below the
  National Minimum Wage (when the partnership employs its young people) is a 400 naming the field and the figures:
  {"message": "£7.55 an hour is below ...", "extra": {"field": "amount_pence", "reason": "below_minimum_wage"}}.
- GET /api/v1/pay-rates/<id>/, DELETE /api/v1/pay-rates/<id>/ (a rate no claim has used).
- GET and PUT /api/v1/expenses-policy/ (reading: anyone who may read rates; saving: payments.change_expensespolicy).
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
from engagements.apis.opportunities import PayBasisField
from engagements.models import PayBasis
from participants.apis.recruitment import named_choice_field
from participants.apis.training import OpportunityTypeField
from payments.models import AgeBand, ExpensesPolicy
from payments.selectors.rates import VIEW_PAYRATE, expenses_policy_for, pay_rate_get_for_actor, pay_rates_visible_to
from payments.services.rates import (
    MAX_POLICY_PENCE,
    MAX_RATE_PENCE,
    expenses_policy_save,
    pay_rate_add,
    pay_rate_remove,
)

AgeBandField = named_choice_field("AgeBandEnum", AgeBand.choices)


class PayRateOutput(OutputSerializer):
    id = serializers.IntegerField()
    opportunity_type = OpportunityTypeField()
    opportunity_type_label = ChoiceLabelField("opportunity_type")
    age_band = AgeBandField()
    age_band_label = ChoiceLabelField("age_band")
    basis = PayBasisField()
    amount_pence = serializers.IntegerField(help_text="The hourly rate or the session fee, in pence.")
    effective_from = serializers.DateField()
    created_by = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class PayRateFilter(serializers.Serializer):
    opportunity_type = OpportunityTypeField(required=False)
    age_band = AgeBandField(required=False)


class PayRateInput(serializers.Serializer):
    opportunity_type = OpportunityTypeField()
    age_band = AgeBandField(help_text="The age on the date of the work.")
    basis = PayBasisField(default=PayBasis.HOURLY)
    amount_pence = serializers.IntegerField(min_value=1, max_value=MAX_RATE_PENCE, help_text="In pence.")
    effective_from = serializers.DateField(help_text="The first day of work the rate is for.")


class PayRateListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[PayRateFilter], responses=PayRateOutput(many=True), summary="The partnership's pay rates"
    )
    def get(self, request: Request) -> Response:
        filters = PayRateFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rates = pay_rates_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, rates, PayRateOutput)

    @extend_schema(
        request=PayRateInput,
        responses={201: PayRateOutput},
        summary="Add a rate from a date (refused below the National Minimum Wage when the partnership employs)",
    )
    def post(self, request: Request) -> Response:
        payload = PayRateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        rate = pay_rate_add(actor=actor(request), **payload.validated_data)
        return Response(PayRateOutput(rate).data, status=status.HTTP_201_CREATED)


class PayRateDetailApi(PartnershipApi):
    @extend_schema(responses=PayRateOutput)
    def get(self, request: Request, rate_id: int) -> Response:
        return Response(PayRateOutput(pay_rate_get_for_actor(actor(request), rate_id)).data)

    @extend_schema(request=None, responses={204: None}, summary="Remove a rate no claim has used")
    def delete(self, request: Request, rate_id: int) -> Response:
        pay_rate_remove(actor=actor(request), rate_id=rate_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ExpensesPolicyOutput(OutputSerializer):
    travel_allowed = serializers.BooleanField()
    food_allowed = serializers.BooleanField()
    food_limit_pence = serializers.IntegerField(help_text="The most repaid for food per engagement, in pence.")
    receipt_required_from_pence = serializers.IntegerField(
        help_text="Expenses of this amount or more need a receipt, in pence."
    )
    updated_at = serializers.SerializerMethodField(help_text="When it was last saved (null: never, the defaults).")

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_updated_at(self, policy: ExpensesPolicy) -> str | None:
        return policy.updated_at.isoformat() if policy.pk else None


class ExpensesPolicyInput(serializers.Serializer):
    travel_allowed = serializers.BooleanField()
    food_allowed = serializers.BooleanField()
    food_limit_pence = serializers.IntegerField(min_value=0, max_value=MAX_POLICY_PENCE)
    receipt_required_from_pence = serializers.IntegerField(min_value=0, max_value=MAX_POLICY_PENCE)


class ExpensesPolicyApi(PartnershipApi):
    @extend_schema(responses=ExpensesPolicyOutput, summary="The expenses policy (the defaults until one is saved)")
    def get(self, request: Request) -> Response:
        user = actor(request)
        require(user, VIEW_PAYRATE)
        return Response(ExpensesPolicyOutput(expenses_policy_for(user.partnership)).data)

    @extend_schema(request=ExpensesPolicyInput, responses=ExpensesPolicyOutput, summary="Save the expenses policy")
    def put(self, request: Request) -> Response:
        payload = ExpensesPolicyInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data: dict[str, Any] = payload.validated_data
        policy = expenses_policy_save(actor=actor(request), **data)
        return Response(ExpensesPolicyOutput(policy).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("pay-rates/", PayRateListApi.as_view(), name="api-pay-rate-list"),
    path("pay-rates/<int:rate_id>/", PayRateDetailApi.as_view(), name="api-pay-rate-detail"),
    path("expenses-policy/", ExpensesPolicyApi.as_view(), name="api-expenses-policy"),
]
