"""The finance claims pages: the list with its status filter and "Waiting for payment details" tag, the button that
makes claims from approved work logs (with a summary of what could not be claimed), one claim with its explained
lines and history, who may see them, another partnership's claim is a 404, and query counts that do not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Role
from payments.models import Claim, PaymentChoice, Rail
from payments.services.claims import claim_choice_set
from tests.factories.payments import PayeeAccountFactory
from tests.payments.test_claims import approved_log, choose, claim_for, rate, young_aged

pytestmark = pytest.mark.django_db

URL = "/finance/claims/"


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


def test_the_list_shows_claims_with_the_waiting_tag_and_filters(finance, member, login, partnership):
    rate(partnership, 1000)
    waiting = young_aged(member, 19, user__full_name="Wanda Waiting")
    ready = young_aged(member, 19, user__full_name="Rory Ready")
    choose(ready.membership, PaymentChoice.MONEY, Rail.STRIPE)
    PayeeAccountFactory(membership=ready.membership, status="active")
    claim_for(finance, approved_log(waiting.membership))
    claim_for(finance, approved_log(ready.membership))
    client = login(finance)
    body = client.get(URL).content.decode()
    assert "Wanda Waiting" in body and "Rory Ready" in body
    assert body.count("govuk-tag--yellow") == 1
    assert "Ready to pay: Stripe (to a bank account)" in body
    assert "£25.00" in body
    only_waiting = client.get(URL, {"status": "waiting"}).content.decode()
    assert "Wanda Waiting" in only_waiting and "Rory Ready" not in only_waiting
    assert "Rory Ready" not in client.get(URL, {"status": "paid"}).content.decode()


def test_the_button_makes_claims_and_summarises_the_problems(finance, member, login, partnership):
    rate(partnership, 1000)
    approved_log(young_aged(member, 19).membership)
    approved_log(young_aged(member, 22, user__full_name="Nora Norate").membership)
    client = login(finance)
    assert "2 approved work logs are waiting to be claimed" in client.get(URL).content.decode()
    response = client.post(URL)
    assert response.status_code == 200
    body = response.content.decode()
    assert "1 claim made from approved work logs." in body
    assert "1 approved work log could not be claimed" in body
    assert "Nora Norate" in body
    assert "No pay rate for Section 11 challenge panel, 21 and over on 14 May 2026" in body
    assert 'href="/finance/rates/"' in body
    assert Claim.objects.count() == 1


def test_the_button_with_nothing_to_claim(finance, login):
    body = login(finance).post(URL).content.decode()
    assert "There were no approved work logs waiting to be claimed." in body


def test_the_claim_page_shows_explained_lines_the_engagement_and_history(finance, member, login, partnership):
    rate(partnership, 1271)
    young = young_aged(member, 19)
    log = approved_log(young.membership, expenses=(("travel", "Bus fare", "2.40", None, False),))
    claim = claim_for(finance, log)
    body = login(finance).get(f"{URL}{claim.pk}/").content.decode()
    assert f"Claim: {young.full_name}" in body
    assert f"{log.engagement.title}, 14 May 2026" in body
    assert "2 hours 30 minutes at £12.71 an hour" in body
    assert "Bus fare (no receipt)" in body
    assert "£31.78" in body and "£2.40" in body and "£34.18" in body
    assert f"/staff/work-logs/{log.pk}/" in body
    assert f"{finance.full_name} made the claim for £34.18 from the approved work log." in body
    assert "Waiting for payment details" in body


def test_finance_sees_no_safeguarding_or_support_details(finance, member, login, partnership):
    from participants.models import YoungPersonProfile

    rate(partnership, 1000)
    young = young_aged(member, 19)
    profile = YoungPersonProfile.objects.get(membership=young.membership)
    profile.health_information = "Asthma: inhaler in bag"
    profile.access_needs = "Needs step-free access"
    profile.save()
    claim = claim_for(finance, approved_log(young.membership))
    client = login(finance)
    for page in (URL, f"{URL}{claim.pk}/"):
        body = client.get(page).content.decode()
        assert "Asthma" not in body and "step-free" not in body


def test_only_finance_officers_see_claims_and_another_partnerships_is_a_404(
    finance, member, login, partnership, other_partnership
):
    rate(partnership, 1000)
    young = young_aged(member, 19)
    claim = claim_for(finance, approved_log(young.membership))
    for role in (Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN):
        client = login(member(role))
        assert client.get(URL).status_code == 403
        assert client.get(f"{URL}{claim.pk}/").status_code == 403
    client = login(young)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{claim.pk}/").status_code == 403
    elsewhere = login(member(Role.FINANCE_OFFICER, in_partnership=other_partnership))
    assert elsewhere.get(f"{URL}{claim.pk}/").status_code == 404
    assert "No claims here." in elsewhere.get(URL).content.decode()


def _count(client, address):
    client.get(address)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(address).status_code == 200
    return len(queries)


def test_the_list_query_count_does_not_grow(finance, member, login, partnership):
    rate(partnership, 1000)
    client = login(finance)

    def add(count):
        for n in range(count):
            young = young_aged(member, 19)
            choose(young.membership, PaymentChoice.MONEY, Rail.STRIPE if n % 2 else "")
            claim_for(finance, approved_log(young.membership))
            approved_log(young.membership)  # one more waiting to be claimed

    add(1)
    small = _count(client, URL), _count(client, f"{URL}?status=waiting")
    add(15)
    assert (_count(client, URL), _count(client, f"{URL}?status=waiting")) == small


def test_the_claim_page_query_count_does_not_grow_with_lines_or_history(finance, member, login, partnership):
    rate(partnership, 1000)
    small_claim = claim_for(finance, approved_log(young_aged(member, 19).membership))
    many = tuple(("travel", f"Bus {n}", "1.00", None, False) for n in range(12))
    young = young_aged(member, 19)
    big_claim = claim_for(finance, approved_log(young.membership, expenses=many))
    for choice in ("declined", "vouchers", "money", "declined"):
        claim_choice_set(actor=young, claim_id=big_claim.pk, choice=choice)
    client = login(finance)
    assert _count(client, f"{URL}{big_claim.pk}/") == _count(client, f"{URL}{small_claim.pk}/")
