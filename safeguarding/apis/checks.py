"""/api/v1/staff-checks/, /api/v1/risk-assessments/ and /api/v1/wellbeing-checkins/: thin views over the
safeguarding services and selectors (checks on adults, risk assessments, wellbeing).

Certificate numbers are only ever sent masked. A check-in's comment is sent only to safeguarding leads.
"""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern, path
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from participants.apis.recruitment import MAX_ID, named_choice_field
from safeguarding.models import FollowUpTask, RiskAssessment, StaffCheck, WellbeingCheckIn
from safeguarding.selectors.checks import (
    CheckStatus,
    mask_certificate,
    staff_check_rows,
    staff_checks_overview,
    status_on,
)
from safeguarding.selectors.risk import risk_assessment_get_for_actor, risk_assessments_visible_to, staff_ratio
from safeguarding.selectors.wellbeing import checkin_comment_visible, checkins_visible_to
from safeguarding.services.checks import staff_check_record
from safeguarding.services.risk import (
    hazard_add,
    hazard_remove,
    risk_assessment_approve,
    risk_assessment_create,
    risk_assessment_return,
    risk_assessment_submit,
    risk_assessment_update,
)
from safeguarding.services.wellbeing import checkin_create

CheckStatusField = named_choice_field("StaffCheckStatusEnum", CheckStatus.choices)
RiskStatusField = named_choice_field("RiskAssessmentStatusEnum", RiskAssessment.Status.choices)
SensitivityField = named_choice_field("TopicSensitivityEnum", RiskAssessment.Sensitivity.choices)
FollowUpStatusField = named_choice_field("FollowUpStatusEnum", FollowUpTask.Status.choices)


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Checks on adults ---------------------------------------------------------------------------------------------


class StaffCheckOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    certificate_number = serializers.SerializerMethodField(help_text="Masked: only the last four digits.")
    issued_on = serializers.DateField()
    update_service = serializers.BooleanField()
    last_status_check_on = serializers.DateField(allow_null=True)
    renewal_due_on = serializers.DateField()
    recorded_at = serializers.DateTimeField()

    def get_certificate_number(self, check: StaffCheck) -> str:
        return mask_certificate(check.certificate_number)


class StaffMemberCheckOutput(OutputSerializer):
    membership_id = serializers.IntegerField(source="membership.pk")
    full_name = serializers.CharField(source="membership.user.full_name")
    status = CheckStatusField()
    status_label = serializers.CharField(source="status.label")
    days_left = serializers.IntegerField(allow_null=True, help_text="Days until renewal; negative once lapsed.")
    check = StaffCheckOutput(allow_null=True, help_text="The check with the latest renewal date, if any.")


class StaffCheckCreatedOutput(StaffCheckOutput):
    membership_id = serializers.IntegerField()
    status = serializers.SerializerMethodField()

    def get_status(self, check: StaffCheck) -> str:
        return status_on(check.renewal_due_on, timezone.localdate()).value


class StaffCheckFilter(serializers.Serializer):
    status = CheckStatusField(required=False)


class StaffCheckInput(serializers.Serializer):
    membership_id = _id_field(help_text="The member of staff's membership.")
    certificate_number = serializers.CharField(max_length=30, help_text="12 digits; spaces are ignored.")
    issued_on = serializers.DateField()
    update_service = serializers.BooleanField(default=False)
    last_status_check_on = serializers.DateField(required=False, allow_null=True, default=None)
    renewal_due_on = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="Defaults to the issue date plus the policy's years."
    )


class StaffCheckListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[StaffCheckFilter],
        responses=StaffMemberCheckOutput(many=True),
        summary="Every member of staff with their check status (lapsed and missing first)",
    )
    def get(self, request: Request) -> Response:
        filters = StaffCheckFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        today = timezone.localdate()
        memberships = staff_checks_overview(actor(request), today=today, **filters.validated_data)
        paginator = Pagination()
        page = paginator.paginate_queryset(memberships, request, view=self) or []
        rows = staff_check_rows(list(page), today)
        return paginator.get_paginated_response(StaffMemberCheckOutput(rows, many=True).data)

    @extend_schema(
        request=StaffCheckInput,
        responses={201: StaffCheckCreatedOutput},
        summary="Record an enhanced DBS check with barred list",
    )
    def post(self, request: Request) -> Response:
        payload = StaffCheckInput(data=request.data)
        payload.is_valid(raise_exception=True)
        check = staff_check_record(actor=actor(request), **payload.validated_data)
        return Response(StaffCheckCreatedOutput(check).data, status=status.HTTP_201_CREATED)


# --- Risk assessments ---------------------------------------------------------------------------------------------


class HazardOutput(OutputSerializer):
    id = serializers.IntegerField()
    hazard = serializers.CharField()
    control = serializers.CharField()
    owner_id = serializers.IntegerField(allow_null=True)
    owner_name = serializers.CharField(source="owner.full_name", allow_null=True, default=None)


