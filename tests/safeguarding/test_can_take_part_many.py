"""can_take_part_many: the same answer as can_take_part for every person, in a fixed number of queries.

The people below cover every way someone can be refused: not of the partnership, not an active young person, each
kind of consent missing, refused, withdrawn, expired or to be asked again, an under-16 without a parent's consent,
a competence (Gillick) judgement that stands in or does not, training missing, expired or not yet done, and the
children's working-hours rules (under 13, no permit, an expired permit, too many hours on a school day) in a
partnership that employs its young people; and the engagement's risk assessment not approved.
"""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import ChildEmploymentPermit, Engagement, OpportunityType, SchoolTerm
from participants.models import Membership, Partnership, Role, TrainingModule, TrainingRecord, YoungPersonProfile
from safeguarding.models import CompetenceAssessment, Consent, ConsentType, RiskAssessment, SafeguardingPolicy
from safeguarding.services.eligibility import can_take_part, can_take_part_many
from tests.factories import MembershipFactory
from tests.factories.safeguarding import ConsentFactory, EngagementFactory, RiskAssessmentFactory

pytestmark = pytest.mark.django_db

PARENT = {"relationship": "Mother", "given_by_name": "Jo Parent"}
TYPE = OpportunityType.SECTION_11_PANEL


def _next_wednesday(weeks_ahead: int = 2) -> datetime.date:
    today = timezone.localdate()
    return today + datetime.timedelta(days=(2 - today.weekday()) % 7 + 7 * weeks_ahead)


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


class World:
    """A partnership that employs its young people, its school term, training modules and engagements, and the
    people to decide about. `expect[pk]` holds a phrase each person's reasons must contain ("" for none)."""

    def __init__(self, partnership: Partnership, other: Partnership) -> None:
        self.partnership, self.other = partnership, other
        Partnership.objects.filter(pk=partnership.pk).update(employs_young_people=True)
        partnership.refresh_from_db()
        SafeguardingPolicy.objects.update_or_create(
            partnership=partnership, defaults={"allow_competence_for_parent_consent": True}
        )
        SafeguardingPolicy.objects.update_or_create(
            partnership=other, defaults={"allow_competence_for_parent_consent": False}
        )
        self.day = _next_wednesday()
        SchoolTerm.objects.create(
            partnership=partnership,
            name="This term",
            starts_on=self.day - datetime.timedelta(days=30),
            ends_on=self.day + datetime.timedelta(days=30),
        )
        self.today = timezone.localdate()
        self.worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
        self.module = self._module(partnership, "Safeguarding basics", [TYPE])
        self._module(partnership, "Media training", [OpportunityType.SECTION_11_PANEL, "other"], validity=12)
        self._module(partnership, "Not needed here", ["something_else"])
        self._module(partnership, "Retired module", [TYPE], active=False)
        self._module(other, "Their own module", [TYPE])
        self.engagement = self._engagement(is_filmed=False, is_online=False, approved=True)
        self.filmed_online = self._engagement(is_filmed=True, is_online=True, approved=False)
        self.people: list[Membership] = []
        self.expect: dict[int, str] = {}

    def _module(
        self, partnership: Partnership, title: str, required: list[str], *, validity: int | None = None, active=True
    ) -> TrainingModule:
        return TrainingModule.objects.create(
            partnership=partnership,
            title=title,
            duration_minutes=60,
            validity_months=validity,
            required_for=required,
            is_active=active,
        )

    def _engagement(self, *, is_filmed: bool, is_online: bool, approved: bool) -> Engagement:
        engagement = EngagementFactory(
            partnership=self.partnership,
            opportunity_type=TYPE,
            starts_at=_at(self.day, 16),
            ends_at=_at(self.day, 18),
            is_filmed=is_filmed,
            is_online=is_online,
            online_link="https://meet.example/x" if is_online else "",
        )
        status = RiskAssessment.Status.APPROVED if approved else RiskAssessment.Status.SUBMITTED
        RiskAssessmentFactory(engagement=engagement, status=status, young_people_count=20)
        return engagement

    # --- building one person ---------------------------------------------------------------------------------

    def person(
        self,
        expect: str,
        *,
        years: int | None = 17,
        consents: tuple[str, ...] = (ConsentType.TAKING_PART, ConsentType.EMERGENCY_MEDICAL, ConsentType.MEDIA),
        by_parent: bool = False,
        trained: bool = True,
        permit: bool = True,
        partnership: Partnership | None = None,
        roles: tuple[str, ...] = (Role.YOUNG_PERSON,),
        **membership: object,
    ) -> Membership:
        where = partnership or self.partnership
        person = MembershipFactory(partnership=where, roles=roles, **membership)
        if years is not None:
            YoungPersonProfile.objects.create(
                membership=person,
                partnership=where,
                date_of_birth=self.today - datetime.timedelta(days=years * 365 + 60),
            )
        for kind in consents:
            self.consent(person, kind, **(PARENT if by_parent else {}))
        if trained:
            for module in TrainingModule.objects.filter(partnership=where, is_active=True):
                self.record(person, module, completed=self.today - datetime.timedelta(days=10))
        if permit:
            ChildEmploymentPermit.objects.create(
                partnership=where,
                membership=person,
                reference="P-1",
                issued_by="The council",
                issued_on=self.today - datetime.timedelta(days=100),
            )
        self.people.append(person)
        self.expect[person.pk] = expect
        return person

    def consent(self, person: Membership, kind: str, *, days_ago: int = 1, **extra: object) -> Consent:
        return ConsentFactory(
            membership=person,
            consent_type=kind,
            given_at=timezone.now() - datetime.timedelta(days=days_ago),
            **extra,
        )

    def record(
        self,
        person: Membership,
        module: TrainingModule,
        *,
        completed: datetime.date,
        expires: datetime.date | None = None,
    ) -> TrainingRecord:
        return TrainingRecord.objects.create(
            partnership=module.partnership,
            membership=person,
            module=module,
            completed_on=completed,
            expires_on=expires,
            signed_off_by=self.worker,
        )

    def judge(self, person: Membership, *, competent: bool, review_on: datetime.date | None = None) -> None:
        CompetenceAssessment.objects.create(
            partnership=person.partnership,
            membership=person,
            assessed_by=self.worker,
            is_competent=competent,
            reasoning="Understands what taking part involves.",
            review_on=review_on,
        )


