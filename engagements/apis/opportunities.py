"""The /api/v1/ endpoints for opportunities (thin: parse, call the service, serialize).

- /api/v1/opportunities/ and /api/v1/opportunities/<id>/: for young people. What they need to decide, with their
  own interest (`my_interest`, and the worker's reason when they were not selected or their place was cancelled:
  `my_interest_reason`) and why it was cancelled (`cancelled_reason`); the online link only once their place is
  confirmed.
- /api/v1/engagements/ (list, create), /api/v1/engagements/<id>/ (read, PATCH) and the transitions
  /publish/, /cancel/ (with a reason) and /complete/: for staff.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from engagements.models import Engagement, Interest, PayBasis, Section11Standard
from engagements.selectors.opportunities import (
    engagement_get_for_actor,
    engagements_visible_to,
    opportunities_for_young_person,
    opportunity_get_for_young_person,
)
from engagements.services.opportunities import (
    CHANGE_ENGAGEMENT,
    REASON_MAX_LENGTH,
    engagement_cancel,
    engagement_complete,
    engagement_create,
    engagement_publish,
    engagement_update,
)
from participants.apis.recruitment import MAX_ID, named_choice_field
from participants.apis.training import OpportunityTypeField

EngagementStatusField = named_choice_field("EngagementStatusEnum", Engagement.Status.choices)
PayBasisField = named_choice_field("PayBasisEnum", PayBasis.choices)
Section11StandardField = named_choice_field("Section11StandardEnum", Section11Standard.choices)
InterestStatusField = named_choice_field("MyInterestStatusEnum", Interest.Status.choices)


# --- Young people -------------------------------------------------------------------------------------------------


class YoungPersonOpportunityOutput(OutputSerializer):
    """An opportunity as a young person sees it. Nothing about anyone else who is interested or going."""

    id = serializers.IntegerField()
    title = serializers.CharField()
    opportunity_type = OpportunityTypeField()
    opportunity_type_label = ChoiceLabelField("opportunity_type")
    status = EngagementStatusField()
    topic = serializers.CharField()
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    preparation_minutes = serializers.IntegerField()
    location = serializers.CharField()
    is_online = serializers.BooleanField()
    online_link = serializers.CharField(
        source="link_for_me", help_text="Only once your place is confirmed; empty until then."
    )
    is_filmed = serializers.BooleanField()
    places = serializers.IntegerField()
    places_left = serializers.IntegerField(help_text="Places not yet confirmed (0 when full: join the waiting list).")
    content_warning = serializers.CharField()
    pay_basis = PayBasisField()
    pay_note = serializers.CharField()
    agencies_under_review = serializers.ListField(child=serializers.CharField())
    section_11_standards = serializers.ListField(child=Section11StandardField())
    cancelled_reason = serializers.SerializerMethodField(help_text="Why it was cancelled; empty unless it was.")
    my_interest = InterestStatusField(allow_null=True, help_text="Your interest in it, if you said you are.")
    my_interest_reason = serializers.CharField(
        help_text="Why you were not selected, or why your place was cancelled; empty otherwise."
    )
    my_place_confirmed = serializers.BooleanField(source="my_confirmed")

    def get_cancelled_reason(self, engagement: Engagement) -> str:
        return engagement.cancelled_reason if engagement.status == Engagement.Status.CANCELLED else ""


class OpportunityListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        responses=YoungPersonOpportunityOutput(many=True),
        summary="Published opportunities you can sign up for, soonest first (young people)",
    )
    def get(self, request: Request) -> Response:
        return paginate(request, self, opportunities_for_young_person(actor(request)), YoungPersonOpportunityOutput)


class OpportunityDetailApi(PartnershipApi):
    @extend_schema(
        responses=YoungPersonOpportunityOutput, summary="One opportunity, with your interest in it (young people)"
    )
    def get(self, request: Request, engagement_id: int) -> Response:
        return Response(
            YoungPersonOpportunityOutput(opportunity_get_for_young_person(actor(request), engagement_id)).data
        )


# --- Staff --------------------------------------------------------------------------------------------------------


class EngagementPersonOutput(OutputSerializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()


class StaffEngagementOutput(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    opportunity_type = OpportunityTypeField()
    opportunity_type_label = ChoiceLabelField("opportunity_type")
    status = EngagementStatusField()
    status_label = ChoiceLabelField("status")
    topic = serializers.CharField()
    commissioned_by = serializers.CharField()
    scrutiny_lead = EngagementPersonOutput(allow_null=True)
    description = serializers.CharField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    preparation_minutes = serializers.IntegerField()
    location = serializers.CharField()
    is_online = serializers.BooleanField()
    online_link = serializers.CharField()
    is_filmed = serializers.BooleanField()
    places = serializers.IntegerField()
    places_filled = serializers.IntegerField(help_text="Young people with a confirmed place.")
    content_warning = serializers.CharField()
    pay_basis = PayBasisField()
    pay_note = serializers.CharField()
    agencies_under_review = serializers.ListField(child=serializers.CharField())
    section_11_standards = serializers.ListField(child=Section11StandardField())
    staff_lead = EngagementPersonOutput(allow_null=True)
    published_at = serializers.DateTimeField(allow_null=True)
    cancelled_reason = serializers.CharField()
    created_at = serializers.DateTimeField()


class StaffEngagementFilter(serializers.Serializer):
    status = EngagementStatusField(required=False)
    upcoming = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="true: not yet ended; false: ended."
    )
    search = serializers.CharField(required=False, max_length=100, help_text="Part of the title, topic or group.")


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class EngagementChangeInput(serializers.Serializer):
    """Every field is optional here (PATCH); EngagementCreateInput makes the first four required."""

    title = serializers.CharField(max_length=200, required=False)
    opportunity_type = OpportunityTypeField(required=False)
    topic = serializers.CharField(max_length=200, required=False, allow_blank=True)
    commissioned_by = serializers.CharField(max_length=200, required=False, allow_blank=True)
    scrutiny_lead_id = _id_field(required=False, allow_null=True, help_text="A scrutiny lead's user id.")
    description = serializers.CharField(max_length=10000, required=False, allow_blank=True)
    starts_at = serializers.DateTimeField(required=False)
    ends_at = serializers.DateTimeField(required=False)
    preparation_minutes = serializers.IntegerField(min_value=0, max_value=24 * 60, required=False)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True)
    is_online = serializers.BooleanField(required=False)
    online_link = serializers.CharField(max_length=200, required=False, allow_blank=True, help_text="https:// only.")
    is_filmed = serializers.BooleanField(required=False)
    places = serializers.IntegerField(min_value=1, max_value=500, required=False)
    content_warning = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    pay_basis = PayBasisField(required=False)
    pay_note = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agencies_under_review = serializers.ListField(
        child=serializers.CharField(max_length=200), required=False, max_length=30
    )
    section_11_standards = serializers.ListField(child=Section11StandardField(), required=False)
    staff_lead_id = _id_field(required=False, allow_null=True, help_text="A member of staff's user id.")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class EngagementCreateInput(EngagementChangeInput):
    title = serializers.CharField(max_length=200)
    opportunity_type = OpportunityTypeField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    is_filmed = serializers.BooleanField(required=False, help_text="Defaults to the type's usual setting.")
    preparation_minutes = serializers.IntegerField(
        min_value=0, max_value=24 * 60, required=False, help_text="Defaults to the type's usual time."
    )
    pay_basis = PayBasisField(required=False, help_text="Defaults to the type's usual basis.")
    pay_note = serializers.CharField(
        max_length=200, required=False, allow_blank=True, help_text="Defaults to the type's usual note."
    )


class EngagementCancelInput(serializers.Serializer):
    reason = serializers.CharField(
        max_length=REASON_MAX_LENGTH, help_text="Emailed to the young people confirmed. No personal details."
    )


def _engagement_data(user: Any, engagement_id: int) -> dict[str, Any]:
    return dict(StaffEngagementOutput(engagement_get_for_actor(user, engagement_id)).data)


class EngagementListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[StaffEngagementFilter],
        responses=StaffEngagementOutput(many=True),
        summary="The partnership's engagements (staff)",
    )
    def get(self, request: Request) -> Response:
        filters = StaffEngagementFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        engagements = engagements_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, engagements, StaffEngagementOutput)

    @extend_schema(
        request=EngagementCreateInput,
        responses={201: StaffEngagementOutput},
        summary="Create a draft engagement (unset pay, filming and preparation come from the type's defaults)",
    )
    def post(self, request: Request) -> Response:
        payload = EngagementCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        engagement = engagement_create(actor=user, **payload.validated_data)
        return Response(_engagement_data(user, engagement.pk), status=status.HTTP_201_CREATED)


class EngagementDetailApi(PartnershipApi):
    @extend_schema(responses=StaffEngagementOutput, summary="One engagement (staff)")
    def get(self, request: Request, engagement_id: int) -> Response:
        return Response(_engagement_data(actor(request), engagement_id))

    @extend_schema(
        request=EngagementChangeInput,
        responses=StaffEngagementOutput,
        summary="Change a draft or published engagement (times and type are fixed once anyone is confirmed)",
    )
    def patch(self, request: Request, engagement_id: int) -> Response:
        user = actor(request)
        # The permission before the body is read: a role that may change no engagement gets 403 for any id (so it
        # confirms nothing), then another partnership's is a 404, then the record's own rule.
        require(user, CHANGE_ENGAGEMENT)
        require(user, CHANGE_ENGAGEMENT, engagement_get_for_actor(user, engagement_id))
        payload = EngagementChangeInput(data=request.data)
        payload.is_valid(raise_exception=True)
        engagement_update(actor=user, engagement_id=engagement_id, **payload.validated_data)
        return Response(_engagement_data(user, engagement_id))


class EngagementPublishApi(PartnershipApi):
    @extend_schema(request=None, responses=StaffEngagementOutput, summary="Publish: young people see it from now")
    def post(self, request: Request, engagement_id: int) -> Response:
        user = actor(request)
        engagement_publish(actor=user, engagement_id=engagement_id)
        return Response(_engagement_data(user, engagement_id))


class EngagementCancelApi(PartnershipApi):
    @extend_schema(
        request=EngagementCancelInput,
        responses=StaffEngagementOutput,
        summary="Cancel, with a reason (the confirmed young people and the staff lead are emailed)",
    )
    def post(self, request: Request, engagement_id: int) -> Response:
        payload = EngagementCancelInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        engagement_cancel(actor=user, engagement_id=engagement_id, **payload.validated_data)
        return Response(_engagement_data(user, engagement_id))


class EngagementCompleteApi(PartnershipApi):
    @extend_schema(request=None, responses=StaffEngagementOutput, summary="Mark complete (once it has ended)")
    def post(self, request: Request, engagement_id: int) -> Response:
        user = actor(request)
        engagement_complete(actor=user, engagement_id=engagement_id)
        return Response(_engagement_data(user, engagement_id))


urlpatterns: list[URLPattern | URLResolver] = [
    path("opportunities/", OpportunityListApi.as_view(), name="api-opportunity-list"),
    path("opportunities/<int:engagement_id>/", OpportunityDetailApi.as_view(), name="api-opportunity-detail"),
    path("engagements/", EngagementListApi.as_view(), name="api-engagement-list"),
    path("engagements/<int:engagement_id>/", EngagementDetailApi.as_view(), name="api-engagement-detail"),
    path("engagements/<int:engagement_id>/publish/", EngagementPublishApi.as_view(), name="api-engagement-publish"),
    path("engagements/<int:engagement_id>/cancel/", EngagementCancelApi.as_view(), name="api-engagement-cancel"),
    path("engagements/<int:engagement_id>/complete/", EngagementCompleteApi.as_view(), name="api-engagement-complete"),
]
