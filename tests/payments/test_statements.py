"""The young person's payments page and their yearly statement of earnings (6 April to 5 April, paid payouts only,
pay and expenses totalled apart). Each sees only their own."""

from __future__ import annotations

import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import Role
from payments.models import Claim, PayeeAccount, PaymentSetup, Payout, Rail
from payments.services.statements import (
    earnings_statement_for,
    earnings_statement_pdf,
    own_payments,
    tax_year_of,
)
from tests.factories.payments import ClaimFactory, PayeeAccountFactory
from tests.payments.test_webhooks import stripe_account, stripe_payout

pytestmark = pytest.mark.django_db

UK = ZoneInfo("Europe/London")


@pytest.fixture
def young(member):
    return member(Role.YOUNG_PERSON)


def paid(membership: Any, when: datetime.datetime, *, amount: int = 2850, status: str = Payout.Status.PAID) -> Payout:
    account = PayeeAccount.objects.filter(membership=membership, rail=Rail.STRIPE).first() or stripe_account(
        membership=membership
    )
    payout = stripe_payout(account, status=status, amount=amount)
    Payout.objects.filter(pk=payout.pk).update(paid_at=when if status == Payout.Status.PAID else None)
    payout.refresh_from_db()
    return payout


# --- The statement ---------------------------------------------------------------------------------------------------


def test_the_tax_year_runs_from_6_april_to_5_april():
    assert tax_year_of(datetime.date(2026, 4, 5)) == 2025
    assert tax_year_of(datetime.date(2026, 4, 6)) == 2026


def test_the_statement_lists_paid_payouts_of_the_tax_year_in_uk_time(young):
    membership = young.membership
    last_evening = paid(membership, datetime.datetime(2026, 4, 5, 23, 30, tzinfo=UK), amount=1000)  # 22:30 UTC
    next_morning = paid(membership, datetime.datetime(2026, 4, 6, 0, 30, tzinfo=UK), amount=2000)  # 23:30 UTC 5th
    first_day = paid(membership, datetime.datetime(2025, 4, 6, 9, 0, tzinfo=UK), amount=3000)
    paid(membership, datetime.datetime(2025, 4, 5, 12, 0, tzinfo=UK), amount=4000)  # the year before
    paid(membership, datetime.datetime(2025, 6, 1, 12, 0, tzinfo=UK), status=Payout.Status.SENT)
    paid(membership, datetime.datetime(2025, 6, 1, 12, 0, tzinfo=UK), status=Payout.Status.FAILED)

    statement = earnings_statement_for(young, 2025)

    assert statement.period == "6 April 2025 to 5 April 2026"
    assert [row.paid_on for row in statement.rows] == [datetime.date(2025, 4, 6), datetime.date(2026, 4, 5)]
    assert [row.pay_pence + row.expenses_pence for row in statement.rows] == [3000, 1000]
    assert earnings_statement_for(young, 2026).rows[0].engagement == next_morning.claim.engagement.title
    assert statement.rows[0].engagement == first_day.claim.engagement.title
    assert statement.rows[1].how == "through Stripe to your bank account"
    assert last_evening.claim.engagement.title == statement.rows[1].engagement


def test_pay_and_expenses_are_totalled_apart(young):
    for amount in (2850, 1450):
        paid(young.membership, datetime.datetime(2025, 9, 1, 12, 0, tzinfo=UK), amount=amount)
    statement = earnings_statement_for(young, 2025)
    assert statement.total_pay_pence == (2850 - 450) + (1450 - 450)
    assert statement.total_expenses_pence == 900
    assert statement.total_pence == 4300


def test_someone_elses_payments_are_not_on_my_statement(young, member):
    other = member(Role.YOUNG_PERSON)
    paid(other.membership, datetime.datetime(2025, 9, 1, 12, 0, tzinfo=UK))
    assert earnings_statement_for(young, 2025).rows == []


