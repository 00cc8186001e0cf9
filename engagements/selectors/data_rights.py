"""What engagements hold about a young person, for their own download (participants.selectors.data_rights):
expressions of interest, attendance, work logs with expenses, outputs and recommendations they contributed to,
their ratings of responses, notifications, feedback settings and child employment permits.

Called only after the caller has decided the reader may have this person's data. A fixed number of queries.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch

from engagements.models import (
    Attendance,
    CalendarFeed,
    ChildEmploymentPermit,
    Expense,
    FeedbackPreference,
    Interest,
    Notification,
    Output,
    RecommendationContributor,
    ResponseRating,
    WorkLog,
)
from participants.models import Membership


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def engagements_data_for_membership(membership: Membership) -> dict[str, Any]:
    mine = {"partnership_id": membership.partnership_id, "membership": membership}
    interests = Interest.objects.filter(**mine).select_related("engagement").order_by("created_at", "pk")
    attendance = Attendance.objects.filter(**mine).select_related("engagement").order_by("recorded_at", "pk")
    work_logs = (
        WorkLog.objects.filter(**mine)
        .select_related("engagement")
        .prefetch_related(Prefetch("expenses", queryset=Expense.objects.order_by("pk")))
        .order_by("created_at", "pk")
    )
    outputs = (
        Output.objects.filter(partnership_id=membership.partnership_id, contributors=membership)
        .select_related("engagement")
        .order_by("created_at", "pk")
    )
    contributions = (
        RecommendationContributor.objects.filter(**mine)
        .select_related("recommendation__engagement", "recommendation__response")
        .order_by("recommendation__created_at", "pk")
    )
    ratings = ResponseRating.objects.filter(**mine).select_related("response__recommendation").order_by("pk")
    notifications = Notification.objects.filter(**mine).order_by("created_at", "pk")
    preference = FeedbackPreference.objects.filter(**mine).first()
    permits = ChildEmploymentPermit.objects.filter(**mine).order_by("issued_on", "pk")
    return {
        "interests": [
            {
                "engagement": i.engagement.title,
                "starts_at": _iso(i.engagement.starts_at),
                "status": i.get_status_display(),
                "your_note": i.note,
                "reason": i.reason,
                "at": _iso(i.created_at),
            }
            for i in interests
        ],
        "attendance": [
            {
                "engagement": a.engagement.title,
                "starts_at": _iso(a.engagement.starts_at),
                "status": a.get_status_display(),
                "note": a.note,
            }
            for a in attendance
        ],
        "work_logs": [
            {
                "engagement": w.engagement.title,
                "status": w.get_status_display(),
                "preparation_minutes": w.preparation_minutes,
                "session_minutes": w.session_minutes,
                "travel_minutes": w.travel_minutes,
                "approved_preparation_minutes": w.approved_preparation_minutes,
                "approved_session_minutes": w.approved_session_minutes,
                "approved_travel_minutes": w.approved_travel_minutes,
                "your_note": w.note,
                "decision_reason": w.decision_reason,
                "submitted_at": _iso(w.submitted_at),
                "decided_at": _iso(w.decided_at),
                "expenses": [
                    {
                        "kind": e.get_kind_display(),
                        "description": e.description,
                        "amount": str(e.amount),
                        "approved_amount": str(e.approved_amount) if e.approved_amount is not None else None,
                        "has_receipt": bool(e.receipt),
                    }
                    for e in w.expenses.all()
                ],
            }
            for w in work_logs
        ],
        "outputs": [
            {"title": o.title, "kind": o.get_kind_display(), "engagement": o.engagement.title, "link": o.link}
            for o in outputs
        ],
        "recommendations": [
            {
                "recommendation": c.recommendation.text,
                "engagement": c.recommendation.engagement.title,
                "agency": c.recommendation.agency,
                "you_are_named": not c.is_anonymous,
                "response_status": _response_status(c),
            }
            for c in contributions
        ],
        "ratings_you_gave": [
            {
                "recommendation": r.response.recommendation.text,
                "score": r.score,
                "comment": r.comment,
                "at": _iso(r.updated_at),
            }
            for r in ratings
        ],
        "notifications": [
            {"text": n.text, "at": _iso(n.created_at), "read_at": _iso(n.read_at)} for n in notifications
        ],
        "feedback_settings": (
            {"email": preference.get_email_display(), "news_after_leaving": preference.after_leaving}
            if preference
            else None
        ),
        "has_calendar_link": CalendarFeed.objects.filter(**mine).exists(),
        "child_employment_permits": [
            {
                "reference": p.reference,
                "issued_by": p.issued_by,
                "issued_on": _iso(p.issued_on),
                "expires_on": _iso(p.expires_on),
            }
            for p in permits
        ],
    }


def _response_status(contribution: RecommendationContributor) -> str | None:
    response = getattr(contribution.recommendation, "response", None)
    return response.get_status_display() if response is not None else None
