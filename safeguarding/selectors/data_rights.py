"""What safeguarding holds about a young person, for their own download (participants.selectors.data_rights).

Called only after the caller has decided the reader may have this person's data (the person themself). It
returns consents, requests sent to their parent or carer, competence assessments and their own wellbeing
check-ins. It never returns safeguarding concerns or the notes staff wrote on wellbeing follow-ups: those are
exempt from self-service (see docs/data-rights.md) and are given only through a full access request to staff.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Count, Q

from participants.models import Membership
from safeguarding.models import CompetenceAssessment, Concern, Consent, ConsentRequest, WellbeingCheckIn


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def safeguarding_data_for_membership(membership: Membership) -> dict[str, list[dict[str, Any]]]:
    """Four queries, whatever the number of rows."""
    consents = Consent.objects.filter(partnership_id=membership.partnership_id, membership=membership)
    requests = ConsentRequest.objects.filter(partnership_id=membership.partnership_id, membership=membership)
    assessments = CompetenceAssessment.objects.filter(partnership_id=membership.partnership_id, membership=membership)
    checkins = WellbeingCheckIn.objects.filter(
        partnership_id=membership.partnership_id, membership=membership
    ).select_related("engagement")
    return {
        "consents": [
            {
                "type": c.get_consent_type_display(),
                "status": c.get_status_display(),
                "given_by": c.given_by_name,
                "relationship": c.relationship,
                "how": c.get_method_display(),
                "scope": c.scope,
                "given_at": _iso(c.given_at),
                "expires_on": _iso(c.expires_on),
                "withdrawn_at": _iso(c.withdrawn_at),
                "withdrawal_reason": c.withdrawal_reason,
            }
            for c in consents
        ],
        "consent_requests": [
            {
                "type": r.get_consent_type_display(),
                "sent_to": r.parent_name,
                "sent_at": _iso(r.created_at),
                "used_at": _iso(r.used_at),
            }
            for r in requests
        ],
        "competence_assessments": [
            {
                "assessed_on": _iso(a.assessed_on),
                "can_consent_for_yourself": a.is_competent,
                "reasoning": a.reasoning,
                "review_on": _iso(a.review_on),
            }
            for a in assessments
        ],
        "wellbeing_check_ins": [
            {
                "at": _iso(c.created_at),
                "engagement": c.engagement.title if c.engagement else None,
                "score": c.score,
                "wanted_to_talk": c.wants_to_talk,
                "comment": c.comment,
            }
            for c in checkins
        ],
    }


def concerns_held_for_membership(membership: Membership) -> tuple[int, int]:
    """How many concerns are held about this person, and how many of them are on legal hold (counts only; for
    the erasure report that staff read, never shown to the person)."""
    counts = Concern.objects.filter(partnership_id=membership.partnership_id, membership=membership).aggregate(
        total=Count("pk"), on_hold=Count("pk", filter=Q(legal_hold=True))
    )
    return int(counts["total"]), int(counts["on_hold"])


def concerns_for_review_counts(partnership_id: int, today: datetime.date) -> tuple[int, int]:
    """For the retention job: concerns whose review date (the young person's 25th birthday) has come and that
    may now be reviewed, and those past it but on legal hold (kept whatever happens). Counts only."""
    counts = Concern.objects.filter(
        partnership_id=partnership_id, review_due_on__isnull=False, review_due_on__lte=today
    ).aggregate(due=Count("pk", filter=Q(legal_hold=False)), on_hold=Count("pk", filter=Q(legal_hold=True)))
    return int(counts["due"]), int(counts["on_hold"])
