"""/api/v1/claims/ and /api/v1/payment-choice/: finance officers list, filter and make claims; a young person sees
only their own and chooses how they are paid; refusals name the field; another partnership's claim is a 404; the
list's query count does not grow."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Role
from payments.models import Claim, PaymentChoice, PaymentSetup, Rail
from tests.payments.test_claims import approved_log, choose, claim_for, rate, young_aged

pytestmark = pytest.mark.django_db

URL = "/api/v1/claims/"


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


def test_a_finance_officer_makes_a_claim_from_a_log_and_reads_its_lines(finance, member, api_as, partnership):
    rate(partnership, 1271)
    young = young_aged(member, 19)
    log = approved_log(young.membership, expenses=(("travel", "Bus fare", "2.40", None, False),))
    response = api_as(finance).post(URL, {"work_log": log.pk}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["work_log_id"], body["full_name"], body["total_pence"]) == (log.pk, young.full_name, 3178 + 240)
    assert [(line["kind"], line["amount_pence"]) for line in body["lines"]] == [("pay", 3178), ("expense", 240)]
    assert body["lines"][0]["explanation"].startswith("2 hours 30 minutes at £12.71 an hour")
    assert body["payment"] == {
        "ready": False,
        "waiting": True,
        "rail": None,
        "summary": "Waiting for payment details",
        "detail": "They have not set up how to be paid yet.",
    }
    again = api_as(finance).post(URL, {"work_log": log.pk}, format="json")
    assert again.status_code == 400
    assert again.json()["extra"]["field"] == "work_log"


def test_no_rate_is_a_400_naming_the_field(finance, member, api_as):
    log = approved_log(young_aged(member, 19).membership)
    response = api_as(finance).post(URL, {"work_log": log.pk}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert (
        body["message"]
        == "No pay rate for Section 11 challenge panel, 18 to 20 on 14 May 2026: add one on the rates page"
    )
    assert body["extra"]["field"] == "rate"


def test_finance_filters_by_status_and_person(finance, member, api_as, partnership):
    rate(partnership, 1000)
    one, two = young_aged(member, 19), young_aged(member, 19)
    open_claim = claim_for(finance, approved_log(one.membership))
    choose(two.membership, PaymentChoice.DECLINED)
    declined = claim_for(finance, approved_log(two.membership))
    client = api_as(finance)
    assert {c["id"] for c in client.get(URL).json()["results"]} == {open_claim.pk, declined.pk}
    assert [c["id"] for c in client.get(URL, {"status": "declined"}).json()["results"]] == [declined.pk]
    assert [c["id"] for c in client.get(URL, {"membership": one.membership.pk}).json()["results"]] == [open_claim.pk]


def test_a_young_person_sees_only_their_own(finance, member, api_as, partnership):
    rate(partnership, 1000)
    me, other = young_aged(member, 19), young_aged(member, 19)
    mine = claim_for(finance, approved_log(me.membership))
    theirs = claim_for(finance, approved_log(other.membership))
    client = api_as(me)
    assert [c["id"] for c in client.get(URL).json()["results"]] == [mine.pk]
    assert [c["id"] for c in client.get(URL, {"membership": other.membership.pk}).json()["results"]] == [mine.pk]
    assert client.get(f"{URL}{mine.pk}/").status_code == 200
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(URL, {"work_log": approved_log(me.membership).pk}, format="json").status_code == 403


def test_workers_cannot_read_claims(member, api_as):
    assert api_as(member(Role.PARTICIPATION_WORKER)).get(URL).status_code == 403


def test_another_partnerships_claim_and_log_are_404s(finance, member, api_as, other_partnership):
    elsewhere = young_aged(member, 19, in_partnership=other_partnership)
    rate(other_partnership, 1000)
    theirs = claim_for(
        member(Role.FINANCE_OFFICER, in_partnership=other_partnership), approved_log(elsewhere.membership)
    )
    their_log = approved_log(elsewhere.membership)
    client = api_as(finance)
    assert client.get(f"{URL}{theirs.pk}/").status_code == 404
    assert client.post(URL, {"work_log": their_log.pk}, format="json").status_code == 404
    assert client.get(URL).json()["count"] == 0


def test_the_list_query_count_does_not_grow(finance, member, api_as, partnership):
    rate(partnership, 1000)
    client = api_as(finance)

    def add(count):
        for n in range(count):
            young = young_aged(member, 19)
            choose(young.membership, PaymentChoice.MONEY, Rail.STRIPE if n % 2 else "")
            claim_for(finance, approved_log(young.membership, expenses=(("travel", "Bus", "2.00", None, False),)))

    add(1)
    client.get(URL)
    with CaptureQueriesContext(connection) as small:
        client.get(URL)
    add(15)
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).json()["count"] == 16
    assert len(large) == len(small)


def test_a_young_person_changes_one_claim_and_their_standing_choice(finance, member, api_as, partnership):
    rate(partnership, 1000)
    young = young_aged(member, 19)
    claim = claim_for(finance, approved_log(young.membership, expenses=(("travel", "Bus", "2.00", None, False),)))
    client = api_as(young)
    changed = client.post(f"{URL}{claim.pk}/choice/", {"choice": "declined"}, format="json")
    assert changed.status_code == 200
    assert (changed.json()["pay_pence"], changed.json()["total_pence"]) == (0, 200)
    assert client.get("/api/v1/payment-choice/").json() == {"choice": "money", "choice_label": "Money"}
    saved = client.put("/api/v1/payment-choice/", {"choice": "vouchers", "apply_to_open_claims": True}, format="json")
    assert saved.json() == {"choice": "vouchers", "choice_label": "Gift vouchers"}
    assert PaymentSetup.objects.get().choice == "vouchers"
    assert Claim.objects.get().choice == "vouchers"
    assert api_as(finance).put("/api/v1/payment-choice/", {"choice": "money"}, format="json").status_code == 403
