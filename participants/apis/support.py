"""/api/v1/support-sessions/: the support log. Participation workers and safeguarding leads read every session
of their partnership with the restricted notes and record sessions; a young person reads their own sessions
without the notes (the field is absent, not empty); everyone else is refused."""

from __future__ import annotations

from typing import Any

from django.shortcuts import get_object_or_404
from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination
from core.permissions import require
from participants.apis.recruitment import named_choice_field
from participants.models import SupportFollowUp, SupportSession
from participants.selectors.support import (
    can_read_support_notes,
    support_session_get_for_actor,
    support_sessions_for_self,
    support_sessions_visible_to,
)
from participants.services.support import FollowUpInput, support_session_create

KindField = named_choice_field("SupportSessionKindEnum", SupportSession.Kind.choices)
FollowUpStatusField = named_choice_field("SupportFollowUpStatusEnum", SupportFollowUp.Status.choices)


class FollowUpOutput(OutputSerializer):
    id = serializers.IntegerField()
    description = serializers.CharField()
    owner_id = serializers.IntegerField()
    owner = serializers.CharField(source="owner.full_name")
    due_on = serializers.DateField()
    status = FollowUpStatusField()
    done_at = serializers.DateTimeField(allow_null=True)


class SupportSessionOutput(OutputSerializer):
    """What a young person sees: that the session happened, with whom, and what was agreed."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    young_person = serializers.CharField(source="membership.user.full_name")
    kind = KindField()
    held_on = serializers.DateField()
    staff = serializers.CharField(source="staff.full_name")
    agreed = serializers.CharField()
    follow_ups = FollowUpOutput(many=True)


class SupportSessionRestrictedOutput(SupportSessionOutput):
    """What participation workers and safeguarding leads see: the same, and what was discussed."""

    # Not required in the schema: the endpoints document this serializer, and a young person gets it without notes.
    restricted_notes = serializers.CharField(required=False, help_text="Participation workers and safeguarding leads.")


class FollowUpInputSerializer(serializers.Serializer):
    description = serializers.CharField(max_length=300)
    owner_id = serializers.IntegerField()
    due_on = serializers.DateField()


class SupportSessionInput(serializers.Serializer):
    membership_id = serializers.IntegerField()
    kind = KindField()
    held_on = serializers.DateField()
    restricted_notes = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    agreed = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)
    follow_ups = FollowUpInputSerializer(many=True, required=False, default=list)


class SupportSessionFilter(serializers.Serializer):
    membership_id = serializers.IntegerField(required=False, help_text="Only this young person's (staff only).")


def _output(user: Any, sessions: Any) -> Any:
    serializer = SupportSessionRestrictedOutput if can_read_support_notes(user) else SupportSessionOutput
    return serializer(sessions, many=isinstance(sessions, list)).data


class SupportSessionListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[SupportSessionFilter],
        responses=SupportSessionRestrictedOutput(many=True),
        summary="Support sessions: all with notes for workers and leads, your own without notes for a young person",
    )
    def get(self, request: Request) -> Response:
        filters = SupportSessionFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        if can_read_support_notes(user):  # chooses which view; the selectors check again
            sessions = support_sessions_visible_to(user, membership_id=filters.validated_data.get("membership_id"))
        else:
            sessions = support_sessions_for_self(user)  # refuses anyone who is not a young person
        paginator = Pagination()
        page = list(paginator.paginate_queryset(sessions, request, view=self) or [])
        return paginator.get_paginated_response(_output(user, page))

    @extend_schema(
        request=SupportSessionInput,
        responses={201: SupportSessionRestrictedOutput},
        summary="Record a support session, with any follow-ups (workers and safeguarding leads)",
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        require(user, "participants.change_supportsession")  # refuse before reading the body
        payload = SupportSessionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        session = support_session_create(
            actor=user,
            membership_id=data["membership_id"],
            kind=data["kind"],
            held_on=data["held_on"],
            restricted_notes=data["restricted_notes"],
            agreed=data["agreed"],
            follow_ups=[FollowUpInput(**follow_up) for follow_up in data["follow_ups"]],
        )
        session = get_object_or_404(support_sessions_visible_to(user), pk=session.pk)
        return Response(SupportSessionRestrictedOutput(session).data, status=status.HTTP_201_CREATED)


class SupportSessionDetailApi(PartnershipApi):
    @extend_schema(responses=SupportSessionRestrictedOutput, summary="One support session")
    def get(self, request: Request, session_id: int) -> Response:
        user = actor(request)
        return Response(_output(user, support_session_get_for_actor(user, session_id)))


urlpatterns = [
    path("support-sessions/", SupportSessionListApi.as_view(), name="api-support-session-list"),
    path("support-sessions/<int:session_id>/", SupportSessionDetailApi.as_view(), name="api-support-session-detail"),
]
