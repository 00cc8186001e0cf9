"""Rules found by review: no back doors around roles, the second factor, the API base or the audit log."""

import pytest
from django.core.cache import cache
from rest_framework.permissions import AllowAny

from core.api import PartnershipApi
from participants.apis.people import MembershipListApi
from participants.models import Membership, Role, User
from tests.factories import PASSWORD, MembershipFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()


def test_a_superuser_gets_no_partnership_powers_from_being_superuser(partnership, login):
    from allauth.mfa.totp.internal.auth import TOTP

    operator = User.objects.create_superuser(email="op@example.org", password=PASSWORD)
    TOTP.activate(operator, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ")
    MembershipFactory(partnership=partnership, user=operator, roles=[Role.YOUNG_PERSON])
    target = MembershipFactory(partnership=partnership)
    client = login(operator)
    response = client.post(f"/staff/people/{target.pk}/", {"action": "suspend", "reason": "r"})
    assert response.status_code == 403
    assert Membership.objects.get(pk=target.pk).status == Membership.Status.ACTIVE


def test_the_django_admin_sign_in_goes_through_allauth(client):
    response = client.get("/django-admin/login/?next=/django-admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_as_view_cannot_replace_the_base_permissions():
    with pytest.raises(TypeError):
        MembershipListApi.as_view(permission_classes=[AllowAny])


def test_a_mixin_cannot_bypass_the_base_either_side():
    class Open:
        permission_classes = [AllowAny]

    class Quiet:
        def permission_denied(self, request, message=None, code=None):
            return None

    with pytest.raises(TypeError):

        class Before(Open, PartnershipApi):
            pass

    with pytest.raises(TypeError):

        class After(PartnershipApi, Quiet):
            pass


def test_a_session_naming_another_partnership_in_the_header_is_refused(member, api_as, other_partnership):
    person = member(Role.PARTICIPATION_WORKER)
    MembershipFactory(user=person, partnership=other_partnership, roles=[Role.PARTICIPATION_WORKER])
    client = api_as(person)
    client.credentials(HTTP_X_PARTNERSHIP=other_partnership.slug)
    response = client.get("/api/v1/me/")
    assert response.status_code == 403
    assert "different partnership" in response.json()["message"]


def test_a_transition_payload_cannot_rewrite_the_recorded_states(member):
    from django.db import transaction

    from core.models import AuditEvent
    from core.workflows import transition

    membership = member(Role.YOUNG_PERSON).membership
    with transaction.atomic():
        transition(membership, to="suspended", actor=None, payload={"from": "x", "to": "y"})
    assert AuditEvent.objects.get().payload == {"from": "active", "to": "suspended"}


def test_signing_in_by_code_still_asks_staff_for_their_second_factor(
    member, client, django_capture_on_commit_callbacks
):
    import re

    from django.core import mail

    worker = member(Role.PARTICIPATION_WORKER)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/login/code/", {"email": worker.email})
    code = re.search(r"^([A-Z0-9]{4}-[A-Z0-9]{4})$", mail.outbox[-1].body, re.MULTILINE).group(1)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response["Location"] == "/accounts/2fa/authenticate/"
    assert "_auth_user_id" not in client.session


def test_adding_a_sign_in_email_asks_for_the_password_again(member, login):
    person = member(Role.YOUNG_PERSON)
    response = login(person).post("/accounts/email/", {"action_add": "", "email": "new@example.org"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/reauthenticate/")


def test_demo_data_cannot_be_created_outside_development(settings):
    from django.core.management import CommandError, call_command

    settings.DEMO_DATA_ALLOWED = False
    with pytest.raises(CommandError, match="known passwords"):
        call_command("seed_demo")


def test_pages_and_api_answers_are_never_cached(member, login, api_as):
    person = member(Role.YOUNG_PERSON)
    assert "no-store" in login(person).get("/me/")["Cache-Control"]
    assert "no-store" in api_as(person).get("/api/v1/me/")["Cache-Control"]
