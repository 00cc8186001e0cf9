"""Signing in: password, emailed code, second factor; clear messages that never say whether an account exists;
lockout after repeated failures."""

import re

import pyotp
import pytest
from django.core import mail
from django.core.cache import cache

from participants.models import Role
from tests.factories import PASSWORD, STAFF_TOTP_SECRET

pytestmark = pytest.mark.django_db

GENERIC = "The email address and/or password you specified are not correct."


@pytest.fixture(autouse=True)
def _clear_rate_limits():
    cache.clear()
    yield
    cache.clear()


def test_wrong_password_and_unknown_email_get_the_same_message(member, client):
    person = member(Role.FINANCE_OFFICER)
    wrong = client.post("/accounts/login/", {"login": person.email, "password": "not-it"})
    unknown = client.post("/accounts/login/", {"login": "nobody@example.org", "password": "not-it"})
    assert wrong.status_code == unknown.status_code == 200
    assert GENERIC in wrong.content.decode()
    assert GENERIC in unknown.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_after_five_failures_even_with_the_right_password(member, client):
    person = member(Role.FINANCE_OFFICER)
    for _ in range(5):
        client.post("/accounts/login/", {"login": person.email, "password": "guess"})
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_staff_sign_in_with_password_then_totp(member, client):
    person = member(Role.SAFEGUARDING_LEAD)
    response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session

    wrong = client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    assert "Incorrect code" in wrong.content.decode()
    assert "_auth_user_id" not in client.session

    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert response.status_code == 302
    assert client.get("/").url == "/staff/"


def _code_from_last_email() -> str:
    body = mail.outbox[-1].body
    match = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", body, re.MULTILINE)
    assert match, body
    return match.group(1)


def test_young_person_signs_in_with_an_emailed_code(member, client, django_capture_on_commit_callbacks):
    person = member(Role.YOUNG_PERSON)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": person.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]

    wrong = client.post("/accounts/login/code/confirm/", {"code": "WRONG1"})
    assert "Incorrect code" in wrong.content.decode()

    response = client.post("/accounts/login/code/confirm/", {"code": _code_from_last_email()})
    assert response.status_code == 302
    assert client.get("/").url == "/me/"
    assert client.get("/me/").status_code == 200


def test_a_code_request_for_an_unknown_email_looks_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/code/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/code/confirm/"


def test_an_expired_code_is_refused(member, client, django_capture_on_commit_callbacks, settings):
    person = member(Role.YOUNG_PERSON)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": person.email})
    code = _code_from_last_email()

    settings.ACCOUNT_LOGIN_BY_CODE_TIMEOUT = -1  # the code was issued longer ago than the timeout
    response = client.post("/accounts/login/code/confirm/", {"code": code}, follow=True)

    assert "_auth_user_id" not in client.session
    assert response.redirect_chain and response.redirect_chain[-1][0].startswith("/accounts/login/")


def test_an_unverified_email_must_be_verified_before_password_sign_in(
    member, client, django_capture_on_commit_callbacks
):
    from allauth.account.models import EmailAddress

    person = member(Role.FINANCE_OFFICER)
    EmailAddress.objects.filter(user=person).update(verified=False)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/accounts/confirm-email/"
    assert "_auth_user_id" not in client.session
    assert mail.outbox and "confirm" in mail.outbox[-1].body.lower()


def test_password_reset_by_emailed_link(member, client, django_capture_on_commit_callbacks):
    person = member(Role.PARTICIPATION_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": person.email})
    assert response.status_code == 302
    link = re.search(r"http://testserver(/accounts/password/reset/key/\S+)", mail.outbox[-1].body).group(1)

    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else link
    new_password = "a-brand-new-long-password-42"
    response = client.post(set_url, {"password1": new_password, "password2": new_password})
    assert response.status_code == 302

    person.refresh_from_db()
    assert person.check_password(new_password)


def test_a_password_reset_for_an_unknown_email_looks_the_same(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/accounts/password/reset/", {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/password/reset/done/"


def test_five_wrong_second_factor_codes_lock_the_second_step(member, client):
    person = member(Role.FINANCE_OFFICER)
    client.post("/accounts/login/", {"login": person.email, "password": PASSWORD})
    for _ in range(5):
        client.post("/accounts/2fa/authenticate/", {"code": "000000"})
    response = client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    assert "Too many failed login attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session
