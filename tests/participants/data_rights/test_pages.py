"""The pages: the young person's own page and download, asking, and the staff list and detail."""

import datetime
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditEvent
from participants.models import DataRequest, Role
from participants.services.data_rights import data_request_make, data_request_record, data_request_start
from tests.participants.data_rights.conftest import CONCERN_WORDS, RESTRICTED_NOTE

pytestmark = pytest.mark.django_db


def test_the_young_person_reads_their_information(person, login, django_assert_max_num_queries):
    client = login(person.user)
    with django_assert_max_num_queries(60):
        response = client.get(reverse("my_information"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Meet again in a fortnight" in page and "Section 11 panel: police" in page
    assert RESTRICTED_NOTE not in page and CONCERN_WORDS not in page
    assert "Safeguarding concerns" in page  # says what is not included
    assert "Your information" in page  # in the menu


def test_the_json_download_is_an_attachment_and_is_audited(person, login):
    response = login(person.user).get(reverse("my_information_download"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["version"] == 1 and data["about_you"]["email"] == person.user.email
    event = AuditEvent.objects.get(event_type="person_data.downloaded")
    assert event.actor_id == person.user.pk and event.payload == {"via": "self"}


def test_staff_have_no_own_information_page(member, login_with_second_factor):
    client = login_with_second_factor(member(Role.PARTICIPATION_WORKER))
    assert client.get(reverse("my_information")).status_code == 403
    assert client.get(reverse("my_information_download")).status_code == 403


def test_asking_from_the_page(person, login):
    client = login(person.user)
    response = client.post(reverse("my_information_ask"), {"kind": "erasure", "details": "Delete me please"})
    assert response.status_code == 302
    request = DataRequest.objects.get(membership=person.membership)
    assert request.kind == "erasure" and request.made_by_self
    page = client.get(reverse("my_information")).content.decode()
    assert f"{request.due_on:%-d %B %Y}" in page
    response = client.post(reverse("my_information_ask"), {})
    assert "Choose what you want to ask for" in response.content.decode()


def test_the_staff_list_shows_due_dates_and_flags_overdue(
    member, login_with_second_factor, partnership, django_assert_max_num_queries
):
    worker = member(Role.PARTICIPATION_WORKER)
    late = data_request_record(
        actor=worker,
        membership_id=member(Role.YOUNG_PERSON).membership.pk,
        kind="access",
        received_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    for _ in range(15):
        data_request_make(actor=member(Role.YOUNG_PERSON), kind="access")
    client = login_with_second_factor(worker)
    with django_assert_max_num_queries(25):
        response = client.get(reverse("data_request_list"))
    page = response.content.decode()
    assert f"{late.due_on:%-d %B %Y}" in page
    assert page.count("Overdue") == 1


def test_staff_handle_a_request_from_its_page(person, member, login_with_second_factor):
    worker = member(Role.PARTICIPATION_WORKER)
    request = data_request_make(actor=person.user, kind="access")
    client = login_with_second_factor(worker)
    page = client.get(reverse("data_request_detail", args=[request.pk])).content.decode()
    assert f"{request.due_on:%-d %B %Y}" in page and "Start working on it" in page
    client.post(reverse("data_request_start", args=[request.pk]))
    response = client.post(reverse("data_request_complete", args=[request.pk]), {"note": ""})
    assert "Say what you did" in response.content.decode()
    client.post(reverse("data_request_complete", args=[request.pk]), {"note": "Emailed the file."})
    request.refresh_from_db()
    assert request.status == "completed"
    download = client.get(reverse("data_request_download", args=[request.pk]))
    assert download["Content-Disposition"].startswith("attachment;")
    assert AuditEvent.objects.filter(event_type="person_data.downloaded", actor_id=worker.pk).exists()


def test_an_admin_erases_from_the_page_and_sees_what_was_kept(person, member, login_with_second_factor):
    admin = member(Role.PARTNERSHIP_ADMIN)
    request = data_request_make(actor=person.user, kind="erasure")
    data_request_start(actor=admin, request_id=request.pk)
    client = login_with_second_factor(admin)
    response = client.post(reverse("data_request_complete", args=[request.pk]), {"note": ""}, follow=True)
    page = response.content.decode()
    assert "What was kept, and why" in page and "25th birthday" in page and "six years" in page


@pytest.mark.parametrize("name", ["data_request_detail", "data_request_download", "data_request_start"])
def test_another_partnerships_request_is_a_404(name, member, other_partnership, login_with_second_factor):
    theirs = data_request_make(actor=member(Role.YOUNG_PERSON, in_partnership=other_partnership), kind="access")
    client = login_with_second_factor(member(Role.PARTNERSHIP_ADMIN))
    url = reverse(name, args=[theirs.pk])
    response = client.post(url) if name.endswith("start") else client.get(url)
    assert response.status_code == 404


def test_other_staff_roles_cannot_see_requests(member, login_with_second_factor):
    client = login_with_second_factor(member(Role.FINANCE_OFFICER))
    assert client.get(reverse("data_request_list")).status_code == 403


def test_the_admin_sets_retention_and_sees_what_the_job_would_do(member, login_with_second_factor, partnership):
    admin = member(Role.PARTNERSHIP_ADMIN)
    client = login_with_second_factor(admin)
    page = client.get(reverse("retention_settings")).content.decode()
    assert 'value="365"' in page and 'value="183"' in page and "Retention" in page
    response = client.post(
        reverse("retention_settings"), {"applicant_retention_days": "90", "leaver_retention_days": "10"}
    )
    assert "Enter a number of days from 30" in response.content.decode()
    client.post(reverse("retention_settings"), {"applicant_retention_days": "90", "leaver_retention_days": "730"})
    partnership.refresh_from_db()
    assert (partnership.applicant_retention_days, partnership.leaver_retention_days) == (90, 730)
    event = AuditEvent.objects.get(event_type="partnership.retention_changed")
    assert event.payload["to"] == {"applicant_retention_days": 90, "leaver_retention_days": 730}


def test_only_the_partnership_admin_sets_retention(member, login_with_second_factor):
    client = login_with_second_factor(member(Role.PARTICIPATION_WORKER))
    assert client.get(reverse("retention_settings")).status_code == 403


def test_a_young_person_with_nothing_yet_sees_that_nothing_is_held(member, login):
    client = login(member(Role.YOUNG_PERSON))
    page = client.get(reverse("my_information")).content.decode()
    assert "Nothing held." in page and "Download your information" in page
    data = json.loads(client.get(reverse("my_information_download")).content)
    assert data["application"] is None and data["claims"] == [] and data["about_you"]["profile"] is None