def build(partnership: Partnership, other: Partnership) -> World:
    w = World(partnership, other)
    own = (ConsentType.TAKING_PART, ConsentType.EMERGENCY_MEDICAL, ConsentType.MEDIA)
    past = w.today - datetime.timedelta(days=1)

    w.person("")  # a 17-year-old with everything: may take part
    w.person("No date of birth recorded", years=None, consents=())
    w.person("No consent to take part", consents=(ConsentType.EMERGENCY_MEDICAL,))
    w.person("Emergency medical consent needed", consents=(ConsentType.TAKING_PART,))
    expired = w.person("Consent to take part has expired", consents=own[1:])
    w.consent(expired, ConsentType.TAKING_PART, days_ago=400, expires_on=past)
    refused = w.person("They said no to taking part", consents=own[1:])
    w.consent(refused, ConsentType.TAKING_PART, status=Consent.Status.REFUSED)
    withdrawn = w.person("Consent to take part was withdrawn", consents=own[1:])
    w.consent(withdrawn, ConsentType.TAKING_PART, status=Consent.Status.WITHDRAWN, withdrawn_at=timezone.now())
    renew = w.person("given before they turned 18", years=18, consents=own[1:])
    w.consent(renew, ConsentType.TAKING_PART, days_ago=200)
    adult = w.person("stopped counting when they turned 18", years=19, consents=own[1:])
    w.consent(adult, ConsentType.TAKING_PART, days_ago=30, **PARENT)

    # Under 16 (and so below school leaving age: the working-hours rules apply).
    w.person("Needs a parent or carer's consent (under 16)", years=15)
    with_parent = w.person("", years=15, by_parent=True)
    w.consent(with_parent, ConsentType.PARENT_CARER, **PARENT)
    own_medical = w.person("Emergency medical consent must come from a parent or carer", years=15)
    w.consent(own_medical, ConsentType.PARENT_CARER, **PARENT)
    gillick = w.person("", years=15)
    w.judge(gillick, competent=True, review_on=w.day + datetime.timedelta(days=30))
    stale_gillick = w.person("Needs a parent or carer's consent (under 16)", years=15)
    w.judge(stale_gillick, competent=True, review_on=w.today - datetime.timedelta(days=1))
    not_competent = w.person("Needs a parent or carer's consent (under 16)", years=15)
    w.judge(not_competent, competent=False)
    parent_refused = w.person("their parent or carer said no", years=15, by_parent=True)
    w.consent(parent_refused, ConsentType.PARENT_CARER, status=Consent.Status.REFUSED, **PARENT)

    # Training.
    w.person("Safeguarding basics: not done", trained=False)
    lapsed = w.person("Safeguarding basics: expired on", trained=False)
    w.record(
        lapsed, w.module, completed=w.today - datetime.timedelta(days=400), expires=w.day - datetime.timedelta(days=1)
    )
    later = w.person("Safeguarding basics: not done", trained=False)
    w.record(later, w.module, completed=w.day + datetime.timedelta(days=1))
    renewed = w.person("Media training: not done", trained=False)  # an expired record and a current one
    w.record(renewed, w.module, completed=w.today - datetime.timedelta(days=400), expires=w.today)
    w.record(renewed, w.module, completed=w.today - datetime.timedelta(days=3))

    # Children's working hours.
    w.person("No child employment permit", years=15, by_parent=True, permit=False)
    w.consent(w.people[-1], ConsentType.PARENT_CARER, **PARENT)
    old_permit = w.person("No child employment permit", years=15, by_parent=True, permit=False)
    w.consent(old_permit, ConsentType.PARENT_CARER, **PARENT)
    ChildEmploymentPermit.objects.create(
        partnership=w.partnership,
        membership=old_permit,
        reference="P-0",
        issued_by="The council",
        issued_on=w.today - datetime.timedelta(days=400),
        expires_on=w.day - datetime.timedelta(days=1),
    )
    w.person("Nobody under 13", years=12, by_parent=True)
    w.consent(w.people[-1], ConsentType.PARENT_CARER, **PARENT)
    busy = w.person("on a school day", years=14, by_parent=True)
    w.consent(busy, ConsentType.PARENT_CARER, **PARENT)
    morning = EngagementFactory(partnership=w.partnership, starts_at=_at(w.day, 9), ends_at=_at(w.day, 10))
    morning.attendees.add(busy)
    cancelled = EngagementFactory(
        partnership=w.partnership,
        starts_at=_at(w.day, 12),
        ends_at=_at(w.day, 14),
        status=Engagement.Status.CANCELLED,
    )
    cancelled.attendees.add(w.people[0])  # a cancelled place counts for nobody
    w.engagement.attendees.add(w.people[0])  # nor does a place on the engagement itself

    # Who they are.
    w.person("not an active young scrutineer", status=Membership.Status.SUSPENDED)
    w.person("not an active young scrutineer", roles=(Role.PARTICIPATION_WORKER,), years=None, consents=())
    stranger = w.person("not part of this partnership", partnership=other)
    w.judge(stranger, competent=True)  # their partnership does not let a judgement stand in: no difference here
    young_stranger = w.person("Needs a parent or carer's consent (under 16)", years=15, partnership=other)
    w.judge(young_stranger, competent=True)  # ... and here it is refused, where the engagement's partnership allows it
    return w


