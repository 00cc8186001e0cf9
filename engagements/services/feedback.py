"""The feedback loop's writes: recommendations, results, responses, their timeline and evidence, ratings, and the
young person's and partnership's feedback settings.

SKELETON: signatures agreed with the pages, API, import and notifications; filled in by the services work.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import IO, Any

from engagements.models import (
    FeedbackPreference,
    FeedbackSettings,
    Recommendation,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    Result,
    TimelineEntry,
)
from participants.models import User

# Fields of a response a change may name (response_update), and those whose change the young people are told of.
RESPONSE_FIELDS = (
    "owner_agency",
    "owner_name",
    "owner_email",
    "decision",
    "decision_reason",
    "status",
    "status_reason",
    "progress",
    "due_on",
)
NOTIFIED_FIELDS = ("decision", "status", "progress", "due_on")


def recommendation_create(
    *,
    actor: User,
    engagement_id: int,
    text: str,
    theme: str,
    agency: str,
    section_11_standard: str = "",
    contributors: Sequence[tuple[int, bool]] = (),
    result_id: int | None = None,
    weight: int = 1,
    is_public: bool = False,
) -> Recommendation:
    """contributors: (membership_id, is_anonymous) pairs."""
    raise NotImplementedError


def recommendation_update(*, actor: User, recommendation_id: int, **fields: Any) -> Recommendation:
    """fields: any of text, theme, agency, section_11_standard, contributors, result_id, weight, is_public."""
    raise NotImplementedError


def result_create(*, actor: User, title: str, description: str = "") -> Result:
    raise NotImplementedError


def result_update(*, actor: User, result_id: int, title: str, description: str = "") -> Result:
    raise NotImplementedError


def response_record(
    *,
    actor: User,
    recommendation_id: int,
    owner_agency: str,
    owner_name: str,
    owner_email: str = "",
    decision: str = RecommendationResponse.Decision.PENDING,
    decision_reason: str = "",
    due_on: datetime.date | None = None,
    happened_on: datetime.date | None = None,
) -> RecommendationResponse:
    """The partnership's first response to a recommendation; adds a RESPONSE timeline entry (which notifies)."""
    raise NotImplementedError


def response_update(
    *,
    actor: User,
    response_id: int,
    changes: dict[str, Any],
    happened_on: datetime.date | None = None,
    note: str = "",
) -> RecommendationResponse:
    """Change any of RESPONSE_FIELDS. A change of NOTIFIED_FIELDS adds one CHANGE timeline entry (with `note`
    added to its plain-words text) which notifies the young people once. Status moves go through transition()."""
    raise NotImplementedError


def timeline_entry_add(
    *, actor: User, response_id: int, text: str, happened_on: datetime.date | None = None
) -> TimelineEntry:
    """An UPDATE entry written by the scrutiny lead; notifies the young people once."""
    raise NotImplementedError


def evidence_add(
    *, actor: User, response_id: int, title: str, link: str = "", file: IO[bytes] | None = None
) -> ResponseEvidence:
    """A link (https) or a file (PDF, PNG or JPG by its content); adds an EVIDENCE timeline entry."""
    raise NotImplementedError


def evidence_remove(*, actor: User, evidence_id: int) -> None:
    raise NotImplementedError


def response_rate(*, actor: User, response_id: int, score: int, comment: str = "") -> ResponseRating:
    """A contributor's rating (1-5 and a comment); a second rating replaces the first. Tells the owner and the
    scrutiny lead."""
    raise NotImplementedError


def feedback_preference_update(*, actor: User, email: str, after_leaving: bool) -> FeedbackPreference:
    raise NotImplementedError


def feedback_settings_update(*, actor: User, public_page: bool, public_intro: str = "") -> FeedbackSettings:
    raise NotImplementedError


def notifications_mark_read(*, actor: User, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); returns how many."""
    raise NotImplementedError
