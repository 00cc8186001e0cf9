"""can_take_part: yes, or no with every reason; consent withdrawal changes the answer at once."""

import datetime

import pytest
from django.utils import timezone

from participants.models import Membership, Role, YoungPersonProfile
from safeguarding.models import Consent, ConsentType, RiskAssessment
from safeguarding.services.eligibility import can_take_part
from tests.factories.safeguarding import ConsentFactory, EngagementFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db


def young(member, years: int):
    person = member(Role.YOUNG_PERSON)
    today = timezone.localdate()
    YoungPersonProfile.objects.create(
        membership=person.membership,
        partnership=person.partnership,
        date_of_birth=today - datetime.timedelta(days=years * 365 + 60),
    )
    return person.membership


def consent(membership, consent_type, **extra):
    return ConsentFactory(membership=membership, consent_type=consent_type, given_at=timezone.now(), **extra)


@pytest.fixture
def engagement(partnership):
    engagement = EngagementFactory(partnership=partnership)
    RiskAssessmentFactory(engagement=engagement, status=RiskAssessment.Status.APPROVED)
    return engagement


def test_a_17_year_old_with_consents_and_an_approved_assessment_can_take_part(member, engagement):
    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    decision = can_take_part(membership, engagement)
    assert decision.allowed, decision.reasons
    assert decision.reasons == []


def test_withdrawing_consent_changes_the_answer_at_once(member, engagement):
    from django.db import transaction

    from core.workflows import transition

    membership = young(member, 17)
    taking_part = consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    assert can_take_part(membership, engagement).allowed
    with transaction.atomic():
        taking_part.withdrawn_at = timezone.now()
        transition(taking_part, to=Consent.Status.WITHDRAWN, actor=None, extra_update_fields=["withdrawn_at"])
    decision = can_take_part(membership, engagement)
    assert not decision.allowed
    assert any("take part" in reason.lower() for reason in decision.reasons)


def test_every_reason_is_given(member, partnership):
    membership = young(member, 14)
    engagement = EngagementFactory(partnership=partnership, is_filmed=True)
    decision = can_take_part(membership, engagement)
    assert not decision.allowed
    text = " ".join(decision.reasons).lower()
    assert "parent or carer" in text
    assert "media" in text
    assert "risk assessment" in text
    assert len(decision.reasons) >= 4


def test_a_suspended_young_person_cannot_take_part(member, engagement):
    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    Membership.objects.filter(pk=membership.pk).update(status=Membership.Status.SUSPENDED)
    membership.refresh_from_db()
    assert "not an active young scrutineer" in " ".join(can_take_part(membership, engagement).reasons)


def test_an_assessment_waiting_for_approval_is_not_enough(member, partnership):
    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    engagement = EngagementFactory(partnership=partnership)
    RiskAssessmentFactory(engagement=engagement, status=RiskAssessment.Status.SUBMITTED)
    assert can_take_part(membership, engagement).reasons == [
        "The risk assessment for this engagement is not approved yet."
    ]


def eligible_young(member):
    """A 17-year-old with consent to take part and to emergency medical treatment: `.user` of the membership."""
    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    from core.tenancy import act_in

    user = membership.user
    act_in(user, membership.partnership)
    return user


def ready_engagement(partnership, places=2):
    engagement = EngagementFactory(partnership=partnership)
    RiskAssessmentFactory(engagement=engagement, status=RiskAssessment.Status.APPROVED, young_people_count=places)
    return engagement


def test_nobody_is_confirmed_for_an_engagement_unless_they_can_take_part(member, partnership):
    from core.exceptions import ApplicationError
    from engagements.services import engagement_add_attendee

    worker = member(Role.PARTICIPATION_WORKER)
    engagement = ready_engagement(partnership)
    not_ready = young(member, 14)
    with pytest.raises(ApplicationError) as refused:
        engagement_add_attendee(actor=worker, engagement_id=engagement.pk, membership_id=not_ready.pk)
    assert "parent or carer" in " ".join(refused.value.extra["reasons"]).lower()
    assert not engagement.attendees.exists()


