"""The /api/v1/ endpoints of the feedback loop: recommendations, responses ("you said, we did"), their timeline,
evidence and ratings, results, the young person's impact feed and everyone's notifications. Thin: parse, call the
service or selector, serialize.

Who sees what:
- Staff who see recommendations (participation workers, scrutiny leads, partnership admins) see every
  recommendation and response of the partnership, with the young people who made each one by name (anonymous ones
  too, marked `is_anonymous`), and every rating with its comment. Finance officers and safeguarding leads are
  refused (403), like the other lists they have no part in.
- A young person sees only the recommendations they made, and about them only their own part: whether they chose
  to be anonymous, never the other young people who made it (named or not), and only their own rating. This is
  the outputs API's rule too: nothing about anyone else.
- Results (with progress, the weighted mean of their recommendations'): staff see the partnership's, a young person
  those their recommendations are part of. The impact feed is for young people; notifications are everyone's own.
- Another partnership's record, or a young person's record that is not theirs, is a 404.
- Evidence files download from the evidence_file page address (the API gives its URL), for whoever sees the response.

Writes go through engagements.services.feedback, which checks the permission that counts (only the scrutiny lead
records and changes responses, timeline, evidence and results; participation workers and scrutiny leads write
recommendations; only a young person who made a recommendation rates its response). Errors come back as
{"message": ..., "extra": {"fields": {name: [...]}}} naming each field.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet, prefetch_related_objects
from django.urls import URLPattern, URLResolver, path, reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor, request_field_names
from core.pagination import Pagination, paginate
from core.permissions import require
from engagements.models import (
    Notification,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    Result,
    Section11Standard,
    TimelineEntry,
)
from engagements.selectors.feedback import (
    OWN_RATINGS,
    impact_feed_for,
    is_feedback_staff,
    is_overdue,
    notifications_for,
    overdue_q,
    recommendation_get_for_actor,
    recommendations_visible_to,
    response_get_for_actor,
    responses_visible_to,
    result_get_for_actor,
    result_progress,
    results_visible_to,
)
from engagements.services.feedback import (
    CHANGE_RECOMMENDATION,
    CHANGE_RESPONSE,
    evidence_add,
    notifications_mark_read,
    recommendation_create,
    recommendation_update,
    response_rate,
    response_record,
    response_update,
    result_create,
    result_update,
    timeline_entry_add,
)
from participants.apis.recruitment import MAX_ID, named_choice_field
from participants.models import Role, User

DecisionField = named_choice_field("FeedbackDecisionEnum", RecommendationResponse.Decision.choices)
ResponseStatusField = named_choice_field("FeedbackResponseStatusEnum", RecommendationResponse.Status.choices)
TimelineKindField = named_choice_field("FeedbackTimelineKindEnum", TimelineEntry.Kind.choices)
NotificationKindField = named_choice_field("FeedbackNotificationKindEnum", Notification.Kind.choices)
# A recommendation's section 11 standard may be blank (not a section 11 panel): "" is one of the choices.
RecommendationStandardField = named_choice_field(
    "FeedbackSection11StandardEnum", [("", "Not a section 11 panel"), *Section11Standard.choices]
)


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Who is asking ---------------------------------------------------------------------------------------------


def is_young_person(user: User) -> bool:
    return Role.YOUNG_PERSON in user.roles and user.membership is not None


def _require_staff(user: User) -> None:
    if not is_feedback_staff(user):
        raise PermissionDenied("You do not have permission to see the partnership's recommendations.")


def _require_staff_or_young_person(user: User) -> None:
    if not (is_feedback_staff(user) or is_young_person(user)):
        raise PermissionDenied("You do not have permission to see recommendations.")


def _own_membership_id(user: User) -> int:
    if user.membership is None:  # the base has checked there is one
        raise PermissionDenied("You are not acting in any partnership.")
    return user.membership.pk


def _today() -> datetime.date:
    return timezone.localdate()


def _overdue(prefix: str = "") -> Q:
    return overdue_q(_today(), prefix)


def _response_of(recommendation: Recommendation) -> RecommendationResponse | None:
    try:
        return recommendation.response
    except RecommendationResponse.DoesNotExist:
        return None


def _own_contribution(recommendation: Recommendation, membership_id: int) -> RecommendationContributor | None:
    """The young person's own part in a recommendation (the selectors prefetch the contributions; only this one is
    ever shown to them)."""
    mine = [c for c in recommendation.contributions.all() if c.membership_id == membership_id]
    return mine[0] if mine else None


# The services name a few fields by their model id (result_id); the API names them as the request does (result).
_API_FIELD_NAMES = {"engagement_id": "engagement", "result_id": "result", "recommendation_id": "recommendation"}


def _evidence_file_url(evidence: ResponseEvidence) -> str | None:
    return reverse("evidence_file", args=[evidence.pk]) if evidence.file else None


# --- Loading: every list makes the same number of queries however many rows it has ------------------------------
# The selectors load the recommendation's engagement, response, result and contributors, a response's timeline and
# evidence, and the feed's own ratings; the API adds what only it shows (who recorded it, every rating for staff).


def _all_ratings() -> Prefetch[Any]:
    return Prefetch(
        "ratings", queryset=ResponseRating.objects.select_related("membership__user").order_by("-updated_at", "-pk")
    )


def _staff_responses(user: User) -> QuerySet[RecommendationResponse]:
    _require_staff(user)
    return (
        responses_visible_to(user)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("evidence", queryset=ResponseEvidence.objects.order_by("added_at", "pk")), _all_ratings()
        )
    )


# --- Output ----------------------------------------------------------------------------------------------------


class RecommendationContributorOutput(OutputSerializer):
    """A young person who made a recommendation, as staff see them: always named; `is_anonymous` says they are not
    named on pages other young people can see."""

    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    is_anonymous = serializers.BooleanField()


class RecommendationResponseSummaryOutput(OutputSerializer):
    id = serializers.IntegerField()
    decision = DecisionField()
    decision_label = ChoiceLabelField("decision")
    status = ResponseStatusField()
    status_label = ChoiceLabelField("status")
    progress = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    updated_at = serializers.DateTimeField()

    def get_is_overdue(self, response: RecommendationResponse) -> bool:
        return is_overdue(response)


class RecommendationOutput(OutputSerializer):
    """A recommendation as staff see it: with the young people who made it and a summary of the response."""

    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    text = serializers.CharField()
    theme = serializers.CharField()
    agency = serializers.CharField()
    section_11_standard = RecommendationStandardField()
    result_id = serializers.IntegerField(allow_null=True)
    result_title = serializers.CharField(source="result.title", allow_null=True, default=None)
    weight = serializers.IntegerField()
    is_public = serializers.BooleanField()
    # Nested serializers declared once, not made per row in a method: a page of 50 made 100 serializers and copied
    # their fields each time (docs/performance.md). A recommendation with no response reads as null (DRF answers
    # None for a missing one-to-one).
    contributors = RecommendationContributorOutput(many=True, source="contributions")
    response = RecommendationResponseSummaryOutput(
        allow_null=True, help_text="Null until the partnership has responded."
    )
    created_by = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()


class OwnRecommendationOutput(OutputSerializer):
    """A recommendation as a young person who made it sees it: nothing about anyone else who made it."""

    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    text = serializers.CharField()
    theme = serializers.CharField()
    agency = serializers.CharField()
    section_11_standard = RecommendationStandardField()
    is_anonymous = serializers.SerializerMethodField(help_text="You chose not to be named where others can see.")
    response = RecommendationResponseSummaryOutput(
        allow_null=True, help_text="Null until the partnership has responded."
    )
    created_at = serializers.DateTimeField()

    def get_is_anonymous(self, recommendation: Recommendation) -> bool:
        mine = _own_contribution(recommendation, self.context["membership_id"])
        return bool(mine and mine.is_anonymous)


class ResponseEvidenceOutput(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    link = serializers.CharField(help_text="An https address, or empty for a file.")
    file_url = serializers.SerializerMethodField(help_text="Where to download the file, if there is one.")
    file_kind = serializers.CharField(help_text="pdf, jpg or png; empty for a link.")
    added_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, evidence: ResponseEvidence) -> str | None:
        return _evidence_file_url(evidence)


class ResponseRatingOutput(OutputSerializer):
    """A young person's rating of a response, as staff see it (with the comment and who gave it)."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    score = serializers.IntegerField(help_text="Did this change anything? 1 (no) to 5 (a lot).")
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class OwnRatingOutput(OutputSerializer):
    """The young person's own rating."""

    id = serializers.IntegerField()
    score = serializers.IntegerField(help_text="Did this change anything? 1 (no) to 5 (a lot).")
    comment = serializers.CharField()
    updated_at = serializers.DateTimeField()


