"""Permission predicates for engagements (django-rules). The matrix is in docs/permissions.md.

Object checks also require the record to belong to the partnership the person acts in (in_own_partnership).
"""

from __future__ import annotations

from typing import Any

import rules

from participants.models import User
from participants.rules import (
    in_own_partnership,
    is_finance_officer,
    is_own_membership,
    is_participation_worker,
    is_partnership_admin,
    is_safeguarding_lead,
    is_scrutiny_lead,
    is_staff_member,
    is_young_person,
)


@rules.predicate
def is_staff_lead_of(user: User, engagement: Any) -> bool:
    """The named staff lead of this engagement (who marks attendance on the day)."""
    return engagement is not None and user.is_authenticated and engagement.staff_lead_id == user.pk


@rules.predicate
def is_own_record(user: User, record: Any) -> bool:
    """A record about the person themself (their own work log)."""
    return record is not None and is_own_membership(user, getattr(record, "membership", None))


@rules.predicate
def is_contributor(user: User, output: Any) -> bool:
    """A young person who made this output."""
    if output is None or user.membership is None:
        return False
    return bool(output.contributors.filter(pk=user.membership.pk).exists())


is_organiser = is_participation_worker | is_partnership_admin

# Opportunities and engagements
rules.add_perm("engagements.view_engagement", is_staff_member & in_own_partnership)
rules.add_perm("engagements.change_engagement", is_organiser & in_own_partnership)
rules.add_perm("engagements.change_opportunitytypesetting", is_organiser & in_own_partnership)
rules.add_perm("engagements.view_opportunity", is_young_person & in_own_partnership)
# Selection: young people express interest; participation workers choose who goes
rules.add_perm("engagements.express_interest", is_young_person & in_own_partnership)
rules.add_perm("engagements.select_interest", is_participation_worker & in_own_partnership)
# Attendance: a participation worker, or whoever is the engagement's staff lead
rules.add_perm("engagements.mark_attendance", (is_participation_worker | is_staff_lead_of) & in_own_partnership)
# Work logs: the young person's own; workers approve; finance officers read (they pay them)
rules.add_perm("engagements.add_worklog", is_young_person)
rules.add_perm(
    "engagements.view_worklog",
    ((is_participation_worker | is_finance_officer | is_partnership_admin) & in_own_partnership)
    | (is_young_person & is_own_record),
)
rules.add_perm("engagements.review_worklog", is_participation_worker & in_own_partnership)
# Outputs
rules.add_perm(
    "engagements.view_output",
    ((is_organiser | is_safeguarding_lead | is_scrutiny_lead) & in_own_partnership)
    | (is_young_person & in_own_partnership & is_contributor),
)
rules.add_perm("engagements.change_output", is_organiser & in_own_partnership)
# The facts the children's working-hours rules need
rules.add_perm("engagements.change_schoolterm", is_organiser & in_own_partnership)
rules.add_perm("engagements.record_permit", is_participation_worker & in_own_partnership)


# --- The feedback loop: recommendations, responses, the impact feed and reports ---------------------------------


@rules.predicate
def made_recommendation(user: User, record: Any) -> bool:
    """A young person who made this recommendation (or the recommendation this response answers)."""
    if record is None or user.membership is None:
        return False
    recommendation = getattr(record, "recommendation", record)
    return bool(recommendation.contributions.filter(membership_id=user.membership.pk).exists())


is_feedback_staff = is_participation_worker | is_scrutiny_lead | is_partnership_admin

rules.add_perm(
    "engagements.view_recommendation",
    (is_feedback_staff & in_own_partnership) | (is_young_person & in_own_partnership & made_recommendation),
)
# Participation workers write down what young people recommended in the sessions they run; scrutiny leads too.
rules.add_perm("engagements.change_recommendation", (is_participation_worker | is_scrutiny_lead) & in_own_partnership)
# The partnership's response, its timeline, evidence, results and the spreadsheet import: the scrutiny lead.
rules.add_perm("engagements.change_response", is_scrutiny_lead & in_own_partnership)
rules.add_perm("engagements.import_responses", is_scrutiny_lead)
rules.add_perm("engagements.rate_response", is_young_person & in_own_partnership & made_recommendation)
rules.add_perm("engagements.view_impact_feed", is_young_person)
rules.add_perm("engagements.view_reports", is_participation_worker | is_scrutiny_lead | is_partnership_admin)
rules.add_perm("engagements.view_annual_report", is_young_person | is_staff_member)
rules.add_perm("engagements.change_feedbacksettings", (is_scrutiny_lead | is_partnership_admin) & in_own_partnership)
