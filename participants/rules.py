"""Permission predicates for people and partnerships (django-rules). The matrix is in docs/permissions.md.

Object checks also require the object to belong to the partnership the person acts in; a person acting in no
partnership holds no roles, so every predicate here is False for them (deny by default).
"""

from __future__ import annotations

from typing import Any

import rules

from participants.models import Membership, Role, User


def _has_role(role: str) -> Any:
    @rules.predicate(name=f"is_{role}")
    def predicate(user: User) -> bool:
        return bool(user.is_authenticated and role in user.roles)

    return predicate


is_young_person = _has_role(Role.YOUNG_PERSON)
is_participation_worker = _has_role(Role.PARTICIPATION_WORKER)
is_safeguarding_lead = _has_role(Role.SAFEGUARDING_LEAD)
is_finance_officer = _has_role(Role.FINANCE_OFFICER)
is_scrutiny_lead = _has_role(Role.SCRUTINY_LEAD)
is_partnership_admin = _has_role(Role.PARTNERSHIP_ADMIN)
is_staff_member = (
    is_participation_worker | is_safeguarding_lead | is_finance_officer | is_scrutiny_lead | is_partnership_admin
)
is_member = is_young_person | is_staff_member


@rules.predicate
def in_own_partnership(user: User, obj: Any) -> bool:
    """No object (a list or a create): True, lists are scoped by selectors. An object: same partnership."""
    if obj is None:
        return True
    if not user.is_authenticated or user.membership is None:
        return False
    partnership_id = obj.pk if obj.__class__.__name__ == "Partnership" else obj.partnership_id
    return bool(partnership_id == user.membership.partnership_id)


@rules.predicate
def is_not_self(user: User, membership: Membership | None) -> bool:
    return membership is None or membership.user_id != user.pk


rules.add_perm("participants.view_partnership", is_member & in_own_partnership)
rules.add_perm("participants.change_partnership", is_partnership_admin & in_own_partnership)
rules.add_perm("participants.view_membership", is_staff_member & in_own_partnership)
rules.add_perm("participants.view_staff_contacts", is_member & in_own_partnership)
rules.add_perm("participants.suspend_membership", is_partnership_admin & in_own_partnership & is_not_self)
rules.add_perm("participants.view_staff_home", is_staff_member)
rules.add_perm("participants.view_young_person_home", is_young_person)

# --- Recruitment and onboarding -------------------------------------------------------------------------------
is_recruiter = is_participation_worker | is_partnership_admin

rules.add_perm("participants.view_recruitmentround", is_recruiter & in_own_partnership)
rules.add_perm("participants.change_recruitmentround", is_recruiter & in_own_partnership)
rules.add_perm("participants.view_application", is_recruiter & in_own_partnership)
rules.add_perm("participants.change_application", is_recruiter & in_own_partnership)
rules.add_perm("participants.score_application", is_recruiter & in_own_partnership)
rules.add_perm("participants.view_equality_report", is_recruiter)
rules.add_perm("participants.change_emailtemplate", is_recruiter & in_own_partnership)
rules.add_perm("participants.refer_friend", is_young_person)
rules.add_perm("participants.view_onboarding", is_recruiter & in_own_partnership)
rules.add_perm("participants.change_onboarding", is_recruiter & in_own_partnership)

# --- Training, support and the portfolio ---------------------------------------------------------------------------


@rules.predicate
def is_own_membership(user: User, membership: Any) -> bool:
    """The record is about the person themself (their own portfolio, their own support sessions)."""
    return membership is not None and user.membership is not None and membership.pk == user.membership.pk


is_carer = is_participation_worker | is_safeguarding_lead

rules.add_perm("participants.change_trainingmodule", is_recruiter & in_own_partnership)
rules.add_perm("participants.view_training_matrix", (is_recruiter | is_safeguarding_lead) & in_own_partnership)
rules.add_perm("participants.change_trainingrecord", is_participation_worker & in_own_partnership)
rules.add_perm("participants.book_training", is_young_person)
rules.add_perm("participants.view_supportsession", is_carer & in_own_partnership)
rules.add_perm("participants.change_supportsession", is_carer & in_own_partnership)
rules.add_perm(
    "participants.view_portfolio",
    ((is_recruiter | is_safeguarding_lead) & in_own_partnership) | (is_young_person & is_own_membership),
)
rules.add_perm("participants.change_skill", is_recruiter & in_own_partnership)
rules.add_perm("participants.claim_skill", is_young_person)
rules.add_perm("participants.confirm_skill", is_participation_worker & in_own_partnership)
rules.add_perm("participants.request_reference", is_young_person)
rules.add_perm("participants.sign_off_reference", is_participation_worker & in_own_partnership)

# --- The young person's data rights (participants.models.data_rights) ------------------------------------------
# A young person downloads their own information and asks for it to be deleted or sent in full; participation
# workers and partnership admins handle the requests; only a partnership admin carries out an erasure.
rules.add_perm("participants.download_own_data", is_young_person)
rules.add_perm("participants.make_datarequest", is_young_person)
rules.add_perm("participants.view_datarequest", is_recruiter & in_own_partnership)
rules.add_perm("participants.change_datarequest", is_recruiter & in_own_partnership)
rules.add_perm("participants.erase_person", is_partnership_admin & in_own_partnership)
