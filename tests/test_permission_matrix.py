"""The role matrix in docs/permissions.md is the spec: every cell is checked against the rules."""

from pathlib import Path

import pytest
import rules

from participants.models import Role
from participants.models.people import PRODUCT_APPS

MATRIX = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
COLUMNS = {
    "young person": Role.YOUNG_PERSON,
    "participation worker": Role.PARTICIPATION_WORKER,
    "safeguarding lead": Role.SAFEGUARDING_LEAD,
    "finance officer": Role.FINANCE_OFFICER,
    "scrutiny lead": Role.SCRUTINY_LEAD,
    "partnership admin": Role.PARTNERSHIP_ADMIN,
}


def read_matrix() -> list[tuple[str, str, bool]]:
    section = MATRIX.read_text().split("## The role matrix", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header[0] == "permission" and set(header[1:]) == set(COLUMNS), header
    cells = []
    for line in lines[2:]:
        row = [cell.strip() for cell in line.strip("|").split("|")]
        for column, value in zip(header[1:], row[1:], strict=True):
            assert value in {"yes", "no"}, f"{row[0]} / {column}: {value!r}"
            cells.append((row[0], COLUMNS[column], value == "yes"))
    return cells


CELLS = read_matrix()
# Permissions about what a person may start (raise, check in), not about an existing record.
NO_OBJECT = {
    "safeguarding.raise_concern", "safeguarding.check_in", "safeguarding.give_own_consent",
    "participants.book_training", "participants.claim_skill", "participants.request_reference",
    "engagements.add_worklog", "payments.change_own_paymentsetup", "engagements.import_responses",
    "engagements.view_impact_feed", "engagements.view_reports", "engagements.view_annual_report",
}  # fmt: skip


def test_every_permission_in_the_rules_is_in_the_matrix():
    ours = {name for name in rules.permissions.permissions if name.split(".")[0] in PRODUCT_APPS}
    assert ours == {name for name, _, _ in CELLS}


@pytest.mark.django_db
@pytest.mark.parametrize(("perm", "role", "allowed"), CELLS, ids=[f"{p}-{r}" for p, r, _ in CELLS])
def test_matrix_cell(perm, role, allowed, member, other_partnership):
    actor = member(role)
    actor.second_factor_this_session = True  # the matrix is for a person who passed it (see the concern tests)
    target_own = _target(perm, actor, member)
    assert actor.has_perm(perm, target_own) is allowed

    # The same permission on a record of another partnership is always refused.
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    target_other = _target(perm, stranger, member, other=other_partnership)
    if target_other is not None:
        assert actor.has_perm(perm, target_other) is False


def _target(perm, person, member, other=None):
    """A record of the kind the permission is about, in the person's partnership."""
    if perm in NO_OBJECT:
        return None
    model = perm.split(".")[1].split("_", 1)[1]
    if model == "partnership":
        return person.partnership
    if model == "membership":
        # a membership of someone else, so "not your own account" rules do not interfere
        return member(Role.YOUNG_PERSON, in_partnership=other or person.partnership).membership
    if model in {"portfolio", "supportsession", "trainingrecord", "training_matrix", "trainingmodule", "skill",
                 "reference", "permit", "schoolterm"}:  # fmt: skip
        # About a young person of the partnership (their membership stands for their records).
        return member(Role.YOUNG_PERSON, in_partnership=other or person.partnership).membership
    if model in {"recruitmentround", "application", "emailtemplate", "onboarding"}:
        from tests.factories.recruitment import ApplicationFactory, EmailTemplateFactory, RoundFactory

        where = other or person.partnership
        if model == "recruitmentround":
            return RoundFactory(partnership=where)
        if model == "application":
            return ApplicationFactory(round__partnership=where, partnership=where)
        if model == "emailtemplate":
            return EmailTemplateFactory(partnership=where)
        return member(Role.YOUNG_PERSON, in_partnership=where).membership
    if perm.startswith("safeguarding."):
        return _safeguarding_target(model, person, member, other)
    if perm.startswith("payments."):
        return _payments_target(model, person, member, other)
    if perm.startswith("engagements.") and model not in {"permit", "schoolterm"}:
        return _engagements_target(model, person, member, other)
    if perm.startswith("library."):
        return _library_target(model, person, member, other)
    if model == "auditevent":
        from django.db import transaction

        from core.audit import audit_record

        with transaction.atomic():
            return audit_record(
                actor=None, partnership=person.partnership, subject=person.membership, event_type="test"
            )
    return None


@pytest.mark.django_db
def test_a_person_acting_in_no_partnership_has_no_permission(member):
    admin = member(Role.PARTNERSHIP_ADMIN)
    admin._active_membership = None
    assert not any(admin.has_perm(perm, None) for perm, _, _ in CELLS)


def _safeguarding_target(model, person, member, other):
    from tests.factories.safeguarding import ConcernFactory, ConsentFactory, RiskAssessmentFactory, StaffCheckFactory

    where = other or person.partnership
    young = member(Role.YOUNG_PERSON, in_partnership=where).membership
    if model == "consent":
        return ConsentFactory(membership=young)
    if model == "staffcheck":
        return StaffCheckFactory(membership=young)
    if model in {"riskassessment", "risktemplate"}:
        return RiskAssessmentFactory(engagement__partnership=where) if model == "riskassessment" else None
    if model == "concern":
        return ConcernFactory(membership=young)
    if model == "own_report":
        return ConcernFactory(membership=young, raised_by=person if other is None else young.user)
    if model == "policy":
        return None
    return None


@pytest.mark.django_db
def test_reading_a_concern_needs_the_second_factor_in_this_session(member):
    from tests.factories.safeguarding import ConcernFactory

    lead = member(Role.SAFEGUARDING_LEAD)
    concern = ConcernFactory(membership=member(Role.YOUNG_PERSON).membership)
    assert lead.has_perm("safeguarding.view_concern", concern) is False
    lead.second_factor_this_session = True
    assert lead.has_perm("safeguarding.view_concern", concern) is True


def _engagements_target(model, person, member, other):
    """An engagement record of the partnership, about someone other than the person (their own work log or an
    output they made would change the answer: see the notes in docs/permissions.md)."""
    from tests.factories.engagements import OpportunityTypeSettingFactory, OutputFactory, WorkLogFactory
    from tests.factories.feedback import RecommendationContributorFactory, RecommendationResponseFactory
    from tests.factories.safeguarding import EngagementFactory

    where = other or person.partnership
    if model == "worklog":
        return WorkLogFactory(membership=member(Role.YOUNG_PERSON, in_partnership=where).membership)
    if model == "output":
        return OutputFactory(engagement__partnership=where)
    if model == "opportunitytypesetting":
        return OpportunityTypeSettingFactory(partnership=where)
    if model == "recommendation":
        return RecommendationContributorFactory(recommendation__engagement__partnership=where).recommendation
    if model == "response":
        return RecommendationResponseFactory(recommendation__engagement__partnership=where)
    if model == "feedbacksettings":
        return where
    # engagement, opportunity, interest, attendance: the engagement they are about
    return EngagementFactory(partnership=where)


def _library_target(model, person, member, other):
    """An unpublished example of the partnership (a published one is open to every partnership's staff: see
    tests/library/), or a young person's credit on one that is not the person's own."""
    from tests.factories.library import ExampleCreditFactory, ExampleFactory

    where = other or person.partnership
    if model == "credit":
        return ExampleCreditFactory(example__partnership=where)
    return ExampleFactory(partnership=where)


def _payments_target(model, person, member, other):
    """A payments record of the partnership, about a young person other than the person asking."""
    from tests.factories.payments import ClaimFactory, PayoutFactory

    where = other or person.partnership
    if model == "claim":
        return ClaimFactory(membership=member(Role.YOUNG_PERSON, in_partnership=where).membership)
    if model == "payout":
        return PayoutFactory(claim__membership=member(Role.YOUNG_PERSON, in_partnership=where).membership)
    if model == "nominee":
        return member(Role.YOUNG_PERSON, in_partnership=where).membership
    # payrate, expensespolicy, paymentbatch, payeeaccount, reconciliation: the partnership's own settings
    return where
