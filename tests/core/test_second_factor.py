"""Staff must set up a second factor before any staff page or API; they cannot remove it; young people are
never asked."""

import pytest
from allauth.mfa.models import Authenticator

from participants.models import Role

pytestmark = pytest.mark.django_db

STAFF = [
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_a_second_factor_are_sent_to_set_one_up(role, member, login):
    client = login(member(role, with_totp=False))
    for page in ("/", "/staff/", "/staff/people/"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response["Location"] == "/accounts/2fa/totp/activate/"


def test_after_signing_in_a_new_staff_member_lands_on_the_set_up_page(member, client):
    from tests.factories import PASSWORD

    worker = member(Role.PARTICIPATION_WORKER, with_totp=False)
    response = client.post("/accounts/login/", {"login": worker.email, "password": PASSWORD}, follow=True)
    assert response.redirect_chain[-1][0] == "/accounts/2fa/totp/activate/"
    assert response.status_code == 200
    assert b"authenticator" in response.content.lower()


@pytest.mark.parametrize("role", STAFF)
def test_staff_without_a_second_factor_cannot_use_the_api(role, member, api_as):
    response = api_as(member(role, with_totp=False)).get("/api/v1/me/")
    assert response.status_code == 403
    assert "two-factor" in response.json()["message"]


def test_staff_token_without_a_second_factor_is_refused(member):
    from tests.core.test_api import token_client

    response = token_client(member(Role.FINANCE_OFFICER, with_totp=False)).get("/api/v1/me/")
    assert response.status_code == 403


def test_staff_with_a_second_factor_reach_their_pages(member, login):
    client = login(member(Role.FINANCE_OFFICER))
    assert client.get("/staff/").status_code == 200


def test_a_young_person_is_not_asked_for_a_second_factor(member, login, api_as):
    person = member(Role.YOUNG_PERSON)
    assert not Authenticator.objects.filter(user=person).exists()
    client = login(person)
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/me/"
    assert client.get("/me/").status_code == 200
    assert api_as(person).get("/api/v1/me/").status_code == 200


@pytest.mark.parametrize("role", STAFF)
def test_staff_cannot_remove_their_second_factor(role, member):
    from allauth.mfa.totp.forms import DeactivateTOTPForm

    worker = member(role)
    authenticator = Authenticator.objects.get(user=worker, type=Authenticator.Type.TOTP)
    form = DeactivateTOTPForm(data={}, authenticator=authenticator)
    assert not form.is_valid()
    assert form.non_field_errors()


def test_a_young_person_may_remove_an_optional_second_factor(member):
    from allauth.mfa.adapter import get_adapter
    from allauth.mfa.totp.internal.auth import TOTP

    person = member(Role.YOUNG_PERSON)
    authenticator = TOTP.activate(person, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").instance
    assert get_adapter().can_delete_authenticator(authenticator) is True


def test_a_suspended_staff_member_keeps_no_staff_hold_on_their_factor(member):
    """Once every staff membership is suspended, the person is no longer staff anywhere."""
    from allauth.mfa.adapter import get_adapter

    from participants.services import membership_suspend

    admin = member(Role.PARTNERSHIP_ADMIN)
    worker = member(Role.PARTICIPATION_WORKER)
    authenticator = Authenticator.objects.get(user=worker, type=Authenticator.Type.TOTP)
    assert get_adapter().can_delete_authenticator(authenticator) is False
    membership_suspend(actor=admin, membership_id=worker.membership.pk, reason="Left")
    assert get_adapter().can_delete_authenticator(authenticator) is True


def test_totp_secrets_are_encrypted_at_rest(member):
    worker = member(Role.PARTICIPATION_WORKER)
    stored = Authenticator.objects.get(user=worker, type=Authenticator.Type.TOTP).data["secret"]
    assert "GEZDGNBVGY3TQOJQ" not in stored
