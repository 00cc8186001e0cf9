"""The young person's payment choice page (plain words about benefits and expenses) and the worker's payment nominee
page: saving, errors on their fields with what was typed kept, who may use them, another partnership's young person
is a 404, and query counts."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Role
from payments.models import Claim, PaymentSetup
from tests.payments.test_claims import approved_log, claim_for, rate, young_aged

pytestmark = pytest.mark.django_db

CHOICE = "/payments/choice/"


def text(response) -> str:
    """The page's HTML with runs of whitespace as one space (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def nominee_url(membership) -> str:
    return f"/staff/people/{membership.pk}/payment-nominee/"


NOMINEE = {
    "action": "record",
    "name": "Jo Parent",
    "email": "jo@example.org",
    "relationship": "Mum",
    "consent_note": "Sam and Jo agreed at the youth centre.",
}


def test_the_choice_page_explains_each_choice_in_plain_words(member, login):
    body = text(login(young_aged(member, 16)).get(CHOICE))
    assert "How you get paid" in body
    assert "Being paid could change benefits you or your family get" in body
    assert "We still pay you back for money you spent to take part" in body
    assert "because that is not pay" in body
    assert 'value="money"' in body and 'value="vouchers"' in body and 'value="declined"' in body
    assert "You chose: <strong>Money</strong>" in body
    assert "claims that are not paid yet" not in body  # no open claims: no box for them


def test_saving_a_choice_and_applying_it_to_open_claims(member, login, partnership):
    rate(partnership, 1000)
    young = young_aged(member, 19)
    claim = claim_for(member(Role.FINANCE_OFFICER), approved_log(young.membership))
    client = login(young)
    assert "You have 1 claim waiting to be paid" in text(client.get(CHOICE))
    response = client.post(CHOICE, {"choice": "vouchers", "apply_to_open_claims": "on"})
    assert response.status_code == 302
    assert PaymentSetup.objects.get().choice == "vouchers"
    claim.refresh_from_db()
    assert claim.choice == "vouchers"
    assert "Saved. You chose: gift vouchers." in client.get(CHOICE).content.decode()


def test_no_choice_is_an_error_on_the_radios(member, login):
    body = login(young_aged(member, 16)).post(CHOICE, {}).content.decode()
    assert '<a href="#id_choice">Choose how you want to be paid</a>' in body
    assert not PaymentSetup.objects.exists()


def test_staff_cannot_use_the_choice_page(member, login):
    assert login(member(Role.FINANCE_OFFICER)).get(CHOICE).status_code == 403


def test_the_choice_page_query_count_does_not_grow_with_claims(member, login, partnership):
    rate(partnership, 1000)
    young = young_aged(member, 19)
    finance = member(Role.FINANCE_OFFICER)
    client = login(young)
    claim_for(finance, approved_log(young.membership))
    client.get(CHOICE)
    with CaptureQueriesContext(connection) as small:
        client.get(CHOICE)
    for _ in range(8):
        claim_for(finance, approved_log(young.membership))
    with CaptureQueriesContext(connection) as large:
        client.get(CHOICE)
    assert len(large) == len(small)


# --- The payment nominee ------------------------------------------------------------------------------------------


def test_a_worker_records_and_removes_a_nominee(member, login):
    young = young_aged(member, 14)
    worker = member(Role.PARTICIPATION_WORKER)
    client = login(worker)
    body = client.get(nominee_url(young.membership)).content.decode()
    assert "No nominee is recorded" in body and young.full_name in body
    assert client.post(nominee_url(young.membership), NOMINEE).status_code == 302
    setup = PaymentSetup.objects.get()
    assert (setup.nominee_name, setup.nominee_recorded_by) == ("Jo Parent", worker)
    body = client.get(nominee_url(young.membership)).content.decode()
    assert "Jo Parent (Mum)" in body and "Remove the nominee" in body
    assert client.post(nominee_url(young.membership), {"action": "remove"}).status_code == 302
    setup.refresh_from_db()
    assert not setup.has_nominee


def test_a_missing_consent_note_is_shown_on_its_field_and_nothing_typed_is_lost(member, login):
    young = young_aged(member, 14)
    client = login(member(Role.PARTICIPATION_WORKER))
    body = client.post(nominee_url(young.membership), {**NOMINEE, "consent_note": ""}).content.decode()
    assert '<a href="#id_consent_note">Enter how consent was given</a>' in body
    assert 'value="Jo Parent"' in body and 'value="jo@example.org"' in body
    assert not PaymentSetup.objects.exists()


def test_only_workers_use_the_nominee_page_and_another_partnership_is_a_404(member, login, other_partnership):
    young = young_aged(member, 14)
    for role in (Role.FINANCE_OFFICER, Role.YOUNG_PERSON):
        assert login(member(role)).get(nominee_url(young.membership)).status_code == 403
    elsewhere = login(member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership))
    assert elsewhere.get(nominee_url(young.membership)).status_code == 404
    assert elsewhere.post(nominee_url(young.membership), NOMINEE).status_code == 404
    assert not PaymentSetup.objects.exists()
    assert not Claim.objects.exists()


def test_the_nominee_page_query_count_is_small(member, login):
    young = young_aged(member, 14)
    client = login(member(Role.PARTICIPATION_WORKER))
    client.post(nominee_url(young.membership), NOMINEE)
    client.get(nominee_url(young.membership))
    with CaptureQueriesContext(connection) as queries:
        assert client.get(nominee_url(young.membership)).status_code == 200
    assert len(queries) <= 12
