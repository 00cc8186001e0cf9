"""can_take_part: the one place that decides whether a young person may be confirmed for an engagement.

Nothing else decides eligibility: the engagements part calls this before confirming anyone. It says yes, or no
with every reason, in plain words a participation worker can act on. Training and the law on children's working
hours: training (participants.selectors.training.training_gaps) and, for partnerships that employ their young
people, the law on children's working hours (engagements.services.working_hours_gaps).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.utils import timezone

from engagements.models import Engagement
from participants.models import Membership


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.allowed


def can_take_part(membership: Membership, engagement: Engagement, *, on: datetime.date | None = None) -> Decision:
    from engagements.services import working_hours_gaps
    from participants.selectors.training import training_gaps
    from safeguarding.selectors.risk import risk_assessment_approved
    from safeguarding.services.consent import consent_gaps

    day = on or timezone.localtime(engagement.starts_at).date()
    reasons: list[str] = []
    if membership.partnership_id != engagement.partnership_id:
        reasons.append("They are not part of this partnership.")
    if membership.status != Membership.Status.ACTIVE or not membership.is_young_person:
        reasons.append("They are not an active young scrutineer.")
    reasons.extend(consent_gaps(membership, day, filmed=engagement.is_filmed, online=engagement.is_online))
    reasons.extend(training_gaps(membership, engagement.opportunity_type, on=day))
    reasons.extend(working_hours_gaps(membership, engagement))
    if not risk_assessment_approved(engagement):
        reasons.append("The risk assessment for this engagement is not approved yet.")
    return Decision(allowed=not reasons, reasons=reasons)
