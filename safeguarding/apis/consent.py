"""/api/v1/consents/ and /api/v1/consent-links/: thin views over the consent services and selectors.

Paper forms are uploaded through the worker's page only; the API records consent on paper or verbally without the
file. A parent's link is never returned: it is emailed to the parent, once.
"""

from __future__ import annotations

from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from participants.apis.recruitment import MAX_ID, named_choice_field
from safeguarding.models import Consent, ConsentMethod, ConsentRequest, ConsentType
from safeguarding.selectors.consent import consent_get_for_actor, consent_requests_visible_to, consents_visible_to
from safeguarding.services.consent import (
    PARENT_LINK_TYPES,
    STAFF_METHODS,
    consent_record,
    consent_request_send,
    consent_withdraw,
)

ConsentTypeField = named_choice_field("ConsentTypeEnum", ConsentType.choices)
ConsentStatusField = named_choice_field("ConsentStatusEnum", Consent.Status.choices)
ConsentMethodField = named_choice_field("ConsentMethodEnum", ConsentMethod.choices)
DECISION_CHOICES = [(Consent.Status.GIVEN.value, "Given"), (Consent.Status.REFUSED.value, "Refused")]
STAFF_METHOD_CHOICES = [(value, label) for value, label in ConsentMethod.choices if value in STAFF_METHODS]
PARENT_TYPE_CHOICES = [(value, label) for value, label in ConsentType.choices if value in PARENT_LINK_TYPES]


# --- Consents -------------------------------------------------------------------------------------------------------


class ConsentOutput(OutputSerializer):
    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    young_person_name = serializers.CharField(source="membership.user.full_name")
    consent_type = ConsentTypeField()
    consent_type_label = ChoiceLabelField("consent_type")
    status = ConsentStatusField()
    given_by_name = serializers.CharField()
    relationship = serializers.CharField(help_text="'Self' for the young person's own consent.")
    method = ConsentMethodField()
    witness_name = serializers.CharField()
    scope = serializers.CharField()
    given_at = serializers.DateTimeField()
    age_when_given = serializers.IntegerField(allow_null=True)
    expires_on = serializers.DateField(allow_null=True)
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawal_reason = serializers.CharField()
    recorded_by_name = serializers.CharField(source="recorded_by.full_name", allow_null=True, default=None)
    has_document = serializers.SerializerMethodField(
        help_text="Whether a paper form is attached (download it from the young person's consent page)."
    )

    def get_has_document(self, consent: Consent) -> bool:
        return bool(consent.document)


class ConsentFilter(serializers.Serializer):
    membership = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, source="membership_id")
    consent_type = serializers.ChoiceField(choices=ConsentType.choices, required=False)
    status = serializers.ChoiceField(choices=Consent.Status.choices, required=False)


class ConsentInput(serializers.Serializer):
    membership = serializers.IntegerField(min_value=1, max_value=MAX_ID, source="membership_id")
    consent_type = serializers.ChoiceField(choices=ConsentType.choices)
    status = serializers.ChoiceField(choices=DECISION_CHOICES, help_text="The decision: given or refused.")
    method = serializers.ChoiceField(choices=STAFF_METHOD_CHOICES)
    given_by_name = serializers.CharField(
        max_length=150, required=False, allow_blank=True, default="", help_text="Leave out for the young person."
    )
    relationship = serializers.CharField(
        max_length=60, help_text="'Self' when the young person gave it; else how the person is related to them."
    )
    witness_name = serializers.CharField(max_length=150, required=False, allow_blank=True, default="")
    scope = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    given_on = serializers.DateField(required=False, allow_null=True, default=None)
    expires_on = serializers.DateField(required=False, allow_null=True, default=None)


class WithdrawInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        required=False,
        allow_blank=True,
        default="",
        help_text="Why it is withdrawn: needed when a worker withdraws on someone's behalf.",
    )


class ConsentListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(parameters=[ConsentFilter], responses=ConsentOutput(many=True), summary="Consent records")
    def get(self, request: Request) -> Response:
        filters = ConsentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return paginate(request, self, consents_visible_to(actor(request), **filters.validated_data), ConsentOutput)

    @extend_schema(
        request=ConsentInput,
        responses={201: ConsentOutput},
        summary="Record a consent given on paper or verbally with a witness",
    )
    def post(self, request: Request) -> Response:
        payload = ConsentInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = actor(request)
        consent = consent_record(
            actor=user,
            membership_id=data["membership_id"],
            consent_type=data["consent_type"],
            give=data["status"] == Consent.Status.GIVEN,
            given_by_name=data["given_by_name"],
            relationship=data["relationship"],
            method=data["method"],
            witness_name=data["witness_name"],
            scope=data["scope"],
            given_on=data["given_on"],
            expires_on=data["expires_on"],
        )
        return Response(ConsentOutput(consent_get_for_actor(user, consent.pk)).data, status=status.HTTP_201_CREATED)


class ConsentDetailApi(PartnershipApi):
    @extend_schema(responses=ConsentOutput)
    def get(self, request: Request, consent_id: int) -> Response:
        return Response(ConsentOutput(consent_get_for_actor(actor(request), consent_id)).data)


class ConsentWithdrawApi(PartnershipApi):
    @extend_schema(request=WithdrawInput, responses=ConsentOutput, summary="Withdraw a consent: it stops at once")
    def post(self, request: Request, consent_id: int) -> Response:
        payload = WithdrawInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        consent = consent_withdraw(actor=user, consent_id=consent_id, reason=payload.validated_data["reason"])
        return Response(ConsentOutput(consent).data)


# --- Links to parents and carers -------------------------------------------------------------------------------


class ConsentLinkOutput(OutputSerializer):
    """A link sent to a parent or carer. The link itself is never shown: only the parent has it."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    young_person_name = serializers.CharField(source="membership.user.full_name")
    consent_type = ConsentTypeField()
    parent_name = serializers.CharField()
    parent_email = serializers.EmailField()
    created_at = serializers.DateTimeField()
    created_by_name = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    expires_at = serializers.DateTimeField()
    used_at = serializers.DateTimeField(allow_null=True)
    consent_id = serializers.IntegerField(allow_null=True, help_text="The consent the parent gave or refused.")
    state = serializers.SerializerMethodField(help_text="waiting, answered or expired")

    def get_state(self, link: ConsentRequest) -> str:
        if link.used_at is not None:
            return "answered"
        return "expired" if link.expires_at <= timezone.now() else "waiting"


class ConsentLinkFilter(serializers.Serializer):
    membership = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, source="membership_id")


class ConsentLinkInput(serializers.Serializer):
    membership = serializers.IntegerField(min_value=1, max_value=MAX_ID, source="membership_id")
    parent_name = serializers.CharField(max_length=150)
    parent_email = serializers.EmailField(max_length=254)
    consent_type = serializers.ChoiceField(choices=PARENT_TYPE_CHOICES, default=ConsentType.PARENT_CARER)


class ConsentLinkListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[ConsentLinkFilter], responses=ConsentLinkOutput(many=True), summary="Links sent to parents"
    )
    def get(self, request: Request) -> Response:
        filters = ConsentLinkFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        links = consent_requests_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, links, ConsentLinkOutput)

    @extend_schema(
        request=ConsentLinkInput,
        responses={201: ConsentLinkOutput},
        summary="Email a parent or carer a link to give or refuse consent (works once, for 14 days)",
    )
    def post(self, request: Request) -> Response:
        payload = ConsentLinkInput(data=request.data)
        payload.is_valid(raise_exception=True)
        link = consent_request_send(actor=actor(request), **payload.validated_data)
        return Response(ConsentLinkOutput(link).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("consents/", ConsentListApi.as_view(), name="api-consent-list"),
    path("consents/<int:consent_id>/", ConsentDetailApi.as_view(), name="api-consent-detail"),
    path("consents/<int:consent_id>/withdraw/", ConsentWithdrawApi.as_view(), name="api-consent-withdraw"),
    path("consent-links/", ConsentLinkListApi.as_view(), name="api-consent-link-list"),
]