class RecommendationResponseOutput(OutputSerializer):
    """A response as staff see it: the owner, decision, status, progress, due date, evidence and every rating."""

    id = serializers.IntegerField()
    recommendation_id = serializers.IntegerField()
    recommendation_text = serializers.CharField(source="recommendation.text")
    engagement_id = serializers.IntegerField(source="recommendation.engagement_id")
    owner_agency = serializers.CharField()
    owner_name = serializers.CharField()
    owner_email = serializers.CharField()
    decision = DecisionField()
    decision_label = ChoiceLabelField("decision")
    decision_reason = serializers.CharField()
    status = ResponseStatusField()
    status_label = ChoiceLabelField("status")
    status_reason = serializers.CharField()
    progress = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    escalated_at = serializers.DateTimeField(allow_null=True)
    evidence = ResponseEvidenceOutput(many=True)
    ratings = ResponseRatingOutput(many=True)
    created_by = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_is_overdue(self, response: RecommendationResponse) -> bool:
        return is_overdue(response)


class OwnResponseOutput(OutputSerializer):
    """A response as a young person who made the recommendation sees it: their own rating only, and no one's
    email address."""

    id = serializers.IntegerField()
    recommendation_id = serializers.IntegerField()
    owner_agency = serializers.CharField()
    owner_name = serializers.CharField()
    decision = DecisionField()
    decision_label = ChoiceLabelField("decision")
    decision_reason = serializers.CharField()
    status = ResponseStatusField()
    status_label = ChoiceLabelField("status")
    status_reason = serializers.CharField()
    progress = serializers.IntegerField()
    due_on = serializers.DateField(allow_null=True)
    is_overdue = serializers.SerializerMethodField()
    evidence = ResponseEvidenceOutput(many=True)
    your_rating = serializers.SerializerMethodField(help_text="Your rating, or null if you have not rated it.")
    updated_at = serializers.DateTimeField()

    def get_is_overdue(self, response: RecommendationResponse) -> bool:
        return is_overdue(response)

    @extend_schema_field(OwnRatingOutput(allow_null=True))
    def get_your_rating(self, response: RecommendationResponse) -> dict[str, Any] | None:
        membership_id = self.context["membership_id"]
        ratings = getattr(response, OWN_RATINGS, None)  # prefetched by impact_feed_for
        if ratings is None:
            ratings = list(response.ratings.filter(membership_id=membership_id))
        # Filtered again here: whatever was loaded, only the young person's own rating is ever shown.
        mine = [rating for rating in ratings if rating.membership_id == membership_id]
        return dict(OwnRatingOutput(mine[0]).data) if mine else None


class TimelineEntryOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = TimelineKindField()
    kind_label = ChoiceLabelField("kind")
    happened_on = serializers.DateField()
    text = serializers.CharField(help_text="What happened, in plain words.")
    changes = serializers.JSONField(help_text='What changed: [{"field": ..., "from": ..., "to": ...}].')
    created_at = serializers.DateTimeField()


class ImpactFeedResponseOutput(OwnResponseOutput):
    """The response on a card of the impact feed, with its timeline (newest first)."""

    timeline = TimelineEntryOutput(many=True)


class ImpactFeedCardOutput(OutputSerializer):
    """One "you said, we did" card: what the young person recommended and what became of it."""

    id = serializers.IntegerField(help_text="The recommendation.")
    engagement_title = serializers.CharField(source="engagement.title")
    text = serializers.CharField(help_text="What you said.")
    theme = serializers.CharField()
    agency = serializers.CharField()
    is_anonymous = serializers.SerializerMethodField(help_text="You chose not to be named where others can see.")
    created_at = serializers.DateTimeField()
    response = ImpactFeedResponseOutput(allow_null=True, help_text="What we did; null until the partnership responds.")

    def get_is_anonymous(self, recommendation: Recommendation) -> bool:
        mine = _own_contribution(recommendation, self.context["membership_id"])
        return bool(mine and mine.is_anonymous)


