"""The API base: one error shape, field-named validation, token auth with X-Partnership, sealed scoping."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from knox.models import AuthToken
from rest_framework.test import APIClient

from core.api import PartnershipApi
from participants.models import Role

pytestmark = pytest.mark.django_db


def token_client(user, partnership_slug=None):
    _, token = AuthToken.objects.create(user=user)
    client = APIClient()
    headers = {"HTTP_AUTHORIZATION": f"Token {token}"}
    if partnership_slug:
        headers["HTTP_X_PARTNERSHIP"] = partnership_slug
    client.credentials(**headers)
    return client


def test_me_with_a_token(member):
    person = member(Role.YOUNG_PERSON)
    response = token_client(person).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["partnership"]["slug"] == person.partnership.slug
    assert response.json()["roles"] == ["young_person"]


def test_a_person_in_two_partnerships_names_one_with_the_header(member, partnership, other_partnership):
    from tests.factories import MembershipFactory

    lead = member(Role.SCRUTINY_LEAD)
    MembershipFactory(user=lead, partnership=other_partnership, roles=[Role.SCRUTINY_LEAD])

    response = token_client(lead).get("/api/v1/me/")
    assert response.status_code == 403
    assert "X-Partnership" in response.json()["message"]

    response = token_client(lead, other_partnership.slug).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json()["partnership"]["slug"] == other_partnership.slug
    assert {p["slug"] for p in response.json()["partnerships"]} == {partnership.slug, other_partnership.slug}


def test_a_partnership_the_person_is_not_in_cannot_be_named(member, other_partnership):
    person = member(Role.PARTICIPATION_WORKER)
    response = token_client(person, other_partnership.slug).get("/api/v1/memberships/")
    assert response.status_code == 403


def test_unauthenticated_requests_get_the_error_shape(api_client):
    response = api_client.get("/api/v1/memberships/")
    assert response.status_code in (401, 403)
    assert set(response.json()) == {"message", "extra"}


def test_malformed_input_is_a_400_naming_the_field(member, api_as):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    client = api_as(admin)

    response = client.post(f"/api/v1/memberships/{target.membership.pk}/suspend/", {"reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["message"] == "Check these fields: reason."
    assert "reason" in response.json()["extra"]["fields"]

    response = client.post(
        f"/api/v1/memberships/{target.membership.pk}/suspend/", "not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"message", "extra"}

    response = client.get("/api/v1/memberships/?role=wizard")
    assert response.status_code == 400
    assert "role" in response.json()["extra"]["fields"]


def test_a_business_rule_refusal_is_a_400_with_message_and_extra(member, api_as):
    admin = member(Role.PARTNERSHIP_ADMIN)
    target = member(Role.YOUNG_PERSON)
    client = api_as(admin)
    url = f"/api/v1/memberships/{target.membership.pk}/suspend/"
    assert client.post(url, {"reason": "Left"}, format="json").status_code == 200

    response = client.post(url, {"reason": "Again"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "message": "A membership cannot move from Suspended to Suspended.",
        "extra": {"field": "status", "from": "suspended", "to": "suspended"},
    }


def test_a_permission_refusal_is_a_403_with_the_error_shape(member, api_as):
    worker = member(Role.PARTICIPATION_WORKER)
    target = member(Role.YOUNG_PERSON)
    response = api_as(worker).post(
        f"/api/v1/memberships/{target.membership.pk}/suspend/", {"reason": "x"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"message": "Only a partnership admin can do that.", "extra": {}}


def test_subclasses_cannot_bypass_the_scoping_steps():
    with pytest.raises(TypeError):

        class Sneaky(PartnershipApi):
            def initial(self, request, *args, **kwargs):
                pass

    with pytest.raises(TypeError):

        class Open(PartnershipApi):
            permission_classes = []


def _api_views(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_views(pattern, route)
        elif isinstance(pattern, URLPattern) and route.startswith("api/v1/"):
            yield route, getattr(pattern.callback, "cls", None)


def test_every_api_endpoint_inherits_the_scoped_base():
    public = {"api/v1/schema/", "api/v1/docs/"}
    views = dict(_api_views())
    assert len(views) > len(public)
    for route, view in views.items():
        if route in public:
            continue
        assert view is not None and issubclass(view, PartnershipApi), route


def test_the_schema_and_docs_are_served(client):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/memberships/{membership_id}/suspend/" in schema.content
    docs = client.get("/api/v1/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content


def test_audit_events_api_describes_each_event_and_keeps_its_query_count(member, api_as, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from participants.services import membership_suspend
    from tests.factories import MembershipFactory

    admin = member(Role.PARTNERSHIP_ADMIN)
    client = api_as(admin)

    def grow(n):
        for _ in range(n):
            target = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
            membership_suspend(actor=admin, membership_id=target.pk, reason="Left")

    grow(5)
    client.get("/api/v1/audit-events/")
    with CaptureQueriesContext(connection) as small:
        first = client.get("/api/v1/audit-events/").json()
    grow(45)
    with CaptureQueriesContext(connection) as large:
        client.get("/api/v1/audit-events/")
    assert len(large) == len(small)
    assert first["results"][0]["description"].startswith(f"{admin.full_name} suspended ")


@pytest.mark.parametrize("url", ["/api/v1/memberships/", "/api/v1/me/"])
def test_api_query_count_does_not_grow(url, member, api_as, partnership):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import MembershipFactory

    client = api_as(member(Role.PARTNERSHIP_ADMIN))
    MembershipFactory.create_batch(5, partnership=partnership, roles=[Role.YOUNG_PERSON])
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    MembershipFactory.create_batch(45, partnership=partnership, roles=[Role.YOUNG_PERSON])
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)
