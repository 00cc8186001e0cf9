"""Training pages: modules, sessions and attendance, direct completions, the matrix and CSV, /me/training/, PDFs."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Membership, Role, TrainingBooking, TrainingModule, TrainingRecord, TrainingSession, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def module(partnership):
    return TrainingModule.objects.create(
        partnership=partnership, title="Safeguarding basics", duration_minutes=60, validity_months=24
    )


def session_for(module, *, days):
    starts = timezone.now() + datetime.timedelta(days=days)
    return TrainingSession.objects.create(
        partnership=module.partnership, module=module, starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=1), location="Youth centre",
    )  # fmt: skip


def test_a_worker_adds_a_module_and_errors_are_shown_against_the_field(worker, login):
    client = login(worker)
    bad = client.post(
        "/staff/training/modules/new/", {"title": "", "delivery_mode": "in_person", "duration_minutes": "x"}
    )
    body = bad.content.decode()
    assert "There is a problem" in body and "Enter a title" in body
    good = client.post(
        "/staff/training/modules/new/",
        {"title": "Confidentiality", "delivery_mode": "online_live", "duration_minutes": "45",
         "validity_months": "24", "required_for": ["focus_group"], "is_active": "on"},
    )  # fmt: skip
    assert good.status_code == 302
    module = TrainingModule.objects.get(title="Confidentiality")
    assert module.required_for == ["focus_group"] and module.validity_months == 24


def test_a_worker_adds_a_session(worker, login, module):
    response = login(worker).post(
        f"/staff/training/modules/{module.pk}/sessions/new/",
        {"day": "2026-09-01", "starts": "10:00", "ends": "12:00", "location": "Town hall", "places": "10"},
    )
    assert response.status_code == 302
    assert TrainingSession.objects.get(module=module).location == "Town hall"


def test_a_young_person_books_and_sees_their_training(member, login, module, worker):
    person = member(Role.YOUNG_PERSON)
    session = session_for(module, days=4)
    client = login(person)
    assert "Book a place" in client.get("/me/training/").content.decode()
    client.post(f"/me/training/sessions/{session.pk}/book/")
    assert TrainingBooking.objects.get(membership=person.membership).status == "booked"
    TrainingRecord.objects.create(
        partnership=module.partnership, module=module, membership=person.membership,
        completed_on=datetime.date(2025, 1, 2), expires_on=datetime.date(2027, 1, 2), signed_off_by=worker,
    )  # fmt: skip
    body = client.get("/me/training/").content.decode()
    assert "Counts until 2 January 2027" in body and "Certificate (PDF)" in body


def test_a_worker_marks_attendance_for_many_at_once(worker, member, login, module):
    session = session_for(module, days=-1)
    people = [member(Role.YOUNG_PERSON) for _ in range(3)]
    bookings = [
        TrainingBooking.objects.create(partnership=module.partnership, session=session, membership=p.membership)
        for p in people
    ]
    client = login(worker)
    assert people[0].full_name in client.get(f"/staff/training/sessions/{session.pk}/").content.decode()
    response = client.post(
        f"/staff/training/sessions/{session.pk}/",
        {f"booking-{bookings[0].pk}": "attended", f"booking-{bookings[1].pk}": "attended",
         f"booking-{bookings[2].pk}": "absent"},
    )  # fmt: skip
    assert response.status_code == 302
    assert TrainingRecord.objects.filter(session=session).count() == 2


def test_a_future_completion_date_is_shown_against_its_field(worker, member, login, module):
    person = member(Role.YOUNG_PERSON)
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = login(worker).post(
        "/staff/training/records/new/",
        {"membership": person.membership.pk, "module": module.pk, "completed_on": future},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_completed_on"' in body and "today or in the past" in body
    assert not TrainingRecord.objects.exists()


def test_another_partnerships_session_and_module_are_404(worker, login, other_partnership):
    theirs = TrainingModule.objects.create(partnership=other_partnership, title="T", duration_minutes=5)
    session = session_for(theirs, days=-1)
    client = login(worker)
    assert client.get(f"/staff/training/modules/{theirs.pk}/").status_code == 404
    assert client.get(f"/staff/training/sessions/{session.pk}/").status_code == 404


def test_finance_officers_get_403_on_training_pages(member, login):
    client = login(member(Role.FINANCE_OFFICER))
    for url in ("/staff/training/", "/staff/training/matrix/", "/staff/training/matrix.csv",
                "/staff/training/records/new/"):  # fmt: skip
        assert client.get(url).status_code == 403, url


def test_safeguarding_leads_see_the_matrix(member, login):
    assert login(member(Role.SAFEGUARDING_LEAD)).get("/staff/training/matrix/").status_code == 200


def _young_people(partnership, count, start):
    users = User.objects.bulk_create(
        [User(email=f"yp{start + i}@example.org", full_name=f"Person {start + i:04d}") for i in range(count)]
    )
    return Membership.objects.bulk_create(
        [Membership(partnership=partnership, user=u, is_young_person=True) for u in users]
    )


def test_the_matrix_shows_statuses_filters_and_exports(worker, login, module, partnership):
    done, expired, missing = _young_people(partnership, 3, 0)
    today = timezone.localdate()
    for membership, expires in ((done, today + datetime.timedelta(days=400)), (expired, today)):
        TrainingRecord.objects.create(
            partnership=partnership, module=module, membership=membership,
            completed_on=today - datetime.timedelta(days=500), expires_on=expires, signed_off_by=worker,
        )  # fmt: skip
    client = login(worker)
    body = client.get("/staff/training/matrix/").content.decode()
    assert "Done" in body and "Expired" in body and "Missing" in body
    only_expired = client.get("/staff/training/matrix/", {"status": "expired"}).content.decode()
    assert expired.user.full_name in only_expired and missing.user.full_name not in only_expired
    csv_response = client.get("/staff/training/matrix.csv", {"status": "missing"})
    assert csv_response["Content-Type"].startswith("text/csv")
    lines = csv_response.content.decode().strip().splitlines()
    assert lines == ["Name,Safeguarding basics", f"{missing.user.full_name},Missing"]


def test_the_matrix_query_count_is_the_same_for_10_and_500_people(worker, login, module, partnership):
    client = login(worker)
    client.get("/staff/training/matrix/")  # warm-up (session, content types)

    def count_queries():
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/staff/training/matrix/").status_code == 200
        return len(queries)

    people = _young_people(partnership, 10, 0)
    for membership in people:
        TrainingRecord.objects.create(
            partnership=partnership, module=module, membership=membership,
            completed_on=datetime.date(2025, 1, 1), expires_on=datetime.date(2027, 1, 1), signed_off_by=worker,
        )  # fmt: skip
    with_ten = count_queries()
    more = _young_people(partnership, 490, 10)
    TrainingRecord.objects.bulk_create(
        [TrainingRecord(partnership=partnership, module=module, membership=m, completed_on=datetime.date(2025, 1, 1),
                        signed_off_by=worker) for m in more]
    )  # fmt: skip
    assert count_queries() == with_ten


def test_certificates_are_pdfs_for_their_owner_and_workers_only(worker, member, login, module, other_partnership):
    person = member(Role.YOUNG_PERSON)
    other = member(Role.YOUNG_PERSON)
    record = TrainingRecord.objects.create(
        partnership=module.partnership, module=module, membership=person.membership,
        completed_on=datetime.date(2026, 1, 5), signed_off_by=worker,
    )  # fmt: skip
    url = f"/training/certificates/{record.pk}.pdf"
    for viewer in (person, worker):
        response = login(viewer).get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF")
    assert person.full_name.encode() in login(person).get(url).content
    assert login(other).get(url).status_code == 404
    assert login(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)).get(url).status_code == 404


def test_a_strange_module_filter_is_ignored_not_a_crash(member, login):
    from participants.models import Role

    client = login(member(Role.PARTICIPATION_WORKER))
    assert client.get("/staff/training/matrix/?module=%C2%B2").status_code == 200
    assert client.get("/staff/training/matrix.csv?module=%C2%B2").status_code == 200