class RiskAssessmentOutput(OutputSerializer):
    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    engagement_starts_at = serializers.DateTimeField(source="engagement.starts_at")
    status = RiskStatusField()
    status_label = ChoiceLabelField("status")
    venue = serializers.CharField()
    travel = serializers.CharField()
    online = serializers.CharField()
    topic_sensitivity = SensitivityField()
    content_warning = serializers.CharField()
    staff_count = serializers.IntegerField()
    young_people_count = serializers.IntegerField()
    ratio = serializers.SerializerMethodField(help_text="Staff to young people in lowest terms, like 1:4.")
    lone_working = serializers.BooleanField()
    lone_working_plan = serializers.CharField()
    prepared_by = serializers.CharField(source="prepared_by.full_name", allow_null=True, default=None)
    approved_by = serializers.CharField(source="approved_by.full_name", allow_null=True, default=None)
    approved_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()

    def get_ratio(self, assessment: RiskAssessment) -> str:
        return staff_ratio(assessment.staff_count, assessment.young_people_count)


class RiskAssessmentDetailOutput(RiskAssessmentOutput):
    hazards = HazardOutput(many=True)


class RiskAssessmentFilter(serializers.Serializer):
    status = RiskStatusField(required=False)


class RiskAssessmentCreateInput(serializers.Serializer):
    engagement_id = _id_field()


class RiskAssessmentUpdateInput(serializers.Serializer):
    venue = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    travel = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    online = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    topic_sensitivity = SensitivityField(required=False)
    content_warning = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    staff_count = serializers.IntegerField(required=False, min_value=1, max_value=1000)
    young_people_count = serializers.IntegerField(required=False, min_value=1, max_value=10000)
    lone_working = serializers.BooleanField(required=False)
    lone_working_plan = serializers.CharField(required=False, allow_blank=True, max_length=5000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class HazardInput(serializers.Serializer):
    hazard = serializers.CharField(max_length=300)
    control = serializers.CharField(max_length=2000)
    owner_id = _id_field(required=False, allow_null=True, default=None, help_text="A member of staff's user id.")


class ReturnInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="What needs to change. No personal details.")


class RiskAssessmentListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[RiskAssessmentFilter],
        responses=RiskAssessmentOutput(many=True),
        summary="Risk assessments, waiting for approval first",
    )
    def get(self, request: Request) -> Response:
        filters = RiskAssessmentFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        assessments = risk_assessments_visible_to(actor(request), **filters.validated_data)
        return paginate(request, self, assessments, RiskAssessmentOutput)

    @extend_schema(
        request=RiskAssessmentCreateInput,
        responses={201: RiskAssessmentDetailOutput},
        summary="Start an engagement's risk assessment from its type's template",
    )
    def post(self, request: Request) -> Response:
        payload = RiskAssessmentCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        assessment = risk_assessment_create(actor=user, **payload.validated_data)
        data = RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment.pk)).data
        return Response(data, status=status.HTTP_201_CREATED)


class RiskAssessmentDetailApi(PartnershipApi):
    @extend_schema(responses=RiskAssessmentDetailOutput)
    def get(self, request: Request, assessment_id: int) -> Response:
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(actor(request), assessment_id)).data)

    @extend_schema(
        request=RiskAssessmentUpdateInput,
        responses=RiskAssessmentDetailOutput,
        summary="Change some fields (a submitted or approved assessment goes back to draft)",
    )
    def patch(self, request: Request, assessment_id: int) -> Response:
        user = actor(request)
        # 403 (404 for another partnership's) before the body is read: a partnership admin may read, not change.
        require(user, "safeguarding.change_riskassessment", risk_assessment_get_for_actor(user, assessment_id))
        payload = RiskAssessmentUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        risk_assessment_update(actor=user, assessment_id=assessment_id, **payload.validated_data)
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data)


class RiskAssessmentHazardsApi(PartnershipApi):
    @extend_schema(
        request=HazardInput,
        responses={201: RiskAssessmentDetailOutput},
        summary="Add a hazard with its control and owner",
    )
    def post(self, request: Request, assessment_id: int) -> Response:
        payload = HazardInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        hazard_add(actor=user, assessment_id=assessment_id, **payload.validated_data)
        data = RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data
        return Response(data, status=status.HTTP_201_CREATED)


class RiskAssessmentHazardApi(PartnershipApi):
    @extend_schema(request=None, responses={200: RiskAssessmentDetailOutput}, summary="Remove a hazard")
    def delete(self, request: Request, assessment_id: int, hazard_id: int) -> Response:
        user = actor(request)
        hazard_remove(actor=user, assessment_id=assessment_id, hazard_id=hazard_id)
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data)


class RiskAssessmentSubmitApi(PartnershipApi):
    @extend_schema(request=None, responses=RiskAssessmentDetailOutput, summary="Send for approval")
    def post(self, request: Request, assessment_id: int) -> Response:
        user = actor(request)
        risk_assessment_submit(actor=user, assessment_id=assessment_id)
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data)


class RiskAssessmentApproveApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses=RiskAssessmentDetailOutput,
        summary="Approve (safeguarding leads who did not prepare or change it)",
    )
    def post(self, request: Request, assessment_id: int) -> Response:
        user = actor(request)
        risk_assessment_approve(actor=user, assessment_id=assessment_id)
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data)


