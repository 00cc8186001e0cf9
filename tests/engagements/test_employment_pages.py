import datetime

import pytest

from engagements.models import ChildEmploymentPermit, SchoolTerm
from participants.models import Role

pytestmark = pytest.mark.django_db


def test_a_worker_adds_a_term_and_overlaps_are_refused_naming_the_field(member, login):
    client = login(member(Role.PARTICIPATION_WORKER))
    client.post("/staff/school-terms/", {"name": "Autumn 2026", "starts_on": "2026-09-02", "ends_on": "2026-12-18"})
    assert SchoolTerm.objects.count() == 1
    response = client.post("/staff/school-terms/", {"name": "Bad", "starts_on": "2026-12-01", "ends_on": "2027-01-10"})
    assert "These dates overlap Autumn 2026." in response.content.decode()
    assert SchoolTerm.objects.count() == 1


def test_a_worker_records_a_permit_and_a_future_issue_date_is_refused(member, login):
    worker = member(Role.PARTICIPATION_WORKER)
    young = member(Role.YOUNG_PERSON)
    client = login(worker)
    future = (datetime.date.today() + datetime.timedelta(days=10)).isoformat()  # noqa: DTZ011
    fields = {"membership_id": young.membership.pk, "reference": "NS-1", "issued_by": "North Shire Council"}
    response = client.post("/staff/child-employment-permits/", {**fields, "issued_on": future})
    assert "cannot be in the future" in response.content.decode()
    client.post("/staff/child-employment-permits/", {**fields, "issued_on": "2026-01-05"})
    assert ChildEmploymentPermit.objects.get().membership == young.membership


def test_finance_officers_cannot_use_these_pages(member, login):
    client = login(member(Role.FINANCE_OFFICER))
    assert client.get("/staff/school-terms/").status_code == 403
    assert client.get("/staff/child-employment-permits/").status_code == 403


def test_another_partnerships_young_person_cannot_be_given_a_permit(member, login, other_partnership):
    from django.http import Http404

    from engagements.services import permit_record

    worker = member(Role.PARTICIPATION_WORKER)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        permit_record(
            actor=worker,
            membership_id=stranger.membership.pk,
            reference="X",
            issued_by="Y",
            issued_on=datetime.date(2026, 1, 5),
        )
