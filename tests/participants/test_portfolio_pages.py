"""The portfolio pages: /me/portfolio/ (the young person), /staff/portfolio/<id>/ (workers), /staff/skills/, and
the reference letter PDF."""

from __future__ import annotations

import time

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from engagements.models import OpportunityType
from participants.models import ReferenceLetter, Role, Skill, SkillClaim
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


def test_the_young_persons_page_shows_their_record_in_plain_words(young, worker, login):
    me = young.membership
    attended(me, hours=2, title="Section 11 panel with health")
    trained(me, worker, title="Safeguarding basics")
    chairing = skill_create(actor=worker, name="Chairing a meeting")
    waiting = skill_create(actor=worker, name="Working with others")
    skill_claim_confirm(
        actor=worker, claim_id=skill_claim_create(actor=young, skill_id=chairing.pk, example="I chaired it.").pk
    )
    skill_claim_create(actor=young, skill_id=waiting.pk, example="Group work.")

    response = login(young).get("/me/portfolio/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "Section 11 challenge panel" in html and "2 hours" in html
    assert "Section 11 panel with health" in html
    assert "Safeguarding basics" in html
    assert "Young scrutineer since" in html
    assert "Work logs will add preparation and travel time later" in html
    assert "Outputs you made will appear here" in html
    confirmed = html.split('id="skills"')[1].split('id="outputs"')[0]
    assert "Chairing a meeting" in confirmed and "Working with others" not in confirmed


def test_the_young_persons_page_query_count_is_constant(young, worker, login):
    client = login(young)
    client.get("/me/portfolio/")

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/me/portfolio/").status_code == 200
        return len(queries)

    attended(young.membership)
    before = count()
    for n in range(12):
        attended(young.membership, days_ago=20 + n, kind=OpportunityType.FOCUS_GROUP)
        trained(young.membership, worker, title=f"Module {n}")
        skill = skill_create(actor=worker, name=f"Skill {n}")
        skill_claim_create(actor=young, skill_id=skill.pk, example="x")
    letter = reference_request(actor=young, addressed_to="College")
    reference_sign_off(actor=worker, reference_id=letter.pk)
    assert count() == before


def test_staff_cannot_use_the_young_persons_page(worker, login_with_second_factor):
    assert login_with_second_factor(worker).get("/me/portfolio/").status_code == 403


def test_a_young_person_claims_a_skill_with_an_example(young, worker, login):
    skill = skill_create(actor=worker, name="Chairing a meeting")
    client = login(young)
    assert "Chairing a meeting" in client.get("/me/portfolio/skills/add/").content.decode()

    response = client.post("/me/portfolio/skills/add/", {"skill": str(skill.pk), "example": "I chaired it."})

    assert response.status_code == 302
    claim = SkillClaim.objects.get()
    assert (claim.membership, claim.status, claim.example) == (young.membership, "claimed", "I chaired it.")


def test_a_claim_without_an_example_names_the_field(young, worker, login):
    skill = skill_create(actor=worker, name="Chairing a meeting")
    response = login(young).post("/me/portfolio/skills/add/", {"skill": str(skill.pk), "example": ""})
    assert response.status_code == 200
    assert "Say when you showed this skill, in your own words" in response.content.decode()
    assert not SkillClaim.objects.exists()


def test_requesting_a_letter_with_no_confirmed_work_shows_what_is_missing(young, login):
    response = login(young).post("/me/portfolio/references/request/", {"addressed_to": "Northtown College"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "no confirmed work" in html and "an engagement you attended" in html
    assert not ReferenceLetter.objects.exists()


def test_a_young_person_requests_a_letter_and_downloads_it_once_signed_off(young, worker, login):
    attended(young.membership, hours=4)
    client = login(young)
    response = client.post("/me/portfolio/references/request/", {"addressed_to": "Admissions tutor, Northtown College"})
    assert response.status_code == 302
    letter = ReferenceLetter.objects.get()
    assert client.get(f"/portfolio/references/{letter.pk}.pdf").status_code == 404  # not signed off yet
    assert "Download the letter" not in client.get("/me/portfolio/").content.decode()

    reference_sign_off(actor=worker, reference_id=letter.pk)
    assert "Download the letter" in client.get("/me/portfolio/").content.decode()
    response = client.get(f"/portfolio/references/{letter.pk}.pdf")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert b"4 hours" in response.content


def test_pdf_access_by_role_and_partnership(young, worker, member, login, other_partnership):
    attended(young.membership)
    letter = reference_sign_off(actor=worker, reference_id=reference_request(actor=young, addressed_to="College").pk)
    url = f"/portfolio/references/{letter.pk}.pdf"

    def get_as(user):
        client = Client()
        client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
        session = client.session
        session["account_authentication_methods"] = [
            {"method": "password", "at": time.time(), "email": user.email},
            {"method": "mfa", "at": time.time(), "type": "totp"},
        ]
        session.save()
        return client.get(url).status_code

    assert get_as(worker) == 200
    assert get_as(member(Role.YOUNG_PERSON)) == 403  # another young person
    assert get_as(member(Role.FINANCE_OFFICER)) == 403
    assert get_as(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)) == 404


def test_a_worker_confirms_a_skill_and_signs_off_a_letter(young, worker, login_with_second_factor):
    me = young.membership
    attended(me, hours=2)
    skill = skill_create(actor=worker, name="Chairing a meeting")
    claim = skill_claim_create(actor=young, skill_id=skill.pk, example="I chaired it.")
    letter = reference_request(actor=young, addressed_to="Admissions tutor, Northtown College")
    client = login_with_second_factor(worker)

    page = client.get(f"/staff/portfolio/{me.pk}/").content.decode()
    assert "I chaired it." in page
    assert "2 hours" in page  # the letter's text is shown to check
    assert "Sign off the letter for Admissions tutor, Northtown College" in page

    client.post(f"/staff/portfolio/{me.pk}/skills/{claim.pk}/", {"decision": "confirm"})
    client.post(f"/staff/portfolio/{me.pk}/references/{letter.pk}/sign-off/")

    claim.refresh_from_db()
    letter.refresh_from_db()
    assert claim.status == SkillClaim.Status.CONFIRMED
    assert (letter.status, letter.signed_off_by) == (ReferenceLetter.Status.SIGNED_OFF, worker)


def test_staff_portfolio_is_404_for_another_partnership_and_403_for_finance(
    member, login_with_second_factor, other_partnership
):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    young = member(Role.YOUNG_PERSON)
    worker = member(Role.PARTICIPATION_WORKER)
    assert login_with_second_factor(worker).get(f"/staff/portfolio/{stranger.membership.pk}/").status_code == 404
    finance = member(Role.FINANCE_OFFICER)
    assert login_with_second_factor(finance).get(f"/staff/portfolio/{young.membership.pk}/").status_code == 403


def test_staff_portfolio_query_count_is_constant(young, worker, login_with_second_factor):
    client = login_with_second_factor(worker)
    url = f"/staff/portfolio/{young.membership.pk}/"
    attended(young.membership)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    for n in range(12):
        attended(young.membership, days_ago=20 + n)
        trained(young.membership, worker, title=f"Module {n}")
        skill_claim_create(actor=young, skill_id=skill_create(actor=worker, name=f"Skill {n}").pk, example="x")
        reference_request(actor=young, addressed_to=f"College {n}")
    with CaptureQueriesContext(connection) as large:
        assert client.get(url).status_code == 200
    assert len(large) == len(small)


def test_workers_keep_the_skill_list(worker, member, login_with_second_factor):
    client = login_with_second_factor(worker)
    assert client.post("/staff/skills/", {"name": "Chairing a meeting", "description": ""}).status_code == 302
    response = client.post("/staff/skills/", {"name": "chairing a meeting"})
    assert "The list already has a skill called" in response.content.decode()
    skill = Skill.objects.get()
    client.post(f"/staff/skills/{skill.pk}/", {"is_active": "false"})
    skill.refresh_from_db()
    assert not skill.is_active
    lead = member(Role.SAFEGUARDING_LEAD)
    assert login_with_second_factor(lead).get("/staff/skills/").status_code == 403