class FeedbackResultOutput(OutputSerializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    progress = serializers.SerializerMethodField(
        help_text="The weighted mean of its recommendations' progress (0 to 100); null when it has none."
    )
    recommendation_count = serializers.IntegerField(help_text="How many recommendations it groups.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=0, max_value=100))
    def get_progress(self, result: Result) -> int | None:
        return result_progress(result)  # from results_visible_to's annotations: no query


class NotificationOutput(OutputSerializer):
    id = serializers.IntegerField()
    kind = NotificationKindField()
    kind_label = ChoiceLabelField("kind")
    text = serializers.CharField()
    link = serializers.CharField(help_text="Where in the product to see it.")
    is_read = serializers.SerializerMethodField()
    read_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_is_read(self, notification: Notification) -> bool:
        return notification.read_at is not None


class NotificationsReadOutput(OutputSerializer):
    marked = serializers.IntegerField(help_text="How many notifications were marked read.")


# --- Input -----------------------------------------------------------------------------------------------------


class RecommendationFilter(serializers.Serializer):
    engagement = _id_field(required=False)
    theme = serializers.CharField(required=False, max_length=100)
    status = ResponseStatusField(required=False, help_text="The response's status.")
    decision = DecisionField(required=False, help_text="The response's decision.")
    responded = serializers.BooleanField(required=False, default=None, allow_null=True)
    overdue = serializers.BooleanField(
        required=False, default=None, allow_null=True, help_text="true: past the due date and not finished."
    )


class RecommendationResponseFilter(serializers.Serializer):
    recommendation = _id_field(required=False)
    engagement = _id_field(required=False)
    status = ResponseStatusField(required=False)
    decision = DecisionField(required=False)
    overdue = serializers.BooleanField(required=False, default=None, allow_null=True)


class NotificationFilter(serializers.Serializer):
    unread = serializers.BooleanField(required=False, default=None, allow_null=True)


class RecommendationContributorInput(serializers.Serializer):
    membership_id = _id_field(help_text="The young person's membership.")
    is_anonymous = serializers.BooleanField(
        required=False, default=False, help_text="Not named on pages other young people can see."
    )


def _contributor_pairs(contributors: list[dict[str, Any]]) -> list[tuple[int, bool]]:
    ids = [item["membership_id"] for item in contributors]
    if len(ids) != len(set(ids)):
        raise serializers.ValidationError({"contributors": ["Each young person may be named only once."]})
    return [(item["membership_id"], item["is_anonymous"]) for item in contributors]


class RecommendationUpdateInput(serializers.Serializer):
    text = serializers.CharField(required=False, max_length=10000)
    theme = serializers.CharField(required=False, max_length=100)
    agency = serializers.CharField(required=False, max_length=200)
    section_11_standard = RecommendationStandardField(required=False, allow_blank=True)
    contributors = serializers.ListField(child=RecommendationContributorInput(), required=False, max_length=200)
    result = _id_field(required=False, allow_null=True, help_text="The result it counts towards, or null.")
    weight = serializers.IntegerField(required=False, min_value=1, max_value=100)
    is_public = serializers.BooleanField(required=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        if "result" in attrs:
            attrs["result_id"] = attrs.pop("result")
        if "contributors" in attrs:
            attrs["contributors"] = _contributor_pairs(attrs["contributors"])
        return attrs


class RecommendationCreateInput(serializers.Serializer):
    engagement = _id_field(help_text="The engagement it came from.")
    text = serializers.CharField(max_length=10000, help_text="In the young people's own words.")
    theme = serializers.CharField(max_length=100)
    agency = serializers.CharField(max_length=200, help_text="The agency or group it is for.")
    section_11_standard = RecommendationStandardField(required=False, allow_blank=True, default="")
    contributors = serializers.ListField(
        child=RecommendationContributorInput(), required=False, default=list, max_length=200
    )
    result = _id_field(required=False, allow_null=True, default=None)
    weight = serializers.IntegerField(required=False, min_value=1, max_value=100, default=1)
    is_public = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["engagement_id"] = attrs.pop("engagement")
        attrs["result_id"] = attrs.pop("result")
        attrs["contributors"] = _contributor_pairs(attrs["contributors"])
        return attrs


class RecommendationResponseRecordInput(serializers.Serializer):
    recommendation = _id_field(help_text="The recommendation it answers (one response each).")
    owner_agency = serializers.CharField(max_length=200)
    owner_name = serializers.CharField(max_length=150)
    owner_email = serializers.EmailField(required=False, allow_blank=True, default="")
    decision = DecisionField(required=False, default=RecommendationResponse.Decision.PENDING)
    decision_reason = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000, help_text="Needed unless accepted."
    )
    due_on = serializers.DateField(required=False, allow_null=True, default=None)
    happened_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs["recommendation_id"] = attrs.pop("recommendation")
        return attrs


class RecommendationResponseUpdateInput(serializers.Serializer):
    """Any of the response's fields, and optionally a note and the date it happened (for the timeline entry the
    change adds)."""

    owner_agency = serializers.CharField(required=False, max_length=200)
    owner_name = serializers.CharField(required=False, max_length=150)
    owner_email = serializers.EmailField(required=False, allow_blank=True)
    decision = DecisionField(required=False)
    decision_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    status = ResponseStatusField(required=False)
    status_reason = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100, help_text="0 to 100 per cent.")
    due_on = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=10000, help_text="Added to the timeline entry."
    )
    happened_on = serializers.DateField(required=False, allow_null=True, default=None)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        note, happened_on = attrs.pop("note"), attrs.pop("happened_on")
        if not attrs and not note.strip():
            raise serializers.ValidationError("Send at least one of the response's fields to change, or a note.")
        return {"changes": attrs, "note": note, "happened_on": happened_on}


