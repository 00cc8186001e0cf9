"""Reconciliation against the local Stripe test server (real HTTP, the official SDK): each kind of mismatch between
the payouts recorded here and the transfers Stripe lists is found and shown; each partnership sees only its own;
"Run now" runs it; Stripe being down is shown, not hidden."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.models import AuditEvent
from participants.models import Role
from payments.models import PayeeAccount, Payout, ReconciliationRun
from payments.services.reconciliation import reconciliation_run
from payments.stripe_client import stripe_client
from tests.payments.test_webhooks import stripe_account, stripe_payout

pytestmark = pytest.mark.django_db


def connected(stripe_server: Any, partnership: Any) -> PayeeAccount:
    """A connected account at Stripe, onboarded, and its PayeeAccount here."""
    created = stripe_client().v1.accounts.create(
        params={"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    stripe_server.complete_onboarding(created.id)
    return stripe_account(stripe_account_id=created.id, membership__partnership=partnership)


def transfer(destination: str, amount: int, payout: Payout | None = None, **extra: Any) -> dict[str, Any]:
    metadata = (
        {"payout": str(payout.pk), "claim": str(payout.claim_id), "partnership": str(payout.partnership_id)}
        if payout is not None
        else {}
    )
    params = {"amount": amount, "currency": "gbp", "destination": destination, "metadata": metadata, **extra}
    return stripe_client().v1.transfers.create(params=params).to_dict()  # type: ignore[arg-type]


def paid_with_transfer(stripe_server: Any, account: PayeeAccount, *, status: str = Payout.Status.PAID, **kwargs: Any):
    payout = stripe_payout(account, status=status, stripe_transfer_id=None, **kwargs)
    made = transfer(account.stripe_account_id, payout.amount_pence, payout)
    Payout.objects.filter(pk=payout.pk).update(stripe_transfer_id=made["id"])
    payout.refresh_from_db()
    return payout, made


def kinds(run: ReconciliationRun) -> list[str]:
    return sorted(m["kind"] for m in run.mismatches)


def only_run(partnership: Any) -> ReconciliationRun:
    runs = reconciliation_run(partnership_ids=[partnership.pk])
    assert len(runs) == 1
    return runs[0]


def test_everything_matching_records_a_clean_run(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    for status in (Payout.Status.SENT, Payout.Status.PAID):
        paid_with_transfer(stripe_server, account, status=status)
    run = only_run(partnership)
    assert run.partnership_id == partnership.pk
    assert run.mismatches == [] and run.checked == 2


def test_a_transfer_with_no_payout_here(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    stray = transfer(account.stripe_account_id, 1234)
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "transfer_unknown"
    assert mismatch["transfer_id"] == stray["id"] and mismatch["stripe_amount_pence"] == 1234
    assert mismatch["payout_id"] is None
    assert "£12.34" in mismatch["message"] and stray["id"] in mismatch["message"]


def test_payouts_marked_sent_or_paid_with_no_transfer_at_stripe(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    invented = stripe_payout(account, status=Payout.Status.PAID, stripe_transfer_id="tr_never_made")
    no_id = stripe_payout(account, status=Payout.Status.SENT, stripe_transfer_id=None)
    run = only_run(partnership)
    assert kinds(run) == ["transfer_missing", "transfer_missing"]
    by_payout = {m["payout_id"]: m for m in run.mismatches}
    assert by_payout[invented.pk]["transfer_id"] == "tr_never_made"
    assert by_payout[invented.pk]["our_amount_pence"] == invented.amount_pence
    assert "no transfer" in by_payout[no_id.pk]["message"]


def test_an_amount_that_differs(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    payout = stripe_payout(account, status=Payout.Status.SENT, amount=2850, stripe_transfer_id=None)
    made = transfer(account.stripe_account_id, 2580, payout)
    Payout.objects.filter(pk=payout.pk).update(stripe_transfer_id=made["id"])
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "amount_mismatch"
    assert (mismatch["our_amount_pence"], mismatch["stripe_amount_pence"]) == (2850, 2580)
    assert mismatch["payout_id"] == payout.pk and mismatch["payee_name"] == payout.payee_name


def test_a_transfer_to_another_account(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    other = connected(stripe_server, partnership)
    payout = stripe_payout(account, status=Payout.Status.PAID, stripe_transfer_id=None)
    made = transfer(other.stripe_account_id, payout.amount_pence, payout)
    Payout.objects.filter(pk=payout.pk).update(stripe_transfer_id=made["id"])
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "destination_mismatch"
    assert mismatch["destination"] == other.stripe_account_id
    assert account.stripe_account_id in mismatch["message"]


def test_reversed_at_stripe_but_not_here(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    _, made = paid_with_transfer(stripe_server, account)
    stripe_client().v1.transfers.reversals.create(made["id"])
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "reversed_not_recorded"
    assert mismatch["our_status"] == "paid"


def test_reversed_here_but_not_at_stripe(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    payout, _ = paid_with_transfer(stripe_server, account, status=Payout.Status.REVERSED)
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "reversal_not_at_stripe" and mismatch["payout_id"] == payout.pk


def test_reversed_in_both_places_matches(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    _, made = paid_with_transfer(stripe_server, account, status=Payout.Status.REVERSED)
    stripe_client().v1.transfers.reversals.create(made["id"])
    assert only_run(partnership).mismatches == []


def test_a_payout_marked_failed_whose_transfer_went_through(stripe_server, partnership):
    """The answer to the transfer request was lost and the payout failed here: paying the claim again would pay
    twice. Reconciliation says so."""
    account = connected(stripe_server, partnership)
    payout = stripe_payout(account, status=Payout.Status.FAILED, stripe_transfer_id=None)
    made = transfer(account.stripe_account_id, payout.amount_pence, payout)
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "failed_but_transferred"
    assert mismatch["transfer_id"] == made["id"] and "Reverse the transfer" in mismatch["message"]


def test_a_transfer_not_recorded_on_its_payout(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    payout = stripe_payout(account, status=Payout.Status.PAID, stripe_transfer_id="tr_something_else")
    made = transfer(account.stripe_account_id, payout.amount_pence, payout)
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "transfer_not_recorded" and mismatch["transfer_id"] == made["id"]
    assert "records tr_something_else" in mismatch["message"]


def test_a_payout_still_sending_an_hour_after_its_transfer(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    payout = stripe_payout(account, status=Payout.Status.SENDING, stripe_transfer_id=None)
    transfer(account.stripe_account_id, payout.amount_pence, payout)
    assert reconciliation_run(partnership_ids=[partnership.pk])[0].mismatches == []  # submission still running
    later = timezone.now() + datetime.timedelta(hours=2)
    [run] = reconciliation_run(partnership_ids=[partnership.pk], now=later)
    assert kinds(run) == ["transfer_not_recorded"]


def test_a_recorded_transfer_older_than_the_window_is_fetched_on_its_own(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    payout, made = paid_with_transfer(stripe_server, account)
    missing = stripe_payout(account, status=Payout.Status.PAID, stripe_transfer_id="tr_gone")
    later = timezone.now() + datetime.timedelta(minutes=10)
    Payout.objects.filter(pk__in=[payout.pk, missing.pk]).update(sent_at=later + datetime.timedelta(minutes=1))
    [run] = reconciliation_run(partnership_ids=[partnership.pk], now=later, days=0)
    assert [(m["kind"], m["payout_id"]) for m in run.mismatches] == [("transfer_missing", missing.pk)]
    fetched = [r for r in stripe_server.state.requests if r["path"] == f"/v1/transfers/{made['id']}"]
    assert len(fetched) == 1


def test_every_page_of_transfers_is_read(stripe_server, partnership):
    account = connected(stripe_server, partnership)
    for _ in range(105):
        transfer(account.stripe_account_id, 100)
    run = only_run(partnership)
    assert len(run.mismatches) == 105 and run.checked == 105
    pages = [r for r in stripe_server.state.requests if r["path"] == "/v1/transfers" and r["method"] == "GET"]
    assert len(pages) >= 2


def test_each_partnership_gets_only_its_own_mismatches(stripe_server, partnership, other_partnership):
    ours = connected(stripe_server, partnership)
    theirs = connected(stripe_server, other_partnership)
    transfer(ours.stripe_account_id, 111)
    transfer(theirs.stripe_account_id, 222)
    runs = {run.partnership_id: run for run in reconciliation_run()}
    assert set(runs) == {partnership.pk, other_partnership.pk}
    assert [m["stripe_amount_pence"] for m in runs[partnership.pk].mismatches] == [111]
    assert [m["stripe_amount_pence"] for m in runs[other_partnership.pk].mismatches] == [222]


def test_a_transfer_belonging_to_no_partnership_is_logged_not_shown(stripe_server, partnership, caplog):
    connected(stripe_server, partnership)
    stranger = stripe_client().v1.accounts.create(
        params={"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    stripe_server.complete_onboarding(stranger.id)
    transfer(stranger.id, 999)
    assert only_run(partnership).mismatches == []
    assert "belongs to no partnership" in caplog.text


def test_stripe_being_down_is_recorded_as_such(stripe_server, partnership, settings):
    settings.STRIPE_MAX_NETWORK_RETRIES = 0
    connected(stripe_server, partnership)
    stripe_server.fail_next("/v1/transfers", status=500, times=3)
    [mismatch] = only_run(partnership).mismatches
    assert mismatch["kind"] == "stripe_unreachable"
    assert "nothing was compared" in mismatch["message"]


# --- The page ------------------------------------------------------------------------------------------------------


URL = "/finance/reconciliation/"


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


def test_the_page_shows_the_latest_run_and_every_mismatch(finance, login_with_second_factor, partnership):
    ReconciliationRun.objects.create(partnership=partnership, checked=3, mismatches=[])
    ReconciliationRun.objects.create(
        partnership=partnership,
        checked=7,
        mismatches=[
            {
                "kind": "amount_mismatch",
                "message": "Transfer tr_abc is £25.80 GBP at Stripe",
                "payout_id": 12,
                "claim_id": 4,
                "payee_name": "Sam Jones",
                "transfer_id": "tr_abc",
                "our_amount_pence": 2850,
                "stripe_amount_pence": 2580,
                "our_status": "sent",
                "destination": "acct_1",
            },
            {
                "kind": "transfer_unknown",
                "message": "Stripe has a transfer tr_zzz",
                "payout_id": None,
                "claim_id": None,
                "payee_name": "",
                "transfer_id": "tr_zzz",
                "our_amount_pence": None,
                "stripe_amount_pence": 100,
                "our_status": "",
                "destination": "acct_2",
            },
        ],
    )
    page = login_with_second_factor(finance).get(URL).content.decode()
    assert "Amounts differ" in page and "Transfer tr_abc is £25.80 GBP at Stripe" in page and "Sam Jones" in page
    assert "2850" in page and "2580" in page
    assert "Transfer with no payout here" in page and "tr_zzz" in page
    assert "2 mismatches found" in page
    assert "3 compared, 0 mismatches" in page


def test_the_page_shows_events_waiting(finance, login_with_second_factor, partnership, other_partnership):
    from payments.models import StripeEvent

    StripeEvent.objects.create(event_id="evt_waiting_1", event_type="payout.paid", partnership=partnership, payload={})
    StripeEvent.objects.create(
        event_id="evt_theirs", event_type="payout.paid", partnership=other_partnership, payload={}
    )
    page = login_with_second_factor(finance).get(URL).content.decode()
    assert "evt_waiting_1" in page and "evt_theirs" not in page


def test_another_partnerships_runs_are_not_shown(finance, login_with_second_factor, other_partnership):
    ReconciliationRun.objects.create(
        partnership=other_partnership, checked=1, mismatches=[{"kind": "transfer_unknown", "message": "tr_secret"}]
    )
    page = login_with_second_factor(finance).get(URL).content.decode()
    assert "tr_secret" not in page and "No check has been run yet." in page


def test_run_now_runs_it_for_this_partnership_only(
    stripe_server, finance, login_with_second_factor, partnership, other_partnership, django_capture_on_commit_callbacks
):
    account = connected(stripe_server, partnership)
    transfer(account.stripe_account_id, 4321)
    connected(stripe_server, other_partnership)
    client = login_with_second_factor(finance)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(URL)
    assert response.status_code == 302 and response["Location"] == URL
    assert ReconciliationRun.objects.filter(partnership=other_partnership).count() == 0
    run = ReconciliationRun.objects.get(partnership=partnership)
    assert [m["stripe_amount_pence"] for m in run.mismatches] == [4321]
    assert AuditEvent.objects.filter(event_type="reconciliation.requested", actor=finance).exists()
    assert "4321" in client.get(URL).content.decode()


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_only_finance_officers_see_it(member, login_with_second_factor, role):
    client = login_with_second_factor(member(role))
    assert client.get(URL).status_code == 403
    assert client.post(URL).status_code == 403
    assert AuditEvent.objects.filter(event_type="reconciliation.requested").count() == 0


def test_the_page_takes_the_same_queries_whatever_the_number_of_mismatches(
    finance, login_with_second_factor, partnership
):
    client = login_with_second_factor(finance)

    def make(count: int) -> None:
        ReconciliationRun.objects.create(
            partnership=partnership,
            checked=count,
            mismatches=[
                {
                    "kind": "transfer_missing",
                    "message": f"m{i}",
                    "payout_id": i,
                    "claim_id": i,
                    "payee_name": "A",
                    "transfer_id": f"tr_{i}",
                    "our_amount_pence": i,
                    "stripe_amount_pence": None,
                    "our_status": "paid",
                    "destination": "",
                }
                for i in range(count)
            ],
        )

    make(2)
    client.get(URL)  # the first request saves the session
    with CaptureQueriesContext(connection) as few:
        assert client.get(URL).status_code == 200
    for _ in range(5):
        make(40)
    with CaptureQueriesContext(connection) as many:
        assert client.get(URL).status_code == 200
    assert len(many) == len(few) and len(many) <= 15
