"""The /api/v1/ endpoints for selection (thin: parse, call the service, serialize).

- GET /interests/: a young person's own; a participation worker's, for one engagement (?engagement=<id>) or the
  whole partnership; ?status=<status> for one status only. Paginated.
- GET /interests/<id>/: one of them (another young person's, or another partnership's, is a 404).
- POST /interests/ {engagement, note}: a young person says they are interested.
- POST /interests/<id>/withdraw|confirm|waitlist|decline|cancel/: the moves (confirm takes acknowledge_load).
- POST /engagements/<id>/invite/ {membership_id, acknowledge_load}: confirm someone who did not express interest.
- GET /engagements/<id>/candidates/: every candidate with eligibility and load, and the fair pick's suggestion.

A young person never sees another young person's interest; the online link is sent only with a confirmed place, and
not once the engagement is cancelled.
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
from engagements.apis.opportunities import InterestStatusField  # one schema name, shared with opportunities
from engagements.models import Engagement, Interest
from engagements.selectors.selection import (
    CandidateRow,
    candidates_for,
    engagement_get_for_selection,
    fair_pick,
    interest_get_for_actor,
    interests_visible_to,
    places_left,
)
from engagements.services.selection import (
    NOTE_MAX,
    REASON_MAX,
    interest_express,
    interest_withdraw,
    place_cancel,
    place_confirm,
    place_decline,
    place_invite,
    place_waitlist,
)
from participants.apis.recruitment import MAX_ID


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


class InterestOutput(OutputSerializer):
    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    engagement_starts_at = serializers.DateTimeField(source="engagement.starts_at")
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    status = InterestStatusField()
    status_label = ChoiceLabelField("status")
    note = serializers.CharField()
    reason = serializers.CharField()
    invited = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    decided_at = serializers.DateTimeField(allow_null=True)
    online_link = serializers.SerializerMethodField(
        help_text="Only with a confirmed place, and never once the engagement is cancelled."
    )

    def get_invited(self, interest: Interest) -> bool:
        return interest.invited_by_id is not None

    def get_online_link(self, interest: Interest) -> str:
        engagement = interest.engagement
        if (
            interest.status != Interest.Status.CONFIRMED
            or not engagement.is_online
            or engagement.status == Engagement.Status.CANCELLED
        ):
            return ""
        return engagement.online_link


class InterestFilter(serializers.Serializer):
    engagement = _id_field(required=False, help_text="Only this engagement's interests.")
    status = InterestStatusField(required=False, help_text="Only interests with this status.")


class InterestInput(serializers.Serializer):
    engagement = _id_field(help_text="The opportunity's id.")
    note = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=f"A note to the worker, up to {NOTE_MAX} characters."
    )


# Lengths and "required" are checked by the services, so the API gives the same clear messages as the pages.
class DecisionReasonInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        default="",
        help_text=f"Required. Shown to the young person; up to {REASON_MAX} characters.",
    )


class InterestWithdrawInput(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", help_text=f"Optional; up to {REASON_MAX} characters."
    )


class ConfirmInput(serializers.Serializer):
    acknowledge_load = serializers.BooleanField(
        default=False, help_text="Confirm even though it takes the person over the partnership's load limit."
    )


class InviteInput(ConfirmInput):
    membership_id = _id_field(help_text="The young person's membership.")


class InterestListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[InterestFilter],
        responses=InterestOutput(many=True),
        summary="Interests: a young person's own; a participation worker's, for one engagement or all",
    )
    def get(self, request: Request) -> Response:
        filters = InterestFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        interests = interests_visible_to(
            actor(request),
            engagement_id=filters.validated_data.get("engagement"),
            status=filters.validated_data.get("status"),
        )
        return paginate(request, self, interests, InterestOutput)

    @extend_schema(request=InterestInput, responses={201: InterestOutput}, summary="Say you are interested")
    def post(self, request: Request) -> Response:
        payload = InterestInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        interest = interest_express(
            actor=user, engagement_id=payload.validated_data["engagement"], note=payload.validated_data["note"]
        )
        return Response(InterestOutput(interest_get_for_actor(user, interest.pk)).data, status=status.HTTP_201_CREATED)


def _answer(request: Request, interest_id: int) -> Response:
    return Response(InterestOutput(interest_get_for_actor(actor(request), interest_id)).data)


class InterestDetailApi(PartnershipApi):
    @extend_schema(
        responses=InterestOutput,
        summary="One interest: a young person's own; any of the partnership's for a participation worker",
    )
    def get(self, request: Request, interest_id: int) -> Response:
        return _answer(request, interest_id)


class InterestWithdrawApi(PartnershipApi):
    @extend_schema(
        request=InterestWithdrawInput,
        responses=InterestOutput,
        summary="Withdraw your interest or give up your place (the place goes to the waiting list)",
    )
    def post(self, request: Request, interest_id: int) -> Response:
        payload = InterestWithdrawInput(data=request.data)
        payload.is_valid(raise_exception=True)
        interest_withdraw(actor=actor(request), interest_id=interest_id, **payload.validated_data)
        return _answer(request, interest_id)


class InterestConfirmApi(PartnershipApi):
    @extend_schema(
        request=ConfirmInput,
        responses=InterestOutput,
        summary="Confirm a place (through the eligibility gate; a load warning needs acknowledge_load)",
    )
    def post(self, request: Request, interest_id: int) -> Response:
        payload = ConfirmInput(data=request.data)
        payload.is_valid(raise_exception=True)
        place_confirm(actor=actor(request), interest_id=interest_id, **payload.validated_data)
        return _answer(request, interest_id)


class InterestWaitlistApi(PartnershipApi):
    @extend_schema(request=None, responses=InterestOutput, summary="Put on the waiting list")
    def post(self, request: Request, interest_id: int) -> Response:
        place_waitlist(actor=actor(request), interest_id=interest_id)
        return _answer(request, interest_id)


class InterestDeclineApi(PartnershipApi):
    @extend_schema(
        request=DecisionReasonInput, responses=InterestOutput, summary="Not selected this time, with a reason"
    )
    def post(self, request: Request, interest_id: int) -> Response:
        payload = DecisionReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        place_decline(actor=actor(request), interest_id=interest_id, **payload.validated_data)
        return _answer(request, interest_id)


class InterestCancelApi(PartnershipApi):
    @extend_schema(
        request=DecisionReasonInput,
        responses=InterestOutput,
        summary="Cancel a confirmed place, with a reason (the place goes to the waiting list)",
    )
    def post(self, request: Request, interest_id: int) -> Response:
        payload = DecisionReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        place_cancel(actor=actor(request), interest_id=interest_id, **payload.validated_data)
        return _answer(request, interest_id)


class EngagementInviteApi(PartnershipApi):
    @extend_schema(
        request=InviteInput,
        responses={201: InterestOutput},
        summary="Confirm a young person who did not express interest (the same gate)",
    )
    def post(self, request: Request, engagement_id: int) -> Response:
        payload = InviteInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        interest = place_invite(actor=user, engagement_id=engagement_id, **payload.validated_data)
        data = InterestOutput(interest_get_for_actor(user, interest.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


# --- Candidates ---------------------------------------------------------------------------------------------------


class LoadOutput(OutputSerializer):
    engagements = serializers.IntegerField(help_text="The most engagements in a 90-day period including this one.")
    engagements_from = serializers.DateField()
    hours = serializers.DecimalField(max_digits=8, decimal_places=1)
    hours_from = serializers.DateField(source="minutes_from")
    limit_engagements = serializers.IntegerField()
    limit_hours = serializers.IntegerField()


class CandidateOutput(OutputSerializer):
    interest_id = serializers.IntegerField(source="interest.pk")
    membership_id = serializers.IntegerField(source="interest.membership_id")
    full_name = serializers.CharField(source="name")
    status = InterestStatusField()
    note = serializers.CharField()
    invited = serializers.SerializerMethodField()
    eligible = serializers.BooleanField()
    reasons = serializers.ListField(child=serializers.CharField(), source="decision.reasons")
    training_gaps = serializers.ListField(child=serializers.CharField())
    engagements_last_90_days = serializers.IntegerField(source="recent.engagements")
    hours_last_90_days = serializers.DecimalField(max_digits=8, decimal_places=1, source="recent.hours")
    last_took_part = serializers.DateTimeField(allow_null=True)
    on_previous = serializers.BooleanField(help_text="Was on the previous engagement of this type.")
    would_pass_load = serializers.BooleanField()
    load = LoadOutput()
    suggested = serializers.BooleanField(help_text="Suggested by the fair pick.")

    def get_invited(self, row: CandidateRow) -> bool:
        return row.interest.invited_by_id is not None


class CandidatesOutput(OutputSerializer):
    engagement_id = serializers.IntegerField()
    places = serializers.IntegerField()
    places_left = serializers.IntegerField()
    suggested = serializers.SerializerMethodField(help_text="The fair pick's suggestion, as interest ids, in order.")
    candidates = CandidateOutput(many=True)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_suggested(self, data: dict[str, Any]) -> list[int]:
        return [row.interest.pk for row in data["suggested"]]


class EngagementCandidatesApi(PartnershipApi):
    @extend_schema(
        responses=CandidatesOutput,
        summary="Candidates with eligibility and recent load, and the fair pick's suggestion",
    )
    def get(self, request: Request, engagement_id: int) -> Response:
        user = actor(request)
        engagement = engagement_get_for_selection(user, engagement_id)
        rows = candidates_for(user, engagement)
        free = places_left(engagement, engagement.attendees.count())
        suggested = fair_pick(rows, free)
        picked = {row.interest.pk for row in suggested}
        for row in rows:
            row.suggested = row.interest.pk in picked
        data = {
            "engagement_id": engagement.pk,
            "places": engagement.places,
            "places_left": free,
            "suggested": suggested,
            "candidates": rows,
        }
        return Response(CandidatesOutput(data).data)


urlpatterns: list[URLPattern | URLResolver] = [
    path("interests/", InterestListApi.as_view(), name="api-interest-list"),
    path("interests/<int:interest_id>/", InterestDetailApi.as_view(), name="api-interest-detail"),
    path("interests/<int:interest_id>/withdraw/", InterestWithdrawApi.as_view(), name="api-interest-withdraw"),
    path("interests/<int:interest_id>/confirm/", InterestConfirmApi.as_view(), name="api-interest-confirm"),
    path("interests/<int:interest_id>/waitlist/", InterestWaitlistApi.as_view(), name="api-interest-waitlist"),
    path("interests/<int:interest_id>/decline/", InterestDeclineApi.as_view(), name="api-interest-decline"),
    path("interests/<int:interest_id>/cancel/", InterestCancelApi.as_view(), name="api-interest-cancel"),
    path("engagements/<int:engagement_id>/invite/", EngagementInviteApi.as_view(), name="api-engagement-invite"),
    path(
        "engagements/<int:engagement_id>/candidates/",
        EngagementCandidatesApi.as_view(),
        name="api-engagement-candidates",
    ),
]
