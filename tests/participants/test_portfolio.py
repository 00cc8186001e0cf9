"""The portfolio's selector and services: confirmed records only, skill claims, reference letters."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Attendance, OpportunityType
from participants.models import ReferenceLetter, Role, SkillClaim, TrainingModule, TrainingRecord
from participants.reference_letters import reference_letter_pdf
from participants.selectors.portfolio import format_hours, portfolio_for
from participants.services.portfolio import (
    reference_request,
    reference_sign_off,
    skill_claim_confirm,
    skill_claim_create,
    skill_claim_not_confirm,
    skill_create,
    skill_set_active,
)
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db


def attended(membership, *, hours=2.0, kind=OpportunityType.SECTION_11_PANEL, days_ago=7, title=None):
    starts = timezone.now() - datetime.timedelta(days=days_ago)
    engagement = EngagementFactory(
        partnership=membership.partnership,
        opportunity_type=kind,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        **({"title": title} if title else {}),
    )
    engagement.attendees.add(membership)
    # Hours count for engagements the person was marked as attending (not only confirmed for).
    Attendance.objects.create(
        partnership=membership.partnership, engagement=engagement, membership=membership, status="present"
    )
    return engagement


def trained(membership, signer, *, title="Safeguarding basics", completed_on=None):
    module, _ = TrainingModule.objects.get_or_create(
        partnership=membership.partnership, title=title, defaults={"duration_minutes": 90}
    )
    return TrainingRecord.objects.create(
        partnership=membership.partnership,
        membership=membership,
        module=module,
        completed_on=completed_on or datetime.date(2026, 3, 14),
        signed_off_by=signer,
    )


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def skill(worker):
    return skill_create(actor=worker, name="Chairing a meeting")


# --- The portfolio -------------------------------------------------------------------------------------------------


def test_hours_are_summed_by_kind_of_work_from_attended_engagements_only(young, worker):
    me = young.membership
    attended(me, hours=2)
    attended(me, hours=1.5, days_ago=3)
    attended(me, hours=3, kind=OpportunityType.FOCUS_GROUP)
    future = EngagementFactory(partnership=me.partnership)  # not happened yet
    future.attendees.add(me)
    EngagementFactory(partnership=me.partnership, starts_at=timezone.now() - datetime.timedelta(days=2))  # not there

    portfolio = portfolio_for(young, me.pk)

    assert [(row.label, row.hours, row.engagements) for row in portfolio.hours_by_kind] == [
        ("Section 11 challenge panel", "3.5 hours", 2),
        ("Focus group", "3 hours", 1),
    ]
    assert portfolio.total_hours == "6.5 hours"
    assert len(portfolio.engagements) == 3


def test_roles_training_and_only_confirmed_skills_count(young, worker, skill):
    me = young.membership
    trained(me, worker)
    other = skill_create(actor=worker, name="Questioning senior leaders")
    waiting = skill_create(actor=worker, name="Working with others")
    confirmed = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired the panel.")
    refused = skill_claim_create(actor=young, skill_id=other.pk, example="I asked the director a question.")
    skill_claim_create(actor=young, skill_id=waiting.pk, example="Group work.")
    skill_claim_confirm(actor=worker, claim_id=confirmed.pk)
    skill_claim_not_confirm(actor=worker, claim_id=refused.pk, reason="Not seen yet")

    portfolio = portfolio_for(young, me.pk)

    assert [s.name for s in portfolio.skills] == ["Chairing a meeting"]
    assert len(portfolio.skill_claims) == 3
    assert [(t.module_title, t.completed_on) for t in portfolio.training] == [
        ("Safeguarding basics", datetime.date(2026, 3, 14))
    ]
    assert [(r.label, r.since) for r in portfolio.roles] == [
        ("Young scrutineer", timezone.localtime(me.created_at).date())
    ]


def test_query_count_does_not_grow_with_the_data(young, worker):
    me = young.membership

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            portfolio_for(young, me.pk)
        return len(queries)

    attended(me)
    trained(me, worker)
    small = count()
    for n in range(15):
        attended(me, days_ago=n + 10, kind=OpportunityType.DEEP_DIVE)
        trained(me, worker, title=f"Module {n}")
        claim = skill_claim_create(
            actor=young, skill_id=skill_create(actor=worker, name=f"Skill {n}").pk, example="Example"
        )
        skill_claim_confirm(actor=worker, claim_id=claim.pk)
    assert count() == small


def test_other_partnerships_person_is_a_404(worker, member, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        portfolio_for(worker, stranger.membership.pk)


def test_finance_officer_and_another_young_person_may_not_see_a_portfolio(member, young):
    with pytest.raises(PermissionDenied):
        portfolio_for(member(Role.FINANCE_OFFICER), young.membership.pk)
    with pytest.raises(PermissionDenied):
        portfolio_for(member(Role.YOUNG_PERSON), young.membership.pk)


def test_safeguarding_lead_and_admin_may_see_a_portfolio(member, young):
    for role in (Role.SAFEGUARDING_LEAD, Role.PARTNERSHIP_ADMIN):
        assert portfolio_for(member(role), young.membership.pk).membership == young.membership


def test_format_hours():
    assert (format_hours(60), format_hours(90), format_hours(0), format_hours(125)) == (
        "1 hour",
        "1.5 hours",
        "0 hours",
        "2 hours",
    )


# --- Skills --------------------------------------------------------------------------------------------------------


def test_only_workers_and_admins_keep_the_skill_list(member, young):
    with pytest.raises(PermissionDenied):
        skill_create(actor=young, name="Chairing")
    with pytest.raises(PermissionDenied):
        skill_create(actor=member(Role.SAFEGUARDING_LEAD), name="Chairing")
    skill = skill_create(actor=member(Role.PARTNERSHIP_ADMIN), name="Chairing")
    assert AuditEvent.objects.filter(event_type="skill.created", subject_id=str(skill.pk)).exists()


def test_a_duplicate_skill_name_is_refused(worker, skill):
    with pytest.raises(ApplicationError) as error:
        skill_create(actor=worker, name="chairing a meeting")
    assert error.value.extra["field"] == "name"


def test_a_skill_off_the_list_cannot_be_claimed(young, worker, skill):
    skill_set_active(actor=worker, skill_id=skill.pk, is_active=False)
    with pytest.raises(ApplicationError):
        skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    assert not SkillClaim.objects.exists()


def test_another_partnerships_skill_cannot_be_claimed(young, member, other_partnership):
    theirs = skill_create(actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), name="Theirs")
    with pytest.raises(ApplicationError):
        skill_claim_create(actor=young, skill_id=theirs.pk, example="x")


def test_a_skill_is_claimed_once_with_an_example(young, skill):
    with pytest.raises(Exception):  # noqa: B017 - ValidationError for the empty example
        skill_claim_create(actor=young, skill_id=skill.pk, example="   ")
    skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    with pytest.raises(ApplicationError):
        skill_claim_create(actor=young, skill_id=skill.pk, example="Again.")
    assert SkillClaim.objects.count() == 1


def test_only_a_participation_worker_confirms_and_moves_follow_the_map(young, worker, member, skill):
    claim = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    for someone in (young, member(Role.SAFEGUARDING_LEAD), member(Role.FINANCE_OFFICER)):
        with pytest.raises(PermissionDenied):
            skill_claim_confirm(actor=someone, claim_id=claim.pk)
    skill_claim_not_confirm(actor=worker, claim_id=claim.pk)
    skill_claim_confirm(actor=worker, claim_id=claim.pk)  # not confirmed -> confirmed is allowed
    claim.refresh_from_db()
    assert (claim.status, claim.confirmed_by) == (SkillClaim.Status.CONFIRMED, worker)
    with pytest.raises(ApplicationError):
        skill_claim_not_confirm(actor=worker, claim_id=claim.pk)
    assert AuditEvent.objects.filter(event_type="skillclaim.status_changed").count() == 2


def test_a_worker_of_another_partnership_gets_a_404(young, member, other_partnership, skill):
    claim = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    with pytest.raises(Http404):
        skill_claim_confirm(
            actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership), claim_id=claim.pk
        )


# --- Reference letters ---------------------------------------------------------------------------------------------


def test_no_confirmed_work_gives_a_clear_message_and_saves_nothing(young, worker, skill):
    claim = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    skill_claim_confirm(actor=worker, claim_id=claim.pk)  # a skill alone is not work
    future = EngagementFactory(partnership=young.membership.partnership)
    future.attendees.add(young.membership)

    with pytest.raises(ApplicationError) as error:
        reference_request(actor=young, addressed_to="Admissions tutor, Northtown College")

    assert "no confirmed work" in error.value.message
    assert "an engagement you attended" in error.value.message
    assert "a training module you completed" in error.value.message
    assert not ReferenceLetter.objects.exists()
    assert not AuditEvent.objects.filter(event_type="referenceletter.requested").exists()


def test_the_letter_is_written_from_confirmed_records_only(young, worker, skill):
    me = young.membership
    attended(me, hours=2.5, title="Section 11 panel with the police")
    trained(me, worker, title="What scrutiny is")
    waiting = skill_create(actor=worker, name="Questioning senior leaders")
    claim = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    skill_claim_confirm(actor=worker, claim_id=claim.pk)
    skill_claim_create(actor=young, skill_id=waiting.pk, example="Not yet checked.")

    letter = reference_request(actor=young, addressed_to="Admissions tutor, Northtown College")

    assert letter.status == ReferenceLetter.Status.DRAFT
    assert letter.addressed_to == "Admissions tutor, Northtown College"
    assert "2.5 hours" in letter.body
    assert "Section 11 panel with the police" in letter.body
    assert "What scrutiny is" in letter.body
    assert "Chairing a meeting" in letter.body
    assert "Questioning senior leaders" not in letter.body
    assert "young scrutineer" in letter.body


def test_only_young_people_request_letters(worker):
    with pytest.raises(PermissionDenied):
        reference_request(actor=worker, addressed_to="x")


def test_sign_off_freezes_the_letter(young, worker, member):
    me = young.membership
    attended(me, hours=2)
    letter = reference_request(actor=young, addressed_to="Admissions tutor, Northtown College")
    with pytest.raises(PermissionDenied):
        reference_sign_off(actor=member(Role.SAFEGUARDING_LEAD), reference_id=letter.pk)
    with pytest.raises(PermissionDenied):
        reference_sign_off(actor=young, reference_id=letter.pk)

    reference_sign_off(actor=worker, reference_id=letter.pk)
    signed_body = ReferenceLetter.objects.get().body
    attended(me, hours=5, kind=OpportunityType.DEEP_DIVE)  # more work later does not change the letter

    with pytest.raises(ApplicationError):
        reference_sign_off(actor=worker, reference_id=letter.pk)
    letter.refresh_from_db()
    assert (letter.status, letter.signed_off_by, letter.body) == (
        ReferenceLetter.Status.SIGNED_OFF,
        worker,
        signed_body,
    )
    assert "2 hours" in letter.body and "7 hours" not in letter.body
    assert AuditEvent.objects.filter(event_type="referenceletter.status_changed", subject_id=str(letter.pk)).exists()


def test_the_pdf_is_a_pdf_with_the_confirmed_hours(young, worker):
    attended(young.membership, hours=3.5)
    letter = reference_request(actor=young, addressed_to="Admissions tutor, Northtown College")
    with pytest.raises(ValueError):
        reference_letter_pdf(letter)
    letter = reference_sign_off(actor=worker, reference_id=letter.pk)

    pdf = reference_letter_pdf(letter)

    assert pdf.startswith(b"%PDF")
    assert b"3.5 hours" in pdf
    assert b"Admissions tutor, Northtown College" in pdf
    assert worker.full_name.encode() in pdf