def test_the_batch_gives_each_person_exactly_the_single_answer(partnership, other_partnership):
    w = build(partnership, other_partnership)
    for engagement in (w.engagement, w.filmed_online):
        for on in (None, w.day + datetime.timedelta(days=40)):
            many = can_take_part_many(w.people, engagement, on=on)
            assert set(many) == {p.pk for p in w.people}
            for person in w.people:
                fresh = Membership.objects.get(pk=person.pk)  # nothing carried over from the batch's instances
                assert many[person.pk] == can_take_part(fresh, engagement, on=on), person


def test_each_person_is_refused_for_the_reason_they_were_built_with(partnership, other_partnership):
    """The set above really covers every reason (so the equality is not between two empty answers)."""
    w = build(partnership, other_partnership)
    many = can_take_part_many(w.people, w.engagement)
    for person in w.people:
        decision, expected = many[person.pk], w.expect[person.pk]
        if expected:
            assert not decision.allowed
            assert any(expected in reason for reason in decision.reasons), (expected, decision.reasons)
        else:
            assert decision.allowed, decision.reasons
    filmed = can_take_part_many(w.people, w.filmed_online)
    assert all("risk assessment for this engagement is not approved" in " ".join(d.reasons) for d in filmed.values())
    assert not any("Emergency medical" in reason for reason in filmed[w.people[3].pk].reasons)  # online


def test_an_empty_list_costs_nothing(partnership, django_assert_num_queries):
    engagement = EngagementFactory(partnership=partnership)
    with django_assert_num_queries(0):
        assert can_take_part_many([], engagement) == {}


def test_the_batch_costs_the_same_for_n_and_2n_people(partnership, other_partnership):
    w = build(partnership, other_partnership)
    half = w.people[: len(w.people) // 2]
    for engagement in (w.engagement, w.filmed_online):
        with CaptureQueriesContext(connection) as few:
            can_take_part_many(half, engagement)
        with CaptureQueriesContext(connection) as many:
            can_take_part_many(w.people, engagement)
        assert len(few) == len(many) <= 10, [q["sql"] for q in many]


def test_the_working_hours_batch_reads_the_profiles_itself_or_takes_the_dates_of_birth(partnership, other_partnership):
    from engagements.services import working_hours_gaps, working_hours_gaps_many
    from safeguarding.services.consent import consent_facts

    w = build(partnership, other_partnership)
    births = {pk: facts.date_of_birth for pk, facts in consent_facts(w.people).items()}
    own = working_hours_gaps_many(w.people, w.engagement)
    assert own == working_hours_gaps_many(w.people, w.engagement, dates_of_birth=births)
    assert own == {p.pk: working_hours_gaps(p, w.engagement) for p in w.people}
    assert sum(1 for gaps in own.values() if gaps) >= 4  # no permit, an expired one, under 13, a busy school day
