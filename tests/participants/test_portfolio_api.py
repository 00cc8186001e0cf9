"""/api/v1/portfolio/ (your own) and /api/v1/portfolio/<membership_id>/ (workers, admins, safeguarding leads)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from engagements.models import OpportunityType
from participants.models import Role
from participants.services.portfolio import (
    reference_request,
    reference_sign_off,
    skill_claim_confirm,
    skill_claim_create,
    skill_create,
)
from tests.participants.test_portfolio import attended, trained

pytestmark = pytest.mark.django_db


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def test_a_young_person_reads_their_own_portfolio(young, worker, api_as):
    me = young.membership
    attended(me, hours=2)
    attended(me, hours=1, kind=OpportunityType.FOCUS_GROUP)
    trained(me, worker, title="Safeguarding basics")
    chairing = skill_create(actor=worker, name="Chairing a meeting")
    waiting = skill_create(actor=worker, name="Working with others")
    skill_claim_confirm(actor=worker, claim_id=skill_claim_create(actor=young, skill_id=chairing.pk, example="x").pk)
    skill_claim_create(actor=young, skill_id=waiting.pk, example="y")
    letter = reference_sign_off(actor=worker, reference_id=reference_request(actor=young, addressed_to="College").pk)

    response = api_as(young).get("/api/v1/portfolio/")

    assert response.status_code == 200
    body = response.json()
    assert body["membership_id"] == me.pk
    assert body["total_hours"] == "3 hours"
    assert [(row["kind"], row["minutes"]) for row in body["hours_by_kind"]] == [
        ("section_11_panel", 120),
        ("focus_group", 60),
    ]
    assert [s["name"] for s in body["skills"]] == ["Chairing a meeting"]
    assert {c["skill"]: c["status"] for c in body["skill_claims"]} == {
        "Chairing a meeting": "confirmed",
        "Working with others": "claimed",
    }
    assert body["training"][0]["module_title"] == "Safeguarding basics"
    assert body["roles"][0]["label"] == "Young scrutineer"
    assert body["references"][0]["pdf_url"] == f"/portfolio/references/{letter.pk}.pdf"
    assert body["outputs"] == []


def test_workers_admins_and_safeguarding_leads_read_anyones(young, member, api_as):
    url = f"/api/v1/portfolio/{young.membership.pk}/"
    for role in (Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.SAFEGUARDING_LEAD):
        response = api_as(member(role)).get(url)
        assert response.status_code == 200, role
        assert response.json()["membership_id"] == young.membership.pk


def test_finance_officer_is_403(young, member, api_as):
    finance = member(Role.FINANCE_OFFICER)
    response = api_as(finance).get(f"/api/v1/portfolio/{young.membership.pk}/")
    assert response.status_code == 403
    assert set(response.json()) == {"message", "extra"}
    assert api_as(finance).get("/api/v1/portfolio/").status_code == 403


def test_another_young_person_is_403(young, member, api_as):
    assert api_as(member(Role.YOUNG_PERSON)).get(f"/api/v1/portfolio/{young.membership.pk}/").status_code == 403


def test_another_partnership_and_malformed_ids_are_404(worker, member, api_as, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    client = api_as(worker)
    for raw in (str(stranger.membership.pk), "abc", "-1", "1.5", "99999999"):
        response = client.get(f"/api/v1/portfolio/{raw}/")
        assert response.status_code == 404, raw
        assert set(response.json()) == {"message", "extra"}


def test_get_only(young, api_as):
    assert api_as(young).post("/api/v1/portfolio/", {}).status_code == 405


def test_query_count_is_constant(young, worker, api_as):
    client = api_as(worker)
    url = f"/api/v1/portfolio/{young.membership.pk}/"
    attended(young.membership)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(12):
        attended(young.membership, days_ago=20 + n, kind=OpportunityType.DEEP_DIVE)
        trained(young.membership, worker, title=f"Module {n}")
        skill_claim_create(actor=young, skill_id=skill_create(actor=worker, name=f"Skill {n}").pk, example="x")
        reference_request(actor=young, addressed_to=f"College {n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_a_strange_digit_in_the_id_is_a_404_not_a_crash(member, api_as):
    from participants.models import Role

    assert api_as(member(Role.PARTICIPATION_WORKER)).get("/api/v1/portfolio/%C2%B2/").status_code == 404