def test_the_pdf_holds_the_name_partnership_each_payment_and_the_totals(young):
    payout = paid(young.membership, datetime.datetime(2025, 9, 1, 12, 0, tzinfo=UK))
    pdf = earnings_statement_pdf(earnings_statement_for(young, 2025))
    assert pdf.startswith(b"%PDF")
    text = pdf.decode("latin-1")
    assert young.full_name in text and young.partnership.name in text
    assert payout.claim.engagement.title in text
    assert "1 September 2025" in text
    assert "Earnings \\(pay\\)" in text and "not earnings" in text and "benefits" in text
    assert "24.00" in text and "4.50" in text and "28.50" in text


def test_an_empty_year_still_makes_a_statement(young):
    pdf = earnings_statement_pdf(earnings_statement_for(young, 2024))
    assert b"No payments were made to you in this tax year." in pdf


def test_the_statement_page_is_a_pdf_download(young, login):
    paid(young.membership, datetime.datetime(2025, 9, 1, 12, 0, tzinfo=UK))
    response = login(young).get("/payments/statement/2025/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="statement-of-earnings-2025-2026.pdf"'
    assert response.content.startswith(b"%PDF")


@pytest.mark.parametrize("year", [1999, 2100])
def test_a_year_out_of_range_is_a_404(young, login, year):
    assert login(young).get(f"/payments/statement/{year}/").status_code == 404


def test_staff_have_no_statement(member, login_with_second_factor):
    client = login_with_second_factor(member(Role.FINANCE_OFFICER))
    assert client.get("/payments/statement/2025/").status_code == 403
    assert client.get("/payments/").status_code == 403


def test_signing_in_is_needed(client):
    assert client.get("/payments/statement/2025/").status_code == 302
    assert client.get("/payments/").status_code == 302


# --- The payments page -----------------------------------------------------------------------------------------------


def test_the_page_says_where_each_claim_is_in_plain_words(young, login):
    membership = young.membership
    waiting = ClaimFactory(membership=membership, status=Claim.Status.OPEN)
    paid_one = paid(membership, datetime.datetime(2026, 3, 3, 12, 0, tzinfo=UK))
    Payout.objects.filter(pk=paid_one.pk).update(rail=Rail.BANK)
    failed = stripe_payout(
        PayeeAccount.objects.get(membership=membership, rail=Rail.STRIPE), status=Payout.Status.FAILED
    )
    Claim.objects.filter(pk=failed.claim_id).update(status=Claim.Status.FAILED)
    in_run = stripe_payout(
        PayeeAccount.objects.get(membership=membership, rail=Rail.STRIPE), status=Payout.Status.PENDING
    )

    page = login(young).get("/payments/").content.decode()

    assert "Waiting for your payment details" in page
    assert "Paid on 3 March 2026 by bank transfer" in page
    assert "Payment failed: we are sorting it out" in page
    assert "In the next payment run" in page
    for claim in (waiting, paid_one.claim, failed.claim, in_run.claim):
        assert claim.engagement.title in page
    assert "Bus fare" in page and "£4.50" in page and "£28.50" in page
    assert "/payments/statement/2025/" in page
    assert "/payments/choice/" in page


def test_an_open_claim_of_someone_ready_to_be_paid_is_in_the_next_run(young, login):
    membership = young.membership
    PaymentSetup.objects.create(partnership=membership.partnership, membership=membership, rail=Rail.STRIPE)
    stripe_account(membership=membership)
    ClaimFactory(membership=membership, status=Claim.Status.OPEN)
    page = login(young).get("/payments/").content.decode()
    assert "In the next payment run" in page and "Waiting for your payment details" not in page


def test_a_young_person_sees_only_their_own_claims(young, member, login):
    other = member(Role.YOUNG_PERSON)
    mine = ClaimFactory(membership=young.membership)
    theirs = ClaimFactory(membership=other.membership)
    elsewhere = ClaimFactory()  # another partnership
    page = login(young).get("/payments/").content.decode()
    assert mine.engagement.title in page
    assert theirs.engagement.title not in page and elsewhere.engagement.title not in page
    assert [view.claim.pk for view in own_payments(young).claims] == [mine.pk]


def test_the_page_takes_the_same_queries_whatever_the_number_of_claims(young, login):
    membership = young.membership
    account = stripe_account(membership=membership)
    client = login(young)

    def add(count: int) -> None:
        for index in range(count):
            payout = stripe_payout(account, status=Payout.Status.PAID if index % 2 else Payout.Status.SENT)
            Payout.objects.filter(pk=payout.pk).update(paid_at=datetime.datetime(2025, 9, 1, tzinfo=UK))
        ClaimFactory(membership=membership)

    add(2)
    client.get("/payments/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/payments/").status_code == 200
    add(10)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/payments/").status_code == 200
    assert len(many) == len(few) and len(many) <= 15  # a page of claims, its count, open claims, paid days


def test_an_unfinished_stripe_account_asks_for_payment_details(young, login):
    membership = young.membership
    PaymentSetup.objects.create(partnership=membership.partnership, membership=membership, rail=Rail.STRIPE)
    PayeeAccountFactory(membership=membership, rail=Rail.STRIPE, status=PayeeAccount.Status.PENDING)
    ClaimFactory(membership=membership, status=Claim.Status.OPEN)
    page = login(young).get("/payments/").content.decode()
    assert "Waiting for your payment details" in page
    assert "We need your payment details before we can pay you." in page and "/payments/account/" in page


def test_the_page_shows_20_claims_at_a_time_but_speaks_for_all_of_them(young, login):
    """Newest first, 20 to a page. An older claim on page 2 that waits for payment details still brings the notice
    to page 1, and a tax year paid only on page 2 still has its statement link."""
    membership = young.membership
    PaymentSetup.objects.create(partnership=membership.partnership, membership=membership, rail=Rail.STRIPE)
    PayeeAccountFactory(membership=membership, rail=Rail.STRIPE, status=PayeeAccount.Status.PENDING)
    oldest = ClaimFactory(membership=membership, status=Claim.Status.OPEN, work_date=datetime.date(2024, 1, 10))
    paid_long_ago = paid(membership, datetime.datetime(2023, 5, 1, 12, 0, tzinfo=UK))
    Claim.objects.filter(pk=paid_long_ago.claim_id).update(work_date=datetime.date(2023, 4, 20))
    newer = [
        ClaimFactory(membership=membership, status=Claim.Status.DECLINED, work_date=datetime.date(2025, 1, day))
        for day in range(1, 21)
    ]
    client = login(young)

    first = client.get("/payments/").content.decode()
    assert all(claim.engagement.title in first for claim in newer)
    assert oldest.engagement.title not in first
    assert "Page 1 of 2" in first and "?page=2" in first
    assert "We need your payment details before we can pay you." in first
    assert "/payments/statement/2023/" in first  # paid 1 May 2023: the tax year from 6 April 2023

    second = client.get("/payments/?page=2").content.decode()
    assert oldest.engagement.title in second and paid_long_ago.claim.engagement.title in second
    assert newer[0].engagement.title not in second
    assert "Waiting for your payment details" in second

    payments = own_payments(young, 2)
    assert [view.claim.pk for view in payments.claims] == [oldest.pk, paid_long_ago.claim_id]
    assert payments.waiting_for_details
    assert 2023 in payments.statement_years


def test_no_open_claim_waiting_means_no_notice(young):
    membership = young.membership
    ClaimFactory(membership=membership, status=Claim.Status.DECLINED)
    assert not own_payments(young).waiting_for_details


def test_open_claims_cost_the_same_queries_however_many(young, login):
    """Whether any open claim waits for payment details is asked of every open claim: in a fixed number of queries
    (route_for reads each claim's person, loaded with the claims)."""
    membership = young.membership
    # Paid in vouchers: every open claim is ready, so each one is asked (a waiting one would end the search).
    PaymentSetup.objects.create(partnership=membership.partnership, membership=membership, rail=Rail.VOUCHER)
    client = login(young)
    ClaimFactory(membership=membership, status=Claim.Status.OPEN)
    client.get("/payments/")
    with CaptureQueriesContext(connection) as few:
        assert client.get("/payments/").status_code == 200
    for _ in range(5):
        ClaimFactory(membership=membership, status=Claim.Status.OPEN)
    with CaptureQueriesContext(connection) as many:
        assert client.get("/payments/").status_code == 200
    assert len(many) == len(few)
