"""/api/v1/recruitment-rounds/ and /api/v1/applications/: thin views over the recruitment services and selectors.

Equality answers never appear here: they are held apart from applications and reported only as counts.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from participants.models import (
    Application,
    OutreachChannel,
    OutreachLink,
    RoundQuestion,
)
from participants.models.recruitment import MINIMUM_AGE
from participants.selectors.recruitment import (
    application_get_for_actor,
    applications_visible_to,
    round_get_for_actor,
    rounds_visible_to,
)
from participants.services.recruitment import (
    application_move,
    applications_bulk_move,
    outreach_url,
    panel_score_set,
    round_create,
    round_update,
)

Status = Application.Status

DIRECT = "direct"
CHANNEL_CHOICES = [*OutreachChannel.choices, (DIRECT, "Direct")]
STAFF_MOVE_CHOICES = [(value, label) for value, label in Status.choices if value in Application.STAFF_MOVES]
SENT_STATUS_CHOICES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]
# Largest id a bigint primary key can hold: anything above it is malformed input, not a missing record.
MAX_ID = 2**63 - 1


def named_choice_field(component_name: str, choices: list[tuple[str, str]]) -> Callable[..., serializers.ChoiceField]:
    """A ChoiceField whose choice set has one name in the schema. Several choice sets share a field name here
    (`status` of a membership, an application and an onboarding item), which drf-spectacular cannot name on its
    own without ENUM_NAME_OVERRIDES."""

    @extend_schema_field(serializers.ChoiceField(choices=choices), component_name=component_name)
    class NamedChoiceField(serializers.ChoiceField):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(choices=choices, **kwargs)

    return NamedChoiceField


ApplicationStatusField = named_choice_field("ApplicationStatusEnum", Status.choices)
RoundQuestionKindField = named_choice_field("RoundQuestionKindEnum", RoundQuestion.Kind.choices)


# --- Rounds: input ------------------------------------------------------------------------------------------------


class RoundUpdateInput(serializers.Serializer):
    """The fields of a round. PATCH sends any of them; the service checks the dates and ages fit together."""

    title = serializers.CharField(max_length=150)
    description = serializers.CharField(help_text="What the role is, in plain words. Shown on the first page.")
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    places = serializers.IntegerField(min_value=1)
    min_age = serializers.IntegerField(min_value=MINIMUM_AGE, required=False)
    max_age = serializers.IntegerField(max_value=30, required=False)
    is_published = serializers.BooleanField(required=False, help_text="Only published rounds take applications.")
    next_round_opens_on = serializers.DateField(
        required=False, allow_null=True, help_text="Shown to applicants when this round is closed."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if self.partial and not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class RoundInput(RoundUpdateInput):
    criteria = serializers.ListField(
        child=serializers.CharField(max_length=150),
        required=False,
        allow_empty=False,
        max_length=20,
        help_text="What the panel scores applications against. Leave out for the three standard criteria.",
    )


# --- Rounds: output -----------------------------------------------------------------------------------------------


class RoundOutput(OutputSerializer):
    id = serializers.IntegerField()
    public_id = serializers.UUIDField()
    title = serializers.CharField()
    description = serializers.CharField()
    opens_on = serializers.DateField()
    closes_on = serializers.DateField()
    places = serializers.IntegerField()
    min_age = serializers.IntegerField()
    max_age = serializers.IntegerField()
    is_published = serializers.BooleanField()
    next_round_opens_on = serializers.DateField(allow_null=True)
    created_at = serializers.DateTimeField()
    applications_count = serializers.IntegerField(help_text="Applications sent (drafts are not counted).")
    accepted_count = serializers.IntegerField(help_text="Applicants who accepted a place.")


class QuestionOutput(OutputSerializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    help_text = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    kind = RoundQuestionKindField()
    choices = serializers.ListField(child=serializers.CharField())
    required = serializers.BooleanField()  # type: ignore[assignment]
    order = serializers.IntegerField()


class CriterionOutput(OutputSerializer):
    id = serializers.IntegerField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    max_score = serializers.IntegerField()
    order = serializers.IntegerField()


class OutreachLinkOutput(OutputSerializer):
    id = serializers.IntegerField()
    channel = serializers.ChoiceField(choices=OutreachChannel.choices)
    channel_label = ChoiceLabelField("channel")
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like a Field attribute
    code = serializers.CharField()
    url = serializers.SerializerMethodField(help_text="The tracked link to send to this channel.")

    def get_url(self, link: OutreachLink) -> str:
        return outreach_url(link)


class InterviewSlotOutput(OutputSerializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    location = serializers.CharField()
    capacity = serializers.IntegerField()


class RoundDetailOutput(RoundOutput):
    questions = QuestionOutput(many=True)
    criteria = CriterionOutput(many=True)
    outreach_links = OutreachLinkOutput(many=True)
    interview_slots = InterviewSlotOutput(many=True)


# --- Rounds: views ------------------------------------------------------------------------------------------------


class RoundListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(responses=RoundOutput(many=True), summary="The partnership's recruitment rounds")
    def get(self, request: Request) -> Response:
        return paginate(request, self, rounds_visible_to(actor(request)), RoundOutput)

    @extend_schema(request=RoundInput, responses={201: RoundDetailOutput}, summary="Open a new recruitment round")
    def post(self, request: Request) -> Response:
        payload = RoundInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        round_ = round_create(actor=user, **payload.validated_data)
        return Response(RoundDetailOutput(round_get_for_actor(user, round_.pk)).data, status=status.HTTP_201_CREATED)


class RoundDetailApi(PartnershipApi):
    @extend_schema(responses=RoundDetailOutput)
    def get(self, request: Request, round_id: int) -> Response:
        return Response(RoundDetailOutput(round_get_for_actor(actor(request), round_id)).data)

    @extend_schema(request=RoundUpdateInput, responses=RoundDetailOutput, summary="Change some of a round's fields")
    def patch(self, request: Request, round_id: int) -> Response:
        user = actor(request)
        round_get_for_actor(user, round_id)  # 403/404 before the body is read
        payload = RoundUpdateInput(data=request.data, partial=True)
        payload.is_valid(raise_exception=True)
        round_ = round_update(actor=user, round_id=round_id, **payload.validated_data)
        return Response(RoundDetailOutput(round_get_for_actor(user, round_.pk)).data)


# --- Applications: output -----------------------------------------------------------------------------------------


class ApplicationOutput(OutputSerializer):
    """An application in a list. Holds no equality answers, ever."""

    id = serializers.IntegerField()
    round_id = serializers.IntegerField()
    round_title = serializers.CharField(source="round.title")
    status = ApplicationStatusField()
    status_label = ChoiceLabelField("status")
    full_name = serializers.CharField()
    preferred_name = serializers.CharField()
    email = serializers.EmailField()
    channel = serializers.SerializerMethodField(help_text="The channel's key, as the `channel` filter takes it.")
    channel_label = serializers.CharField(source="channel")
    submitted_at = serializers.DateTimeField(allow_null=True)
    updated_at = serializers.DateTimeField()
    average_score = serializers.FloatField(allow_null=True, help_text="Mean of every panel score given so far.")
    scorers = serializers.IntegerField(help_text="How many workers have scored it.")

    def get_channel(self, application: Application) -> str:
        if application.referral_id:
            return str(OutreachChannel.PEER_REFERRAL)
        if application.outreach_link_id and application.outreach_link is not None:
            return application.outreach_link.channel
        return DIRECT


class AnswerOutput(OutputSerializer):
    question = serializers.CharField()
    answer = serializers.JSONField(allow_null=True)


class EventOutput(OutputSerializer):
    id = serializers.IntegerField()
    from_status = ApplicationStatusField()
    to_status = ApplicationStatusField()
    reason = serializers.CharField()
    by_applicant = serializers.BooleanField()
    actor_id = serializers.IntegerField(allow_null=True)
    actor_name = serializers.CharField(source="actor.full_name", allow_null=True)
    created_at = serializers.DateTimeField()


class ScoreOutput(OutputSerializer):
    id = serializers.IntegerField()
    criterion_id = serializers.IntegerField()
    criterion_label = serializers.CharField(source="criterion.label")
    max_score = serializers.IntegerField(source="criterion.max_score")
    scorer_id = serializers.IntegerField()
    scorer_name = serializers.CharField(source="scorer.full_name")
    score = serializers.IntegerField()
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class ApplicationDetailOutput(ApplicationOutput):
    pronouns = serializers.CharField()
    phone = serializers.CharField()
    date_of_birth = serializers.DateField(allow_null=True)
    parent_carer_name = serializers.CharField()
    parent_carer_relationship = serializers.CharField()
    parent_carer_email = serializers.CharField()
    parent_carer_phone = serializers.CharField()
    referred_by = serializers.CharField(source="referral.referrer.user.full_name", allow_null=True)
    interview_slot = InterviewSlotOutput(allow_null=True)
    membership_id = serializers.IntegerField(allow_null=True, help_text="Set once the applicant accepts a place.")
    created_at = serializers.DateTimeField()
    closed_at = serializers.DateTimeField(allow_null=True)
    answers = serializers.SerializerMethodField(help_text="Each of the round's questions by id, with the answer.")
    events = EventOutput(many=True, help_text="The application's timeline, oldest first.")
    criteria = CriterionOutput(many=True, source="round.criteria")
    scores = ScoreOutput(many=True)

    @extend_schema_field(serializers.DictField(child=AnswerOutput()))
    def get_answers(self, application: Application) -> dict[str, dict[str, Any]]:
        return {
            str(question.pk): {"question": question.text, "answer": application.answers.get(str(question.pk))}
            for question in application.round.questions.all()
        }


# --- Applications: input ------------------------------------------------------------------------------------------


class ApplicationFilter(serializers.Serializer):
    round = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID, source="round_id")
    status = serializers.ChoiceField(choices=SENT_STATUS_CHOICES, required=False)
    channel = serializers.ChoiceField(choices=CHANNEL_CHOICES, required=False)
    search = serializers.CharField(required=False, max_length=100, help_text="Part of a name or email address.")


class TransitionInput(serializers.Serializer):
    to = serializers.ChoiceField(choices=STAFF_MOVE_CHOICES)
    reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=2000, help_text="Needed for unsuccessful."
    )


class BulkTransitionInput(TransitionInput):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID), allow_empty=False, max_length=500
    )


class ScoresInput(serializers.Serializer):
    scores = serializers.DictField(
        child=serializers.IntegerField(),
        allow_empty=False,
        help_text="Criterion id to score, from 0 to the criterion's max_score.",
    )
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)

    def validate_scores(self, scores: dict[str, int]) -> dict[int, int]:
        def is_id(key: object) -> bool:
            text = str(key)
            return text.isascii() and text.isdigit() and len(text) < 19 and int(text) <= MAX_ID

        if bad := [key for key in scores if not is_id(key)]:
            raise serializers.ValidationError(dict.fromkeys(bad, "Use a criterion id."))
        return {int(key): value for key, value in scores.items()}


class ApplicationSummaryOutput(OutputSerializer):
    id = serializers.IntegerField()
    full_name = serializers.CharField()
    status = ApplicationStatusField()


class BulkTransitionOutput(OutputSerializer):
    moved = ApplicationSummaryOutput(many=True)


# --- Applications: views ------------------------------------------------------------------------------------------


class ApplicationListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(parameters=[ApplicationFilter], responses=ApplicationOutput(many=True))
    def get(self, request: Request) -> Response:
        filters = ApplicationFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        applications = applications_visible_to(actor(request), answers=False, **filters.validated_data)
        return paginate(request, self, applications, ApplicationOutput)


class ApplicationDetailApi(PartnershipApi):
    @extend_schema(responses=ApplicationDetailOutput)
    def get(self, request: Request, application_id: int) -> Response:
        return Response(ApplicationDetailOutput(application_get_for_actor(actor(request), application_id)).data)


class ApplicationTransitionApi(PartnershipApi):
    @extend_schema(request=TransitionInput, responses=ApplicationDetailOutput, summary="Move an application on")
    def post(self, request: Request, application_id: int) -> Response:
        payload = TransitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        application = application_move(actor=user, application_id=application_id, **payload.validated_data)
        return Response(ApplicationDetailOutput(application_get_for_actor(user, application.pk)).data)


class ApplicationBulkTransitionApi(PartnershipApi):
    @extend_schema(
        request=BulkTransitionInput,
        responses=BulkTransitionOutput,
        summary="Move many applications at once: all of them, or none if any cannot move",
    )
    def post(self, request: Request) -> Response:
        require(actor(request), "participants.change_application")  # 403 before the body is read
        payload = BulkTransitionInput(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        result = applications_bulk_move(
            actor=actor(request), application_ids=data["ids"], to=data["to"], reason=data["reason"]
        )
        return Response(BulkTransitionOutput(result).data)


class ApplicationScoresApi(PartnershipApi):
    @extend_schema(request=ScoresInput, responses=ApplicationDetailOutput, summary="Set your panel scores")
    def post(self, request: Request, application_id: int) -> Response:
        user = actor(request)
        # The permission (403) and the application (404 for another partnership's) before the body is read; the
        # service says why one cannot be scored yet (a draft).
        require(user, "participants.score_application")
        if not applications_visible_to(user, include_drafts=True).filter(pk=application_id).exists():
            raise Http404("No application found.")
        payload = ScoresInput(data=request.data)
        payload.is_valid(raise_exception=True)
        panel_score_set(actor=user, application_id=application_id, **payload.validated_data)
        return Response(ApplicationDetailOutput(application_get_for_actor(user, application_id)).data)
