"""/api/v1/attendance/: the attendance sheet of one engagement (GET ?engagement=<id>) and marking one young person
(POST). Thin: parse, call the service or selector, serialize. Only a participation worker or the engagement's
staff lead may read or mark it; another partnership's engagement is a 404. Marking answers 201 when it made the
person's mark and 200 when it changed (or kept) the one there was."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import OutputSerializer, PartnershipApi, actor
from core.tenancy import scope
from engagements.models import Attendance
from engagements.selectors.attendance import (
    AttendanceRow,
    attendance_sheet,
    engagement_get_for_attendance,
    marking_is_open,
    marking_opens_at,
)
from engagements.services.attendance import NOTE_MAX, attendance_mark
from participants.apis.recruitment import MAX_ID, named_choice_field

AttendanceStatusField = named_choice_field("AttendanceStatusEnum", Attendance.Status.choices)


class AttendanceRowOutput(OutputSerializer):
    membership_id = serializers.IntegerField(source="membership.pk")
    full_name = serializers.CharField(source="membership.user.full_name")
    status = AttendanceStatusField(allow_null=True, help_text="null: not marked yet.")
    note = serializers.CharField()
    recorded_at = serializers.DateTimeField(source="attendance.recorded_at", allow_null=True, default=None)


class AttendanceSheetOutput(OutputSerializer):
    engagement_id = serializers.IntegerField()
    marking_open = serializers.BooleanField(help_text="From an hour before the start; never once cancelled.")
    marking_opens_at = serializers.DateTimeField()
    not_marked = serializers.IntegerField()
    rows = AttendanceRowOutput(many=True)


class AttendanceFilter(serializers.Serializer):
    engagement = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The engagement's id.")


class AttendanceInput(serializers.Serializer):
    engagement = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    membership = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The young person's membership.")
    status = AttendanceStatusField()
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=NOTE_MAX)


class AttendanceApi(PartnershipApi):
    @extend_schema(
        parameters=[AttendanceFilter],
        responses=AttendanceSheetOutput,
        summary="The confirmed young people of an engagement with their attendance marks",
    )
    def get(self, request: Request) -> Response:
        filters = AttendanceFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        engagement = engagement_get_for_attendance(user, filters.validated_data["engagement"])
        rows: list[AttendanceRow] = attendance_sheet(user, engagement)
        data = {
            "engagement_id": engagement.pk,
            "marking_open": marking_is_open(engagement),
            "marking_opens_at": marking_opens_at(engagement),
            "not_marked": sum(1 for row in rows if not row.is_marked),
            "rows": rows,
        }
        return Response(AttendanceSheetOutput(data).data)

    @extend_schema(
        request=AttendanceInput,
        responses={201: AttendanceRowOutput, 200: AttendanceRowOutput},
        summary="Mark a confirmed young person present, late, left early or absent (201: marked now; 200: marking "
        "again changed it)",
    )
    def post(self, request: Request) -> Response:
        payload = AttendanceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        user = actor(request)
        # Whether they had a mark before (the service makes it or changes it, one engagement at a time).
        had_one = (
            scope(Attendance.objects.all(), user)
            .filter(engagement_id=data["engagement"], membership_id=data["membership"])
            .exists()
        )
        mark = attendance_mark(
            actor=user,
            engagement_id=data["engagement"],
            membership_id=data["membership"],
            status=data["status"],
            note=data["note"],
        )
        row = AttendanceRow(membership=mark.membership, attendance=mark)
        return Response(
            AttendanceRowOutput(row).data, status=status.HTTP_200_OK if had_one else status.HTTP_201_CREATED
        )


urlpatterns: list[URLPattern | URLResolver] = [
    path("attendance/", AttendanceApi.as_view(), name="api-attendance"),
]