class TimelineEntryInput(serializers.Serializer):
    text = serializers.CharField(max_length=10000, help_text="What happened, in plain words.")
    happened_on = serializers.DateField(required=False, allow_null=True, default=None)


class ResponseEvidenceInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    link = serializers.CharField(required=False, allow_blank=True, default="", max_length=200, help_text="https")
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="A PDF, JPG or PNG (multipart)."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs["link"] and attrs["file"] is None:
            raise serializers.ValidationError({"link": ["Send a link or a file."], "file": ["Send a file or a link."]})
        return attrs


class ResponseRatingInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, help_text="Did this change anything? 1 to 5.")
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=5000)


class FeedbackResultInput(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)


class FeedbackResultUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    description = serializers.CharField(required=False, allow_blank=True, max_length=10000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class NotificationsReadInput(serializers.Serializer):
    notification_ids = serializers.ListField(
        child=_id_field(),
        required=False,
        allow_null=True,
        default=None,
        max_length=1000,
        help_text="Your notifications to mark read; leave out to mark them all read.",
    )


def _recommendation_for_caller(*, many: bool = False) -> PolymorphicProxySerializer:
    """Staff get RecommendationOutput; a young person OwnRecommendationOutput (the schema says both)."""
    return PolymorphicProxySerializer(
        component_name="RecommendationForCaller",
        serializers=[RecommendationOutput, OwnRecommendationOutput],
        resource_type_field_name=None,
        many=many,
    )


def _response_for_caller() -> PolymorphicProxySerializer:
    """Staff get RecommendationResponseOutput; a young person who made the recommendation OwnResponseOutput."""
    return PolymorphicProxySerializer(
        component_name="RecommendationResponseForCaller",
        serializers=[RecommendationResponseOutput, OwnResponseOutput],
        resource_type_field_name=None,
    )


# --- Views -----------------------------------------------------------------------------------------------------


def _recommendations_for(user: User, filters: dict[str, Any]) -> QuerySet[Recommendation]:
    recommendations = recommendations_visible_to(user)
    if filters.get("engagement") is not None:
        recommendations = recommendations.filter(engagement_id=filters["engagement"])
    if filters.get("theme"):
        recommendations = recommendations.filter(theme__iexact=filters["theme"])
    if filters.get("status"):
        recommendations = recommendations.filter(response__status=filters["status"])
    if filters.get("decision"):
        recommendations = recommendations.filter(response__decision=filters["decision"])
    if filters.get("responded") is not None:
        recommendations = recommendations.filter(response__isnull=not filters["responded"])
    if filters.get("overdue") is not None:
        overdue = _overdue("response__")
        recommendations = recommendations.filter(overdue if filters["overdue"] else ~overdue)
    return recommendations


def _recommendation_data(user: User, recommendation: Recommendation) -> dict[str, Any]:
    if is_feedback_staff(user):
        return dict(RecommendationOutput(recommendation).data)
    return dict(OwnRecommendationOutput(recommendation, context={"membership_id": _own_membership_id(user)}).data)


class RecommendationListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[RecommendationFilter],
        responses=_recommendation_for_caller(many=True),
        summary="Recommendations: staff see the partnership's (with who made them); a young person the ones they "
        "made (OwnRecommendationOutput: nothing about anyone else)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        filters = RecommendationFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        recommendations = _recommendations_for(user, filters.validated_data)
        if is_feedback_staff(user):
            return paginate(request, self, recommendations.select_related("created_by"), RecommendationOutput)
        membership_id = _own_membership_id(user)
        paginator = Pagination()
        page = paginator.paginate_queryset(recommendations, request, view=self)
        data = OwnRecommendationOutput(page, many=True, context={"membership_id": membership_id}).data
        return paginator.get_paginated_response(data)

    @extend_schema(
        request=RecommendationCreateInput,
        responses={201: _recommendation_for_caller()},
        summary="Record a recommendation from an engagement, with the young people who made it",
    )
    def post(self, request: Request) -> Response:
        payload = RecommendationCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        with request_field_names(_API_FIELD_NAMES):
            recommendation = recommendation_create(actor=user, **payload.validated_data)
        return Response(
            _recommendation_data(user, recommendation_get_for_actor(user, recommendation.pk)),
            status=status.HTTP_201_CREATED,
        )


class RecommendationDetailApi(PartnershipApi):
    @extend_schema(
        responses=_recommendation_for_caller(), summary="One recommendation (a young person: only their own)"
    )
    def get(self, request: Request, recommendation_id: int) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        return Response(_recommendation_data(user, recommendation_get_for_actor(user, recommendation_id)))

    @extend_schema(
        request=RecommendationUpdateInput, responses=_recommendation_for_caller(), summary="Change a recommendation"
    )
    def patch(self, request: Request, recommendation_id: int) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        # 404 first for what the caller cannot see, then 403 for who may not change it, before the body is read.
        require(user, CHANGE_RECOMMENDATION, recommendation_get_for_actor(user, recommendation_id))
        payload = RecommendationUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        with request_field_names(_API_FIELD_NAMES):
            recommendation_update(actor=user, recommendation_id=recommendation_id, **payload.validated_data)
        return Response(_recommendation_data(user, recommendation_get_for_actor(user, recommendation_id)))


def _response_data(user: User, response: RecommendationResponse) -> dict[str, Any]:
    if is_feedback_staff(user):
        prefetch_related_objects([response], _all_ratings())
        return dict(RecommendationResponseOutput(response).data)
    return dict(OwnResponseOutput(response, context={"membership_id": _own_membership_id(user)}).data)


def _response_for(user: User, response_id: int) -> RecommendationResponse:
    _require_staff_or_young_person(user)
    return response_get_for_actor(user, response_id)


class RecommendationResponseListApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        parameters=[RecommendationResponseFilter],
        responses=RecommendationResponseOutput(many=True),
        summary="The partnership's responses, newest change first (staff who see recommendations)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_staff(user)
        filters = RecommendationResponseFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        wanted = filters.validated_data
        responses = _staff_responses(user)
        if wanted.get("recommendation") is not None:
            responses = responses.filter(recommendation_id=wanted["recommendation"])
        if wanted.get("engagement") is not None:
            responses = responses.filter(recommendation__engagement_id=wanted["engagement"])
        if wanted.get("status"):
            responses = responses.filter(status=wanted["status"])
        if wanted.get("decision"):
            responses = responses.filter(decision=wanted["decision"])
        if wanted.get("overdue") is not None:
            overdue = _overdue()
            responses = responses.filter(overdue if wanted["overdue"] else ~overdue)
        return paginate(request, self, responses, RecommendationResponseOutput)

    @extend_schema(
        request=RecommendationResponseRecordInput,
        responses={201: _response_for_caller()},
        summary="Record the partnership's response to a recommendation (tells the young people who made it)",
    )
    def post(self, request: Request) -> Response:
        payload = RecommendationResponseRecordInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        with request_field_names(_API_FIELD_NAMES):
            response = response_record(actor=user, **payload.validated_data)
        return Response(_response_data(user, response_get_for_actor(user, response.pk)), status=status.HTTP_201_CREATED)


class RecommendationResponseDetailApi(PartnershipApi):
    @extend_schema(
        responses=_response_for_caller(),
        summary="One response (a young person who made the recommendation: OwnResponseOutput, their rating only)",
    )
    def get(self, request: Request, response_id: int) -> Response:
        user = actor(request)
        return Response(_response_data(user, _response_for(user, response_id)))

    @extend_schema(
        request=RecommendationResponseUpdateInput,
        responses=_response_for_caller(),
        summary="Change a response: a change of decision, status, progress or due date adds one timeline entry "
        "and tells the young people once",
    )
    def patch(self, request: Request, response_id: int) -> Response:
        user = actor(request)
        require(user, CHANGE_RESPONSE, _response_for(user, response_id))  # 404, then 403, before the body
        payload = RecommendationResponseUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        response_update(actor=user, response_id=response_id, **payload.validated_data)
        return Response(_response_data(user, response_get_for_actor(user, response_id)))


class ResponseTimelineApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        responses=TimelineEntryOutput(many=True),
        summary="A response's timeline, newest first (staff, and the young people who made the recommendation)",
    )
    def get(self, request: Request, response_id: int) -> Response:
        response = _response_for(actor(request), response_id)
        entries = response.timeline.order_by("-happened_on", "-created_at", "-pk")
        return paginate(request, self, entries, TimelineEntryOutput)

    @extend_schema(
        request=TimelineEntryInput,
        responses={201: TimelineEntryOutput},
        summary="Write an update on a response's timeline (tells the young people once)",
    )
    def post(self, request: Request, response_id: int) -> Response:
        user = actor(request)
        _response_for(user, response_id)
        payload = TimelineEntryInput(data=request.data)
        payload.is_valid(raise_exception=True)
        entry = timeline_entry_add(actor=user, response_id=response_id, **payload.validated_data)
        return Response(TimelineEntryOutput(entry).data, status=status.HTTP_201_CREATED)


