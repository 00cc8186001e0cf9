import pytest
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Membership, Role
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def test_admin_suspends_from_the_page_and_sees_it_in_the_history(member, login):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    client = login(admin)
    url = f"/staff/people/{target.membership.pk}/"

    response = client.post(url, {"action": "suspend", "reason": "Moved away"}, follow=True)

    assert Membership.objects.get(pk=target.membership.pk).status == Membership.Status.SUSPENDED
    body = response.content.decode()
    assert "account was suspended" in body
    assert "Moved away" in body


def test_an_empty_reason_is_an_error_naming_the_field_and_nothing_changes(member, login):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    response = login(admin).post(f"/staff/people/{target.membership.pk}/", {"action": "suspend", "reason": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert 'href="#id_reason"' in body
    assert "Enter a reason" in body
    assert Membership.objects.get(pk=target.membership.pk).status == Membership.Status.ACTIVE
    assert not AuditEvent.objects.exists()


def test_a_worker_sees_people_but_no_suspend_form(member, login):
    worker = member(Role.PARTICIPATION_WORKER)
    target = member(Role.YOUNG_PERSON)
    client = login(worker)
    body = client.get(f"/staff/people/{target.membership.pk}/").content.decode()
    assert target.email in body
    assert "Suspend account" not in body
    assert (
        client.post(f"/staff/people/{target.membership.pk}/", {"action": "suspend", "reason": "x"}).status_code == 403
    )


def test_people_list_filters_by_role_and_search(member, login, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    young = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON], user__full_name="Zed Quill")
    client = login(worker)
    body = client.get("/staff/people/?role=young_person").content.decode()
    assert young.user.email in body and worker.email not in body
    body = client.get("/staff/people/?search=quill").content.decode()
    assert young.user.email in body and worker.email not in body


@pytest.mark.parametrize("url", ["/staff/people/", "/staff/audit-log/"])
def test_list_pages_query_count_does_not_grow(url, member, login, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from participants.services import membership_suspend

    admin = member(Role.PARTNERSHIP_ADMIN)
    client = login(admin)

    def grow(n):
        for _ in range(n):
            m = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
            membership_suspend(actor=admin, membership_id=m.pk, reason="r")

    grow(5)
    client.get(url)  # warm up: the first request after sign-in also writes the session
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_a_resubmitted_suspension_is_refused_not_reversed(member, login):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    client = login(admin)
    url = f"/staff/people/{target.membership.pk}/"
    client.post(url, {"action": "suspend", "reason": "Risk"})
    again = client.post(url, {"action": "suspend", "reason": "Risk"})
    assert again.status_code == 200
    assert "cannot move from Suspended to Suspended" in again.content.decode()
    assert Membership.objects.get(pk=target.membership.pk).status == Membership.Status.SUSPENDED


def test_only_admins_see_the_history_with_reasons(member, login):
    from participants.services import membership_suspend

    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    membership_suspend(actor=admin, membership_id=target.membership.pk, reason="Private reason")
    finance = member(Role.FINANCE_OFFICER)
    body = login(finance).get(f"/staff/people/{target.membership.pk}/").content.decode()
    assert "Private reason" not in body
    assert "History" not in body


def test_an_admin_adds_a_member_of_staff_who_is_emailed_a_link_to_set_a_password(
    member, login, django_capture_on_commit_callbacks, partnership
):
    from django.core import mail

    admin = member(Role.PARTNERSHIP_ADMIN)
    client = login(admin)
    assert "Add a person" in client.get("/staff/people/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/people/new/",
            {"full_name": "Nadia Rahman", "email": "Nadia@Example.org", "roles": ["finance_officer"], "job_title": ""},
        )
    membership = Membership.objects.get(user__email="nadia@example.org")
    assert response.status_code == 302 and membership.partnership == partnership
    assert membership.roles == {Role.FINANCE_OFFICER}
    assert mail.outbox[-1].to == ["nadia@example.org"]
    import re

    link = re.search(r"http://[^/]+(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)
    client.logout()
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    client.post(set_url, {"password1": "a-long-new-password-77", "password2": "a-long-new-password-77"})
    membership.user.refresh_from_db()
    assert membership.user.check_password("a-long-new-password-77")


def test_adding_a_person_names_the_field_that_is_wrong(member, login):
    client = login(member(Role.PARTNERSHIP_ADMIN))
    response = client.post("/staff/people/new/", {"full_name": "Nadia", "email": "not-an-email", "roles": []})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter an email address in the correct format" in body and "Choose at least one role" in body
    assert 'value="Nadia"' in body


def test_only_an_admin_can_add_people(member, login):
    client = login(member(Role.PARTICIPATION_WORKER))
    assert client.get("/staff/people/new/").status_code == 403
    assert "Add a person" not in client.get("/staff/people/").content.decode()


def test_an_erased_person_has_no_reactivate_form_and_a_post_changes_nothing(member, login):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    client = login(admin)
    url = f"/staff/people/{target.membership.pk}/"
    client.post(url, {"action": "suspend", "reason": "Left"})
    Membership.objects.filter(pk=target.membership.pk).update(erased_at=timezone.now())

    body = client.get(url).content.decode()
    assert "Information erased" in body
    assert "Reactivate this account" not in body
    client.post(url, {"action": "reactivate", "reason": "Came back"})
    assert Membership.objects.get(pk=target.membership.pk).status == Membership.Status.SUSPENDED
