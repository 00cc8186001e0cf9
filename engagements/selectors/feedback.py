"""Reads for the feedback loop, scoped to the actor's partnership and role.

- Staff who may see recommendations (participation workers, scrutiny leads, partnership admins:
  engagements.view_recommendation) see every recommendation and response of the partnership. A young person sees
  only the recommendations they made, and their responses. Anyone else sees none.
- A single record of another partnership, or one the actor may not see, is a 404 exactly like a missing one.
- Lists load what their pages show in a fixed number of queries (select_related and Prefetch): the impact feed, the
  staff's recommendation list, results with their progress.
- The public "you said, we did" page shows only recommendations marked public, of a partnership that publishes the
  page, and nothing about people: it must not show contributors, the owner's name or email, or timeline texts
  (the RESPONSE entry names the owner).
"""

from __future__ import annotations

import datetime

from django.db.models import (
    Count,
    DateTimeField,
    F,
    IntegerField,
    Max,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.tenancy import scope
from engagements.models import (
    Engagement,
    FeedbackSettings,
    Notification,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    Result,
    TimelineEntry,
)
from engagements.services.outputs import contributors_allowed
from participants.models import Membership, Partnership, Role, User

VIEW_RECOMMENDATION = "engagements.view_recommendation"
CHANGE_RECOMMENDATION = "engagements.change_recommendation"
VIEW_IMPACT_FEED = "engagements.view_impact_feed"
FINISHED = (RecommendationResponse.Status.DONE, RecommendationResponse.Status.NOT_GOING_AHEAD)


def overdue_q(today: datetime.date, prefix: str = "") -> Q:
    """The one rule for "overdue": due before `today` and not finished (done or not going ahead). `prefix` reaches
    the response from another model ("response__" from a recommendation)."""
    return Q(**{f"{prefix}due_on__lt": today}) & ~Q(**{f"{prefix}status__in": FINISHED})


def is_overdue(response: RecommendationResponse, today: datetime.date | None = None) -> bool:
    """overdue_q for one response already loaded."""
    day = today or timezone.localdate()
    return bool(response.due_on and response.due_on < day and response.status not in FINISHED)


# Prefetched onto each response by impact_feed_for: the young person's own rating, as a list of none or one.
OWN_RATINGS = "own_ratings"


def is_feedback_staff(actor: User) -> bool:
    """Staff who see every recommendation and response of the partnership."""
    return bool(actor.is_partnership_staff and actor.has_perm(VIEW_RECOMMENDATION))


def _own_membership(actor: User) -> Membership | None:
    """The young person's membership when the actor acts as a young person, else None."""
    if Role.YOUNG_PERSON in actor.roles and actor.membership is not None:
        return actor.membership
    return None


def _contributions() -> Prefetch[str, QuerySet[RecommendationContributor], str]:
    return Prefetch(
        "contributions",
        queryset=RecommendationContributor.objects.select_related("membership__user").order_by(
            "membership__user__full_name", "pk"
        ),
    )


def _timeline() -> Prefetch[str, QuerySet[TimelineEntry], str]:
    return Prefetch("response__timeline", queryset=TimelineEntry.objects.order_by("-happened_on", "-created_at", "-pk"))


def _evidence() -> Prefetch[str, QuerySet[ResponseEvidence], str]:
    return Prefetch("response__evidence", queryset=ResponseEvidence.objects.order_by("added_at", "pk"))


def recommendations_visible_to(actor: User) -> QuerySet[Recommendation]:
    """Staff who may see recommendations: the partnership's. A young person: those they made. Else none.
    Newest first, with the engagement, response, result and contributors (and their users) loaded for list pages."""
    recommendations = scope(Recommendation.objects.all(), actor)
    if is_feedback_staff(actor):
        pass
    elif (membership := _own_membership(actor)) is not None:
        recommendations = recommendations.filter(
            pk__in=RecommendationContributor.objects.filter(membership=membership).values("recommendation_id")
        )
    else:
        return Recommendation.objects.none()
    return (
        recommendations.select_related("engagement", "response", "result")
        .prefetch_related(_contributions())
        .order_by("-created_at", "-pk")
    )


def recommendation_get_for_actor(actor: User, recommendation_id: int) -> Recommendation:
    """One recommendation with its response, timeline, evidence and contributors: 404 when missing, another
    partnership's, or (a young person) not one they made."""
    return get_object_or_404(
        recommendations_visible_to(actor).prefetch_related(_timeline(), _evidence()), pk=recommendation_id
    )


def responses_visible_to(actor: User) -> QuerySet[RecommendationResponse]:
    """Responses of the recommendations the actor may see, most recently changed first."""
    responses = scope(RecommendationResponse.objects.all(), actor)
    if is_feedback_staff(actor):
        pass
    elif (membership := _own_membership(actor)) is not None:
        responses = responses.filter(
            recommendation_id__in=RecommendationContributor.objects.filter(membership=membership).values(
                "recommendation_id"
            )
        )
    else:
        return RecommendationResponse.objects.none()
    return responses.select_related("recommendation__engagement", "recommendation__result").order_by(
        "-updated_at", "-pk"
    )


def response_get_for_actor(actor: User, response_id: int) -> RecommendationResponse:
    """One response with its timeline and evidence: 404 when missing, another partnership's or not visible."""
    return get_object_or_404(
        responses_visible_to(actor).prefetch_related(
            Prefetch("timeline", queryset=TimelineEntry.objects.order_by("-happened_on", "-created_at", "-pk")),
            Prefetch("evidence", queryset=ResponseEvidence.objects.order_by("added_at", "pk")),
        ),
        pk=response_id,
    )


def evidence_get_for_actor(actor: User, evidence_id: int) -> ResponseEvidence:
    """One piece of evidence (to download its file): 404 unless its response is visible to the actor."""
    return get_object_or_404(
        scope(ResponseEvidence.objects.select_related("response"), actor).filter(
            response__in=responses_visible_to(actor).values("pk")
        ),
        pk=evidence_id,
    )


def impact_feed_for(actor: User) -> QuerySet[Recommendation]:
    """The young person's own recommendations, newest news first, with response, timeline, evidence and their
    own rating prefetched (a constant number of queries for a page).

    Each recommendation has `latest_news` (its newest timeline entry, else when it was recorded); each response the
    list `own_ratings` (the young person's rating, none or one). Staff and anyone not acting as a young person get
    none."""
    membership = _own_membership(actor)
    if membership is None or not actor.has_perm(VIEW_IMPACT_FEED):
        return Recommendation.objects.none()
    mine = RecommendationContributor.objects.filter(membership=membership).values("recommendation_id")
    return (
        scope(Recommendation.objects.all(), actor)
        .filter(pk__in=mine)
        .select_related("engagement", "response", "result")
        .annotate(
            latest_news=Coalesce(Max("response__timeline__created_at"), F("created_at"), output_field=DateTimeField())
        )
        .prefetch_related(
            _contributions(),
            _timeline(),
            _evidence(),
            Prefetch(
                "response__ratings",
                queryset=ResponseRating.objects.filter(membership=membership),
                to_attr=OWN_RATINGS,
            ),
        )
        .order_by("-latest_news", "-pk")
    )


def _with_progress(results: QuerySet[Result]) -> QuerySet[Result]:
    """Annotate each result with the sums its progress is worked out from (one query for a whole list)."""
    return results.annotate(
        recommendation_count=Count("recommendations", distinct=True),
        weight_total=Coalesce(Sum("recommendations__weight"), Value(0), output_field=IntegerField()),
        weighted_progress_total=Coalesce(
            Sum(F("recommendations__weight") * Coalesce(F("recommendations__response__progress"), Value(0))),
            Value(0),
            output_field=IntegerField(),
        ),
    )


def results_visible_to(actor: User) -> QuerySet[Result]:
    """Staff: the partnership's results. A young person: the results their recommendations are part of. Else none.
    Each is annotated so result_progress(result) needs no more queries (a list is one query)."""
    results = scope(Result.objects.all(), actor)
    if is_feedback_staff(actor):
        pass
    elif (membership := _own_membership(actor)) is not None:
        # A subquery, not a join: the progress below must count every recommendation of the result.
        theirs = RecommendationContributor.objects.filter(membership=membership).values("recommendation__result_id")
        results = results.filter(pk__in=theirs)
    else:
        return Result.objects.none()
    return _with_progress(results).order_by("title", "pk")


def results_with_progress(actor: User) -> list[tuple[Result, int | None]]:
    """Each result the actor may see with its progress (None when it groups no recommendations): one query."""
    return [(result, result_progress(result)) for result in results_visible_to(actor)]


def result_get_for_actor(actor: User, result_id: int) -> Result:
    return get_object_or_404(results_visible_to(actor), pk=result_id)


def _weighted_mean(total: int, weight: int) -> int:
    """total / weight rounded to the nearest whole number, halves up."""
    return (2 * total + weight) // (2 * weight)


def result_progress(result: Result) -> int | None:
    """The weighted mean of its recommendations' response progress (no response counts 0); None when empty.
    Uses the annotations of results_visible_to when present, else one query."""
    weight = getattr(result, "weight_total", None)
    total = getattr(result, "weighted_progress_total", None)
    if weight is None or total is None:
        sums = Recommendation.objects.filter(result_id=result.pk).aggregate(
            weight_sum=Sum("weight"),
            progress_sum=Sum(F("weight") * Coalesce(F("response__progress"), Value(0))),
        )
        weight, total = sums["weight_sum"], sums["progress_sum"]
    if not weight:
        return None
    return _weighted_mean(int(total), int(weight))


def notifications_for(actor: User) -> QuerySet[Notification]:
    """The actor's own notifications in the partnership they act in, newest first (none when acting in none)."""
    if actor.membership is None:
        return Notification.objects.none()
    return Notification.objects.filter(
        membership=actor.membership, partnership_id=actor.membership.partnership_id
    ).order_by("-created_at", "-pk")


def unread_notification_count(actor: User) -> int:
    return notifications_for(actor).filter(read_at__isnull=True).count()


def feedback_settings_for(partnership: Partnership) -> FeedbackSettings:
    """The partnership's feedback settings (unsaved defaults when it has none yet)."""
    found = FeedbackSettings.objects.filter(partnership=partnership).first()
    return found if found is not None else FeedbackSettings(partnership=partnership)


def public_recommendations(partnership: Partnership) -> QuerySet[Recommendation]:
    """Only recommendations marked public, of a partnership that publishes its page; no personal data.

    Loaded with the engagement and response only: the page must not show contributors, the owner's name or email,
    or timeline texts."""
    if not FeedbackSettings.objects.filter(partnership=partnership, public_page=True).exists():
        return Recommendation.objects.none()
    return (
        Recommendation.objects.filter(partnership=partnership, is_public=True)
        .select_related("engagement", "response")
        .order_by("-created_at", "-pk")
    )


def overdue_responses(actor: User, today: datetime.date | None = None) -> QuerySet[RecommendationResponse]:
    """Responses of the actor's partnership past their due date and not done or not going ahead, the longest
    overdue first. Staff who may see recommendations only; anyone else gets none."""
    if not is_feedback_staff(actor):
        return RecommendationResponse.objects.none()
    day = today or timezone.localdate()
    return (
        scope(RecommendationResponse.objects.all(), actor)
        .filter(overdue_q(day))
        .select_related("recommendation__engagement")
        .order_by("due_on", "pk")
    )


def recommendation_engagement_get_for_actor(actor: User, engagement_id: int) -> Engagement:
    """The engagement a recommendation is being recorded from (404 for another partnership's or a missing one)."""
    if not actor.has_perm(CHANGE_RECOMMENDATION):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied("You do not have permission to record recommendations.")
    return get_object_or_404(scope(Engagement.objects.select_related("partnership"), actor), pk=engagement_id)


def recommendation_candidates(engagement: Engagement) -> list[Membership]:
    """The young people who may be named as making a recommendation from this engagement: those confirmed for it
    and those whose attendance was marked. Sorted by name, users loaded."""
    return contributors_allowed(engagement)
