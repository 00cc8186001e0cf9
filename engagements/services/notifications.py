"""Telling people about the feedback loop: young people about their recommendations, scrutiny leads and owners
about ratings and overdue responses. In the product (Notification rows) and by email, now or in a daily digest.

SKELETON: signatures agreed with the feedback services and the tasks; filled in by the notifications work.
"""

from __future__ import annotations

import datetime

from engagements.models import Notification, RecommendationResponse, ResponseRating, TimelineEntry


def notify_timeline_entry(entry: TimelineEntry) -> list[Notification]:
    """Call inside the transaction that created the entry. One Notification per young person who made the
    recommendation (active members; leavers only if they opted in), emailed after commit or kept for the digest."""
    raise NotImplementedError


def notify_rating(rating: ResponseRating) -> list[Notification]:
    """Call inside the transaction that saved the rating: tells the scrutiny lead(s) in the product and by email,
    and emails the response's owner."""
    raise NotImplementedError


def notification_send_email(notification_id: int) -> bool:
    """Email one notification now, unless it was already emailed, is for the digest, or is not wanted."""
    raise NotImplementedError


def digests_send(now: datetime.datetime | None = None) -> int:
    """One email per person collecting their digest notifications not yet emailed; returns emails sent."""
    raise NotImplementedError


def overdue_escalate(today: datetime.date | None = None) -> list[RecommendationResponse]:
    """List each response newly past its due date to the scrutiny lead(s) (an OVERDUE notification, once)."""
    raise NotImplementedError


def overdue_weekly_summaries_send(today: datetime.date | None = None) -> int:
    """Email each partnership's scrutiny leads one summary of every response past its due date."""
    raise NotImplementedError
