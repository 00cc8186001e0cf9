"""The download: everything held about the person, in one versioned document, without what is exempt."""

import json

import pytest
from django.core.exceptions import PermissionDenied

from participants.models import Role
from participants.selectors.data_rights import FORMAT, VERSION, person_data_for_self
from tests.participants.data_rights.conftest import CONCERN_WORDS, RESTRICTED_NOTE, make_person

pytestmark = pytest.mark.django_db


def test_the_download_holds_something_from_every_app(person):
    data = person_data_for_self(person.user)
    assert data["format"] == FORMAT and data["version"] == VERSION
    assert data["about_you"]["email"] == person.user.email
    assert data["about_you"]["profile"]["health_information"] == "Asthma: inhaler"
    assert data["application"]["status"] == "Accepted"
    assert data["onboarding"][0]["item"] == "Your own consent"
    assert data["training"]["completed"][0]["module"] == "Safeguarding basics"
    assert data["support_sessions"][0]["what_you_agreed"] == "Meet again in a fortnight"
    assert data["support_sessions"][0]["things_to_do"][0]["what"] == "Book the next 1:1"
    assert len(data["consents"]) == 1
    assert data["interests"][0]["engagement"] == "Section 11 panel: police"
    assert len(data["attendance"]) == 1
    assert len(data["work_logs"]) == 2
    assert data["claims"][0]["total"] == "28.50"
    assert data["claims"][0]["payouts"][0]["amount"] == "28.50"
    assert data["payee_accounts"][0]["account_number"] == "******78"  # masked, never in full
    assert len(data["recommendations"]) == 1
    assert data["library_credits"][0]["name_shown"] == "Maya S"
    assert data["ratings_you_gave"][0]["comment"] == "Too slow"
    assert data["notifications"][0]["text"] == "News for you"
    assert data["wellbeing_check_ins"][0]["comment"] == "Tired"
    assert data["feedback_settings"] is not None


def test_the_download_never_holds_concerns_or_restricted_notes(person):
    text = json.dumps(person_data_for_self(person.user))
    assert RESTRICTED_NOTE not in text
    assert CONCERN_WORDS not in text
    assert "12345678" not in text
    assert "concern" in text.lower()  # ... but says that concerns are not included, and why


def test_the_download_holds_nothing_of_another_young_person(person, partnership):
    other = make_person(partnership)
    text = json.dumps(person_data_for_self(person.user))
    assert other.user.email not in text
    assert other.user.full_name not in text


def test_only_a_young_person_downloads_their_own(member):
    with pytest.raises(PermissionDenied):
        person_data_for_self(member(Role.PARTICIPATION_WORKER))


def test_the_download_takes_a_fixed_number_of_queries(person, partnership, django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        person_data_for_self(person.user)


def test_the_number_of_queries_does_not_grow_with_the_records(person, partnership):
    """No query per record: the same count for one of everything as for four of everything."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from participants.models import SupportSession
    from tests.factories.engagements import ExpenseFactory, InterestFactory
    from tests.factories.feedback import RecommendationContributorFactory
    from tests.factories.library import ExampleCreditFactory
    from tests.factories.payments import ClaimFactory, PayoutFactory
    from tests.factories.safeguarding import ConsentFactory, EngagementFactory

    def count():
        with CaptureQueriesContext(connection) as queries:
            person_data_for_self(person.user)
        return len(queries)

    before = count()
    m = person.membership
    for _ in range(3):
        SupportSession.objects.create(
            partnership=partnership, membership=m, kind="debrief", staff=person.worker, held_on=timezone.localdate()
        )
        ConsentFactory(membership=m)
        InterestFactory(engagement=EngagementFactory(partnership=partnership), membership=m)
        claim = ClaimFactory(membership=m)
        PayoutFactory(claim=claim)
        ExpenseFactory(work_log=claim.work_log)
        RecommendationContributorFactory(membership=m, recommendation__engagement__partnership=partnership)
        ExampleCreditFactory(example__partnership=partnership, membership=m)
    assert count() == before