class RiskAssessmentReturnApi(PartnershipApi):
    @extend_schema(request=ReturnInput, responses=RiskAssessmentDetailOutput, summary="Return to draft with a reason")
    def post(self, request: Request, assessment_id: int) -> Response:
        payload = ReturnInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        risk_assessment_return(actor=user, assessment_id=assessment_id, **payload.validated_data)
        return Response(RiskAssessmentDetailOutput(risk_assessment_get_for_actor(user, assessment_id)).data)


# --- Wellbeing check-ins ------------------------------------------------------------------------------------------


class FollowUpSummaryOutput(OutputSerializer):
    id = serializers.IntegerField()
    assigned_to = serializers.CharField(source="assigned_to.full_name")
    due_at = serializers.DateTimeField()
    status = FollowUpStatusField()


class CheckInOutput(OutputSerializer):
    """A check-in as workers see it: never the comment."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    engagement_id = serializers.IntegerField(allow_null=True)
    engagement_title = serializers.CharField(source="engagement.title", allow_null=True, default=None)
    score = serializers.IntegerField()
    wants_to_talk = serializers.BooleanField()
    has_comment = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    follow_up = serializers.SerializerMethodField()

    def get_has_comment(self, checkin: WellbeingCheckIn) -> bool:
        return bool(checkin.comment)

    @extend_schema_field(FollowUpSummaryOutput(allow_null=True))
    def get_follow_up(self, checkin: WellbeingCheckIn) -> dict[str, Any] | None:
        task = getattr(checkin, "follow_up", None)
        return FollowUpSummaryOutput(task).data if task is not None else None


class CheckInWithCommentOutput(CheckInOutput):
    # Not required in the schema: the list documents this serializer, and workers get it without the comment.
    comment = serializers.CharField(required=False, help_text="Only sent to safeguarding leads.")


class OwnCheckInOutput(OutputSerializer):
    """What the young person gets back: their check-in, and who will get in touch if they asked."""

    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField(allow_null=True)
    score = serializers.IntegerField()
    wants_to_talk = serializers.BooleanField()
    comment = serializers.CharField()
    created_at = serializers.DateTimeField()
    follow_up_by = serializers.SerializerMethodField(help_text="Who will get in touch, if anyone.")
    follow_up_due_at = serializers.SerializerMethodField()

    def get_follow_up_by(self, checkin: WellbeingCheckIn) -> str | None:
        task = getattr(checkin, "follow_up", None)
        return task.assigned_to.full_name if task is not None else None

    def get_follow_up_due_at(self, checkin: WellbeingCheckIn) -> str | None:
        task = getattr(checkin, "follow_up", None)
        return task.due_at.isoformat() if task is not None else None


class CheckInInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="How you feel: 1 really bad, 5 really good.")
    wants_to_talk = serializers.BooleanField(default=False, help_text="I'd like to talk to someone.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)
    engagement_id = _id_field(required=False, allow_null=True, default=None, help_text="A session you attended.")


class CheckInListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        responses=CheckInWithCommentOutput(many=True),
        summary="Check-ins for workers and safeguarding leads (the comment only for safeguarding leads)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        checkins = checkins_visible_to(user)
        serializer = CheckInWithCommentOutput if checkin_comment_visible(user) else CheckInOutput
        return paginate(request, self, checkins, serializer)

    @extend_schema(request=CheckInInput, responses={201: OwnCheckInOutput}, summary="Check in after a session")
    def post(self, request: Request) -> Response:
        payload = CheckInInput(data=request.data)
        payload.is_valid(raise_exception=True)
        checkin = checkin_create(actor=actor(request), **payload.validated_data)
        return Response(OwnCheckInOutput(checkin).data, status=status.HTTP_201_CREATED)


urlpatterns: list[URLPattern] = [
    path("staff-checks/", StaffCheckListApi.as_view(), name="api-staff-check-list"),
    path("risk-assessments/", RiskAssessmentListApi.as_view(), name="api-risk-assessment-list"),
    path(
        "risk-assessments/<int:assessment_id>/",
        RiskAssessmentDetailApi.as_view(),
        name="api-risk-assessment-detail",
    ),
    path(
        "risk-assessments/<int:assessment_id>/hazards/",
        RiskAssessmentHazardsApi.as_view(),
        name="api-risk-assessment-hazards",
    ),
    path(
        "risk-assessments/<int:assessment_id>/hazards/<int:hazard_id>/",
        RiskAssessmentHazardApi.as_view(),
        name="api-risk-assessment-hazard",
    ),
    path(
        "risk-assessments/<int:assessment_id>/submit/",
        RiskAssessmentSubmitApi.as_view(),
        name="api-risk-assessment-submit",
    ),
    path(
        "risk-assessments/<int:assessment_id>/approve/",
        RiskAssessmentApproveApi.as_view(),
        name="api-risk-assessment-approve",
    ),
    path(
        "risk-assessments/<int:assessment_id>/return/",
        RiskAssessmentReturnApi.as_view(),
        name="api-risk-assessment-return",
    ),
    path("wellbeing-checkins/", CheckInListApi.as_view(), name="api-wellbeing-checkin-list"),
]
