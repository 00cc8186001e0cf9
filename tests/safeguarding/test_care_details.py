"""Care details: the young person's own, and the staff lead's view of the attendees around the engagement date."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import OnboardingItem, Role, YoungPersonProfile
from participants.services.onboarding import onboarding_create_for
from safeguarding.selectors.care import care_details_for_engagement
from safeguarding.services.wellbeing import care_details_update
from tests.factories import MembershipFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

HEALTH = "Epilepsy: rescue medication in the front pocket of my bag."


def profile_for(user, **details):
    return YoungPersonProfile.objects.create(
        partnership=user.membership.partnership,
        membership=user.membership,
        date_of_birth=datetime.date(2009, 5, 1),
        **details,
    )


DETAILS = {
    "access_needs": "Step-free access",
    "health_information": HEALTH,
    "emergency_contact_name": "Pat Carer",
    "emergency_contact_relationship": "Foster carer",
    "emergency_contact_phone": "07700 900982",
}


@pytest.fixture
def young(member):
    person = member(Role.YOUNG_PERSON, user__full_name="Yasmin Young")
    profile_for(person, **DETAILS)
    return person


@pytest.fixture
def staff_lead(member):
    from tests.factories.safeguarding import StaffCheckFactory

    lead = member(Role.PARTICIPATION_WORKER)
    StaffCheckFactory(
        membership=lead.membership, issued_on=datetime.date(2025, 1, 1), renewal_due_on=datetime.date(2028, 1, 1)
    )
    return lead


@pytest.fixture
def engagement(partnership, young, staff_lead):
    starts = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), staff_lead=staff_lead
    )
    engagement.attendees.add(young.membership)
    return engagement


# --- The young person's own ---------------------------------------------------------------------------------------


def test_a_young_person_updates_their_own_details_encrypted_at_rest(member):
    person = member(Role.YOUNG_PERSON)
    profile = profile_for(person)
    care_details_update(actor=person, **DETAILS)
    profile.refresh_from_db()
    assert profile.health_information == HEALTH
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT access_needs, health_information, emergency_contact_name, emergency_contact_phone "
            "FROM participants_youngpersonprofile WHERE id = %s",
            [profile.pk],
        )
        raw = " ".join(cursor.fetchone())
    for value in ("Step-free", "Epilepsy", "Pat Carer", "07700"):
        assert value not in raw
    event = AuditEvent.objects.get(event_type="youngpersonprofile.care_details_updated")
    assert "Epilepsy" not in str(event.payload) and "health_information" in event.payload["fields"]


def test_an_emergency_contact_ticks_the_onboarding_item(member):
    person = member(Role.YOUNG_PERSON)
    profile_for(person)
    onboarding_create_for(membership=person.membership, under_16=False)
    care_details_update(actor=person, **DETAILS)
    item = OnboardingItem.objects.get(membership=person.membership, key="safeguarding.emergency_contact")
    assert item.status == OnboardingItem.Status.DONE


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"emergency_contact_phone": "call me"}, "emergency_contact_phone"),
        ({"emergency_contact_phone": ""}, "emergency_contact_phone"),
        ({"emergency_contact_name": ""}, "emergency_contact_name"),
    ],
)
def test_bad_details_are_refused_naming_the_field(member, changes, field):
    person = member(Role.YOUNG_PERSON)
    profile_for(person)
    with pytest.raises(ApplicationError) as refused:
        care_details_update(actor=person, **{**DETAILS, **changes})
    assert refused.value.extra["field"] == field


def test_the_details_page_shows_and_saves_your_own(young, login):
    client = login(young)
    response = client.get("/me/details/")
    assert "Step-free access" in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    client.post("/me/details/", {**DETAILS, "access_needs": "Breaks every hour"})
    assert YoungPersonProfile.objects.get(membership=young.membership).access_needs == "Breaks every hour"
    body = client.post("/me/details/", {**DETAILS, "emergency_contact_phone": "nope"}).content.decode()
    assert "There is a problem" in body and "Enter a phone number" in body


def test_staff_have_no_own_details_page(staff_lead, login):
    assert login(staff_lead).get("/me/details/").status_code == 403


# --- The staff lead's view ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", [datetime.date(2026, 6, 8), datetime.date(2026, 6, 10), datetime.date(2026, 6, 11)])
def test_the_staff_lead_sees_attendees_details_from_two_days_before_to_a_day_after(staff_lead, engagement, day):
    sheet = care_details_for_engagement(staff_lead, engagement.pk, day)
    assert [person.health_information for person in sheet.people] == [HEALTH]
    assert sheet.people[0].emergency_contact_phone == "07700 900982"


@pytest.mark.parametrize("day", [datetime.date(2026, 6, 7), datetime.date(2026, 6, 12)])
def test_outside_those_days_it_is_404(staff_lead, engagement, day):
    with pytest.raises(Http404):
        care_details_for_engagement(staff_lead, engagement.pk, day)


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD, Role.PARTNERSHIP_ADMIN])
def test_only_the_staff_lead_sees_them(member, engagement, role):
    with pytest.raises(Http404):
        care_details_for_engagement(member(role), engagement.pk, datetime.date(2026, 6, 10))


def test_only_attendees_details_are_shown(member, staff_lead, engagement):
    not_coming = member(Role.YOUNG_PERSON)
    profile_for(not_coming, health_information="Not for this session")
    sheet = care_details_for_engagement(staff_lead, engagement.pk, datetime.date(2026, 6, 10))
    assert [person.name for person in sheet.people] == ["Yasmin Young"]


def test_another_partnerships_engagement_is_404(member, other_partnership, engagement):
    stranger_lead = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    with pytest.raises(Http404):
        care_details_for_engagement(stranger_lead, engagement.pk, datetime.date(2026, 6, 10))


def _move_to(engagement, days_from_today):
    """Put the engagement `days_from_today` days from the real today, at 10am (the pages use the real clock)."""
    day = timezone.localdate() + datetime.timedelta(days=days_from_today)
    engagement.starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10)))
    engagement.ends_at = engagement.starts_at + datetime.timedelta(hours=3)
    engagement.save()


def test_the_page_for_the_staff_lead_records_each_opening(staff_lead, engagement, login):
    _move_to(engagement, 1)
    response = login(staff_lead).get(f"/staff/engagements/{engagement.pk}/care-details/")
    body = response.content.decode()
    assert response.status_code == 200 and HEALTH in body and "Pat Carer" in body
    assert "no-store" in response["Cache-Control"]
    event = AuditEvent.objects.get(event_type="engagement.care_details_viewed")
    assert event.actor == staff_lead and event.payload == {"people": 1}


def test_the_page_is_404_for_anyone_else_or_on_other_days(member, staff_lead, engagement, login):
    url = f"/staff/engagements/{engagement.pk}/care-details/"
    _move_to(engagement, 1)
    assert login(member(Role.SAFEGUARDING_LEAD)).get(url).status_code == 404
    _move_to(engagement, 3)
    assert login(staff_lead).get(url).status_code == 404
    _move_to(engagement, -2)
    assert login(staff_lead).get(url).status_code == 404
    assert not AuditEvent.objects.filter(event_type="engagement.care_details_viewed").exists()


def test_the_page_query_count_does_not_grow_with_attendees(staff_lead, engagement, partnership, login):
    _move_to(engagement, 0)
    client = login(staff_lead)
    url = f"/staff/engagements/{engagement.pk}/care-details/"

    def grow(n):
        for _ in range(n):
            membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
            YoungPersonProfile.objects.create(
                partnership=partnership,
                membership=membership,
                date_of_birth=datetime.date(2008, 1, 1),
                access_needs="x",
            )
            engagement.attendees.add(membership)

    grow(4)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_a_finance_officer_named_as_lead_sees_nothing(member, partnership, young):
    from django.http import Http404

    from tests.factories.safeguarding import StaffCheckFactory

    officer = member(Role.FINANCE_OFFICER)
    StaffCheckFactory(
        membership=officer.membership, issued_on=datetime.date(2025, 1, 1), renewal_due_on=datetime.date(2028, 1, 1)
    )
    starts = datetime.datetime(2026, 6, 10, 10, 0, tzinfo=datetime.UTC)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=3), staff_lead=officer
    )
    engagement.attendees.add(young.membership)
    with pytest.raises(Http404):
        care_details_for_engagement(officer, engagement.pk, datetime.date(2026, 6, 10))
