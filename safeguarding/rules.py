"""Permission predicates for safeguarding. Concerns need more than a role: the safeguarding lead must have
passed their second factor in this very browser session (core.mfa sets `second_factor_this_session`)."""

from __future__ import annotations

from typing import Any

import rules

from participants.models import User
from participants.rules import (
    in_own_partnership,
    is_participation_worker,
    is_partnership_admin,
    is_safeguarding_lead,
    is_staff_member,
    is_young_person,
)


@rules.predicate
def second_factor_this_session(user: User) -> bool:
    return bool(user.is_authenticated and getattr(user, "second_factor_this_session", False))


@rules.predicate
def is_reporter(user: User, concern: Any) -> bool:
    return concern is not None and concern.raised_by_id == user.pk


is_worker_or_lead = is_participation_worker | is_safeguarding_lead
is_concern_reader = is_safeguarding_lead & second_factor_this_session

# Consent
rules.add_perm("safeguarding.view_consent", (is_worker_or_lead | is_partnership_admin) & in_own_partnership)
rules.add_perm("safeguarding.change_consent", is_worker_or_lead & in_own_partnership)
rules.add_perm("safeguarding.give_own_consent", is_young_person)
rules.add_perm("safeguarding.change_policy", (is_safeguarding_lead | is_partnership_admin) & in_own_partnership)
# Checks on adults
rules.add_perm("safeguarding.view_staffcheck", (is_safeguarding_lead | is_partnership_admin) & in_own_partnership)
rules.add_perm("safeguarding.change_staffcheck", (is_safeguarding_lead | is_partnership_admin) & in_own_partnership)
# Risk assessments
rules.add_perm("safeguarding.view_riskassessment", (is_worker_or_lead | is_partnership_admin) & in_own_partnership)
rules.add_perm("safeguarding.change_riskassessment", is_worker_or_lead & in_own_partnership)
rules.add_perm("safeguarding.approve_riskassessment", is_safeguarding_lead & in_own_partnership)
rules.add_perm("safeguarding.change_risktemplate", (is_safeguarding_lead | is_partnership_admin) & in_own_partnership)
# Concerns
rules.add_perm("safeguarding.raise_concern", is_staff_member)
rules.add_perm("safeguarding.view_concern", is_concern_reader & in_own_partnership)
rules.add_perm("safeguarding.view_own_report", is_staff_member & in_own_partnership & is_reporter)
rules.add_perm("safeguarding.change_concern", is_concern_reader & in_own_partnership)
rules.add_perm("safeguarding.view_care_details", is_worker_or_lead & in_own_partnership)
# Wellbeing
rules.add_perm("safeguarding.check_in", is_young_person)
rules.add_perm("safeguarding.view_followup", is_worker_or_lead & in_own_partnership)
rules.add_perm("safeguarding.change_followup", is_worker_or_lead & in_own_partnership)
