"""Reads for the feedback loop, scoped to the actor's partnership and role.

SKELETON: signatures agreed with the pages and API; filled in by the services work.
"""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from engagements.models import Notification, Recommendation, RecommendationResponse, Result
from participants.models import Partnership, User


def recommendations_visible_to(actor: User) -> QuerySet[Recommendation]:
    """Staff who may see recommendations: the partnership's. A young person: those they made. Else none."""
    raise NotImplementedError


def recommendation_get_for_actor(actor: User, recommendation_id: int) -> Recommendation:
    raise NotImplementedError


def response_get_for_actor(actor: User, response_id: int) -> RecommendationResponse:
    raise NotImplementedError


def impact_feed_for(actor: User) -> QuerySet[Recommendation]:
    """The young person's own recommendations, newest news first, with response, timeline, evidence and their
    own rating prefetched (a constant number of queries for a page)."""
    raise NotImplementedError


def results_visible_to(actor: User) -> QuerySet[Result]:
    raise NotImplementedError


def result_progress(result: Result) -> int | None:
    """The weighted mean of its recommendations' response progress (no response counts 0); None when empty."""
    raise NotImplementedError


def notifications_for(actor: User) -> QuerySet[Notification]:
    raise NotImplementedError


def public_recommendations(partnership: Partnership) -> QuerySet[Recommendation]:
    """Only recommendations marked public, of a partnership that publishes its page; no personal data."""
    raise NotImplementedError


def overdue_responses(actor: User, today: datetime.date | None = None) -> QuerySet[RecommendationResponse]:
    raise NotImplementedError