def test_never_more_young_people_than_the_risk_assessment_covers(member, partnership):
    from core.exceptions import ApplicationError
    from engagements.services import engagement_add_attendee

    worker = member(Role.PARTICIPATION_WORKER)
    engagement = ready_engagement(partnership, places=1)
    engagement_add_attendee(
        actor=worker, engagement_id=engagement.pk, membership_id=eligible_young(member).membership.pk
    )
    with pytest.raises(ApplicationError) as refused:
        engagement_add_attendee(
            actor=worker, engagement_id=engagement.pk, membership_id=eligible_young(member).membership.pk
        )
    assert refused.value.extra["reason"] == "ratio"
    assert engagement.attendees.count() == 1


def test_an_under_16s_own_media_and_medical_consent_is_not_enough(member, partnership):
    membership = young(member, 14)
    consent(membership, ConsentType.TAKING_PART)
    consent(
        membership, ConsentType.PARENT_CARER, relationship="Mother", given_by_name="Jo Parent", method="signed_link"
    )
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    consent(membership, ConsentType.MEDIA)
    engagement = EngagementFactory(partnership=partnership, is_filmed=True)
    RiskAssessmentFactory(engagement=engagement, status=RiskAssessment.Status.APPROVED)
    reasons = can_take_part(membership, engagement).reasons
    assert "Photo and film consent must come from a parent or carer (under 16)" in reasons
    assert "Emergency medical consent must come from a parent or carer (under 16)" in reasons
    consent(
        membership,
        ConsentType.EMERGENCY_MEDICAL,
        relationship="Mother",
        given_by_name="Jo Parent",
        method="signed_link",
    )
    consent(membership, ConsentType.MEDIA, relationship="Mother", given_by_name="Jo Parent", method="signed_link")
    assert can_take_part(membership, engagement).allowed


def test_missing_training_for_the_opportunity_type_is_a_reason(member, partnership):
    from participants.models import TrainingModule

    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    engagement = ready_engagement(partnership)
    TrainingModule.objects.create(
        partnership=partnership,
        title="Section 11 explained",
        duration_minutes=90,
        required_for=[engagement.opportunity_type],
    )
    decision = can_take_part(membership, engagement)
    assert not decision.allowed
    assert any("Section 11 explained" in reason for reason in decision.reasons)


def test_children_below_school_leaving_age_are_held_to_the_working_hours_law(member, partnership):
    import zoneinfo

    from engagements.services import permit_record, school_term_add

    partnership.employs_young_people = True
    partnership.save()
    worker = member(Role.PARTICIPATION_WORKER)
    membership = young(member, 14)
    consent(membership, ConsentType.TAKING_PART)
    for kind in (ConsentType.PARENT_CARER, ConsentType.EMERGENCY_MEDICAL):
        consent(membership, kind, relationship="Father", given_by_name="Ola Parent", method="signed_link")
    london = zoneinfo.ZoneInfo("Europe/London")
    wednesday = timezone.localdate() + datetime.timedelta(days=(2 - timezone.localdate().weekday()) % 7 + 7)
    school_term_add(
        actor=worker,
        name="This term",
        starts_on=wednesday - datetime.timedelta(days=30),
        ends_on=wednesday + datetime.timedelta(days=30),
    )
    starts = datetime.datetime.combine(wednesday, datetime.time(16, 30), tzinfo=london)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3)
    )
    RiskAssessmentFactory(engagement=engagement, status=RiskAssessment.Status.APPROVED)

    reasons = can_take_part(membership, engagement).reasons
    assert "No child employment permit is recorded for them." in reasons
    assert "3 hours on a school day: the most at 14 is 2 hours." in reasons

    permit_record(
        actor=worker,
        membership_id=membership.pk,
        reference="NS-2026-114",
        issued_by="North Shire Council",
        issued_on=timezone.localdate(),
    )
    engagement.ends_at = starts + datetime.timedelta(hours=2)
    engagement.save()
    assert can_take_part(membership, engagement).allowed, can_take_part(membership, engagement).reasons


def test_a_partnership_that_does_not_employ_has_no_working_hours_rules(member, partnership):
    membership = young(member, 17)
    consent(membership, ConsentType.TAKING_PART)
    consent(membership, ConsentType.EMERGENCY_MEDICAL)
    engagement = ready_engagement(partnership)
    engagement.ends_at = engagement.starts_at + datetime.timedelta(hours=6)
    engagement.save()
    assert partnership.employs_young_people is False
    assert can_take_part(membership, engagement).allowed
