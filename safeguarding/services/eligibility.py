"""can_take_part: the one place that decides whether a young person may be confirmed for an engagement.

Nothing else decides eligibility: the engagements part calls this before confirming anyone (under its locks, one
person at a time), and `can_take_part_many` gives the same answer for a whole list of candidates at once (the
selection page and its API, and the check of everyone confirmed when an engagement changes) in a fixed number of
queries; `can_take_part` is `can_take_part_many` for one person, so there is one rule. It says yes, or no
with every reason, in plain words a participation worker can act on. Training and the law on children's working
hours: training (participants.selectors.training.training_gaps) and, for partnerships that employ their young
people, the law on children's working hours (engagements.services.working_hours_gaps_many).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import timezone

from engagements.models import Engagement
from participants.models import Membership


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: list[str] = field(default_factory=list)
    # The training gaps among the reasons (participants.selectors.training.training_gaps), for pages that show them
    # on their own.
    training_gaps: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return self.allowed


def can_take_part(membership: Membership, engagement: Engagement, *, on: datetime.date | None = None) -> Decision:
    """Whether this young person may be confirmed for the engagement: yes, or no with every reason. The rule is
    `can_take_part_many`'s, for one person; it reads the records every time, so a withdrawal counts at once."""
    return can_take_part_many([membership], engagement, on=on)[membership.pk]


def can_take_part_many(
    memberships: Iterable[Membership], engagement: Engagement, *, on: datetime.date | None = None
) -> dict[int, Decision]:
    """`can_take_part` for many young people and one engagement, by membership id, in a fixed number of queries
    however many there are: consent (four: profiles, consents, competence judgements, the policy), training (two),
    children's working hours (three, only when the partnership employs its young people: their other places that
    week, school terms, permits) and the risk assessment (one): 7 to 10. Each person's answer is exactly what
    `can_take_part` gives them: it is the same code."""
    from engagements.services import working_hours_gaps_many
    from participants.selectors.training import training_gaps_many
    from safeguarding.selectors.risk import risk_assessment_approved
    from safeguarding.services.consent import consent_facts, consent_gaps_for

    people = {membership.pk: membership for membership in memberships}
    if not people:
        return {}
    day = on or timezone.localtime(engagement.starts_at).date()
    facts = consent_facts(people.values())
    training = training_gaps_many(people.values(), engagement.opportunity_type, on=day)
    births = {pk: facts[pk].date_of_birth for pk in people}  # the profiles consent_facts has just read
    working_hours = working_hours_gaps_many(people.values(), engagement, dates_of_birth=births)
    approved = risk_assessment_approved(engagement)
    decisions: dict[int, Decision] = {}
    for pk, membership in people.items():
        reasons: list[str] = []
        if membership.partnership_id != engagement.partnership_id:
            reasons.append("They are not part of this partnership.")
        if membership.status != Membership.Status.ACTIVE or not membership.is_young_person:
            reasons.append("They are not an active young scrutineer.")
        reasons.extend(consent_gaps_for(facts[pk], day, filmed=engagement.is_filmed, online=engagement.is_online))
        reasons.extend(training[pk])
        reasons.extend(working_hours[pk])
        if not approved:
            reasons.append("The risk assessment for this engagement is not approved yet.")
        decisions[pk] = Decision(allowed=not reasons, reasons=reasons, training_gaps=training[pk])
    return decisions
