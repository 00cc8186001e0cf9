import pytest

from participants.models import Role

pytestmark = pytest.mark.django_db


def test_a_session_that_passed_the_second_factor_is_marked(member, login_with_second_factor, login, client):
    from django.test import RequestFactory

    from core.mfa import passed_second_factor_this_session

    lead = member(Role.SAFEGUARDING_LEAD)
    login(lead)
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = lead
    assert passed_second_factor_this_session(request) is False

    login_with_second_factor(lead)
    request.session = client.session
    assert passed_second_factor_this_session(request) is True


def test_a_real_totp_sign_in_is_recorded_as_second_factor(member, client):
    import pyotp
    from django.core.cache import cache
    from django.test import RequestFactory

    from core.mfa import passed_second_factor_this_session
    from tests.factories import PASSWORD, STAFF_TOTP_SECRET

    cache.clear()
    lead = member(Role.SAFEGUARDING_LEAD)
    client.post("/accounts/login/", {"login": lead.email, "password": PASSWORD})
    client.post("/accounts/2fa/authenticate/", {"code": pyotp.TOTP(STAFF_TOTP_SECRET).now()})
    request = RequestFactory().get("/")
    request.session = client.session
    request.user = lead
    assert passed_second_factor_this_session(request) is True