class ResponseEvidenceApi(PartnershipApi):
    @extend_schema(
        request={"multipart/form-data": ResponseEvidenceInput, "application/json": ResponseEvidenceInput},
        responses={201: ResponseEvidenceOutput},
        summary="Add evidence to a response: an https link, or a PDF, JPG or PNG file (multipart)",
    )
    def post(self, request: Request, response_id: int) -> Response:
        user = actor(request)
        require(user, CHANGE_RESPONSE, _response_for(user, response_id))  # 404, then 403, before the body
        payload = ResponseEvidenceInput(data=request.data)
        payload.is_valid(raise_exception=True)
        evidence = evidence_add(actor=user, response_id=response_id, **payload.validated_data)
        return Response(ResponseEvidenceOutput(evidence).data, status=status.HTTP_201_CREATED)


class ResponseRatingApi(PartnershipApi):
    def _rate(self, request: Request, response_id: int) -> Response:
        user = actor(request)
        _response_for(user, response_id)
        payload = ResponseRatingInput(data=request.data)
        payload.is_valid(raise_exception=True)
        rating = response_rate(actor=user, response_id=response_id, **payload.validated_data)
        return Response(OwnRatingOutput(rating).data)

    @extend_schema(
        request=ResponseRatingInput,
        responses={200: OwnRatingOutput, 403: OpenApiResponse(description="Only a young person who made it rates it.")},
        summary="Rate a response you helped make: did this change anything? (replaces your earlier rating)",
    )
    def put(self, request: Request, response_id: int) -> Response:
        return self._rate(request, response_id)

    @extend_schema(
        request=ResponseRatingInput,
        responses={200: OwnRatingOutput, 403: OpenApiResponse(description="Only a young person who made it rates it.")},
        summary="Rate a response you helped make (the same as PUT)",
    )
    def post(self, request: Request, response_id: int) -> Response:
        return self._rate(request, response_id)


class ImpactFeedApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        responses=ImpactFeedCardOutput(many=True),
        summary="Your impact feed: what you recommended and what became of it, newest news first (young people)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        if not is_young_person(user):
            raise PermissionDenied("The impact feed is for young people.")
        membership_id = _own_membership_id(user)
        paginator = Pagination()
        page = paginator.paginate_queryset(impact_feed_for(user), request, view=self)
        data = ImpactFeedCardOutput(page, many=True, context={"membership_id": membership_id}).data
        return paginator.get_paginated_response(data)


class FeedbackResultListApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        responses=FeedbackResultOutput(many=True),
        summary="Results and their progress: staff see the partnership's; a young person those their "
        "recommendations are part of",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        return paginate(request, self, results_visible_to(user), FeedbackResultOutput)

    @extend_schema(request=FeedbackResultInput, responses={201: FeedbackResultOutput}, summary="Add a result")
    def post(self, request: Request) -> Response:
        payload = FeedbackResultInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        result = result_create(actor=user, **payload.validated_data)
        return Response(
            FeedbackResultOutput(result_get_for_actor(user, result.pk)).data, status=status.HTTP_201_CREATED
        )


class FeedbackResultDetailApi(PartnershipApi):
    @extend_schema(responses=FeedbackResultOutput, summary="One result and its progress")
    def get(self, request: Request, result_id: int) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        return Response(FeedbackResultOutput(result_get_for_actor(user, result_id)).data)

    @extend_schema(request=FeedbackResultUpdateInput, responses=FeedbackResultOutput, summary="Change a result")
    def patch(self, request: Request, result_id: int) -> Response:
        user = actor(request)
        _require_staff_or_young_person(user)
        result = result_get_for_actor(user, result_id)
        require(user, CHANGE_RESPONSE, result)  # 404, then 403, before the body is read
        payload = FeedbackResultUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        fields = {"title": result.title, "description": result.description, **payload.validated_data}
        result_update(actor=user, result_id=result_id, **fields)
        return Response(FeedbackResultOutput(result_get_for_actor(user, result_id)).data)


class NotificationListApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        parameters=[NotificationFilter],
        responses=NotificationOutput(many=True),
        summary="Your notifications, newest first",
    )
    def get(self, request: Request) -> Response:
        filters = NotificationFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        notifications = notifications_for(actor(request))
        unread = filters.validated_data.get("unread")
        if unread is not None:
            notifications = notifications.filter(read_at__isnull=unread)
        return paginate(request, self, notifications, NotificationOutput)


class NotificationsReadApi(PartnershipApi):
    @extend_schema(
        request=NotificationsReadInput,
        responses=NotificationsReadOutput,
        summary="Mark your notifications read (the ones named, or all of them)",
    )
    def post(self, request: Request) -> Response:
        payload = NotificationsReadInput(data=request.data)
        payload.is_valid(raise_exception=True)
        marked = notifications_mark_read(
            actor=actor(request), notification_ids=payload.validated_data["notification_ids"]
        )
        return Response({"marked": marked})


urlpatterns: list[URLPattern | URLResolver] = [
    path("recommendations/", RecommendationListApi.as_view(), name="api-recommendation-list"),
    path(
        "recommendations/<int:recommendation_id>/", RecommendationDetailApi.as_view(), name="api-recommendation-detail"
    ),
    path("responses/", RecommendationResponseListApi.as_view(), name="api-response-list"),
    path("responses/<int:response_id>/", RecommendationResponseDetailApi.as_view(), name="api-response-detail"),
    path("responses/<int:response_id>/timeline/", ResponseTimelineApi.as_view(), name="api-response-timeline"),
    path("responses/<int:response_id>/evidence/", ResponseEvidenceApi.as_view(), name="api-response-evidence"),
    path("responses/<int:response_id>/rating/", ResponseRatingApi.as_view(), name="api-response-rating"),
    path("impact-feed/", ImpactFeedApi.as_view(), name="api-impact-feed"),
    path("results/", FeedbackResultListApi.as_view(), name="api-result-list"),
    path("results/<int:result_id>/", FeedbackResultDetailApi.as_view(), name="api-result-detail"),
    path("notifications/", NotificationListApi.as_view(), name="api-notification-list"),
    path("notifications/read/", NotificationsReadApi.as_view(), name="api-notifications-read"),
]
