"""The attendance page: one block per confirmed young person, one Save, who is not marked yet; query count."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Attendance
from participants.models import Role
from tests.engagements.test_work_logs import confirmed_engagement, mark

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def url(engagement):
    return f"/staff/engagements/{engagement.pk}/attendance/"


def test_each_young_person_has_radios_and_a_note_and_one_save_marks_those_chosen(worker, member, login):
    people = [member(Role.YOUNG_PERSON, user__full_name=name).membership for name in ("Ali Khan", "Bea Lund", "Cy Moe")]
    engagement = confirmed_engagement(*people)
    client = login(worker)

    page = client.get(url(engagement)).content.decode()
    assert page.count('class="govuk-radios__input"') == 12
    assert "Not marked yet: 3 of 3" in page
    for label in ("Present", "Late", "Left early", "Absent"):
        assert label in page

    response = client.post(
        url(engagement),
        {
            f"status_{people[0].pk}": "present",
            f"status_{people[1].pk}": "left_early",
            f"note_{people[1].pk}": "Left at 5pm",
        },
    )

    assert response.status_code == 302
    assert dict(Attendance.objects.values_list("membership_id", "status")) == {
        people[0].pk: "present",
        people[1].pk: "left_early",
    }
    page = client.get(url(engagement)).content.decode()
    assert "Not marked yet: 1 of 3" in page and "Cy Moe" in page


def test_a_note_without_a_mark_is_an_error_on_that_persons_radios(worker, member, login):
    person = member(Role.YOUNG_PERSON).membership
    engagement = confirmed_engagement(person)
    response = login(worker).post(url(engagement), {f"note_{person.pk}": "Arrived at 4"})
    assert f'href="#id_status_{person.pk}"' in response.content.decode()
    assert not Attendance.objects.exists()


def test_before_an_hour_before_the_start_the_page_says_when_and_nothing_is_saved(worker, member, login):
    person = member(Role.YOUNG_PERSON).membership
    engagement = confirmed_engagement(person, starts_at=timezone.now() + datetime.timedelta(days=2))
    client = login(worker)
    page = client.get(url(engagement)).content.decode()
    assert "You can mark attendance from" in page and "Save attendance" not in page
    response = client.post(url(engagement), {f"status_{person.pk}": "present"})
    assert "from an hour before the start" in response.content.decode()
    assert not Attendance.objects.exists()


def test_the_staff_lead_uses_it_and_others_may_not(member, login, other_partnership):
    lead = member(Role.SAFEGUARDING_LEAD)
    person = member(Role.YOUNG_PERSON)
    engagement = confirmed_engagement(person.membership, staff_lead=lead)
    assert login(lead).get(url(engagement)).status_code == 200
    assert login(member(Role.SAFEGUARDING_LEAD)).get(url(engagement)).status_code == 403
    assert login(member(Role.FINANCE_OFFICER)).get(url(engagement)).status_code == 403
    assert login(person).get(url(engagement)).status_code == 403
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    assert login(stranger).get(url(engagement)).status_code == 404
    assert login(stranger).post(url(engagement), {f"status_{person.membership.pk}": "absent"}).status_code == 404
    assert not Attendance.objects.exists()


def test_the_query_count_does_not_grow_with_people(worker, member, login):
    client = login(worker)
    few = [member(Role.YOUNG_PERSON).membership]
    many = [member(Role.YOUNG_PERSON).membership for _ in range(15)]
    small = confirmed_engagement(*few)
    large = confirmed_engagement(*many)
    for person in many[:8]:
        mark(large, person, "late")

    def count(engagement):
        client.get(url(engagement))
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url(engagement)).status_code == 200
        return len(queries)

    assert count(large) == count(small)


def words(response):
    return " ".join(response.content.decode().split())


def test_each_note_shows_its_hint_and_the_box_points_at_it(worker, member, login):
    person = member(Role.YOUNG_PERSON).membership
    engagement = confirmed_engagement(person)
    page = words(login(worker).get(url(engagement)))
    hint_id = f"id_note_{person.pk}-hint"
    assert f'<div id="{hint_id}" class="govuk-hint">For example, &#x27;Left at 5pm for a bus&#x27;.</div>' in page
    assert f'aria-describedby="{hint_id}"' in page


def test_times_read_like_5_10pm(worker, member, login):
    person = member(Role.YOUNG_PERSON).membership
    # 5:10pm in London on a winter day (GMT), well in the future: marking is not open yet.
    starts = datetime.datetime(timezone.now().year + 1, 1, 14, 17, 10, tzinfo=datetime.UTC)
    engagement = confirmed_engagement(person, starts_at=starts)
    page = words(login(worker).get(url(engagement)))
    assert ", 5:10pm</span>" in page
    assert "You can mark attendance from 4:10pm on" in page
    assert "p.m." not in page
