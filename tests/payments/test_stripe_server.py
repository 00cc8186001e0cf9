"""The local Stripe test server, driven over real HTTP through the official SDK (`payments.stripe_client`)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
import stripe

from payments.stripe_client import stripe_client
from payments.stripe_server import StripeTestServer
from payments.stripe_server.state import INSUFFICIENT_CAPABILITIES


def new_account(email: str = "young.person@example.org", **extra: Any) -> stripe.Account:
    params: dict[str, Any] = {
        "type": "express",
        "country": "GB",
        "email": email,
        "capabilities": {"transfers": {"requested": True}},
        **extra,
    }
    return stripe_client().v1.accounts.create(params=params)  # type: ignore[arg-type]


def onboarded_account(server: StripeTestServer, email: str = "young.person@example.org") -> str:
    account = new_account(email)
    server.complete_onboarding(account.id)
    return account.id


def transfer(destination: str, amount: int = 2500, key: str | None = None, **extra: Any) -> stripe.Transfer:
    params = {"amount": amount, "currency": "gbp", "destination": destination, **extra}
    options = {"idempotency_key": key} if key else None
    return stripe_client().v1.transfers.create(params=params, options=options)  # type: ignore[arg-type]


def api_requests(server: StripeTestServer, path: str) -> list[dict[str, Any]]:
    return [r for r in server.state.requests if r["path"] == path]


# --- accounts and onboarding --------------------------------------------------------------------------------------


def test_an_express_account_starts_with_onboarding_to_do(stripe_server: StripeTestServer) -> None:
    account = new_account(metadata={"payee": 42})

    fetched = stripe_client().v1.accounts.retrieve(account.id)
    assert fetched.id == account.id and fetched.id.startswith("acct_")
    assert fetched.type == "express"
    assert fetched.country == "GB"
    assert fetched.default_currency == "gbp"
    assert fetched.email == "young.person@example.org"
    assert fetched.capabilities.to_dict() == {"transfers": "inactive"}
    assert fetched.details_submitted is False
    assert fetched.payouts_enabled is False
    assert fetched.charges_enabled is False
    assert fetched.requirements.disabled_reason == "requirements.past_due"
    assert "external_account" in fetched.requirements.currently_due
    assert fetched.metadata.to_dict() == {"payee": "42"}


def test_an_account_must_be_express_and_request_a_capability(stripe_server: StripeTestServer) -> None:
    with pytest.raises(stripe.InvalidRequestError) as standard:
        stripe_client().v1.accounts.create(params={"type": "standard", "country": "GB"})
    assert standard.value.param == "type"

    with pytest.raises(stripe.InvalidRequestError) as no_capability:
        stripe_client().v1.accounts.create(params={"type": "express", "country": "GB"})
    assert no_capability.value.param == "capabilities"


def test_an_unknown_parameter_is_refused_as_stripe_does(stripe_server: StripeTestServer) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.transfers.create(
            params={"amount": 1, "currency": "gbp", "destination": "acct_1", "amonut": 2}  # type: ignore[typeddict-unknown-key]
        )
    assert refused.value.code == "parameter_unknown"
    assert refused.value.param == "amonut"


def test_the_account_link_page_finishes_onboarding_and_returns(stripe_server: StripeTestServer) -> None:
    account = new_account()
    link = stripe_client().v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "http://127.0.0.1:8000/payments/account/?refresh=1",
            "return_url": "http://127.0.0.1:8000/payments/account/?return=1",
            "type": "account_onboarding",
        }
    )
    assert link.url.startswith(f"{stripe_server.url}/onboarding/{account.id}?link=")
    assert link.expires_at == link.created + 300

    page = requests.get(link.url, allow_redirects=False, timeout=5)
    assert page.status_code == 200
    assert "Finish" in page.text
    token = link.url.split("link=")[1]
    finished = requests.post(
        f"{stripe_server.url}/onboarding/{account.id}", data={"link": token}, allow_redirects=False, timeout=5
    )
    assert finished.status_code == 303
    assert finished.headers["Location"] == "http://127.0.0.1:8000/payments/account/?return=1"

    fetched = stripe_client().v1.accounts.retrieve(account.id)
    assert fetched.details_submitted is True
    assert fetched.payouts_enabled is True
    assert fetched.capabilities.to_dict() == {"transfers": "active"}
    assert fetched.requirements.currently_due == []
    [event] = stripe_server.events("account.updated")
    assert event["account"] == account.id
    assert event["data"]["object"]["payouts_enabled"] is True
    assert event["data"]["previous_attributes"]["payouts_enabled"] is False

    # An account link works once: visiting it again goes to refresh_url, as on Stripe.
    again = requests.get(link.url, allow_redirects=False, timeout=5)
    assert again.status_code == 302
    assert again.headers["Location"] == "http://127.0.0.1:8000/payments/account/?refresh=1"


def test_an_expired_account_link_goes_to_refresh_url(stripe_server: StripeTestServer) -> None:
    account = new_account()
    link = stripe_client().v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "http://127.0.0.1:8000/refresh",
            "return_url": "http://127.0.0.1:8000/return",
            "type": "account_onboarding",
        }
    )
    stripe_server.advance_clock(301)

    visit = requests.get(link.url, allow_redirects=False, timeout=5)

    assert visit.status_code == 302
    assert visit.headers["Location"] == "http://127.0.0.1:8000/refresh"
    assert stripe_client().v1.accounts.retrieve(account.id).details_submitted is False


def test_returning_without_finishing_leaves_the_account_unfinished(stripe_server: StripeTestServer) -> None:
    account = new_account()
    link = stripe_client().v1.account_links.create(
        params={
            "account": account.id,
            "refresh_url": "http://127.0.0.1:8000/refresh",
            "return_url": "http://127.0.0.1:8000/return",
            "type": "account_onboarding",
        }
    )
    page = requests.get(link.url, timeout=5)
    assert 'href="http://127.0.0.1:8000/return"' in page.text  # "Return without finishing"
    assert stripe_client().v1.accounts.retrieve(account.id).payouts_enabled is False


def test_restricting_an_account_stops_transfers(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.restrict(account_id)

    fetched = stripe_client().v1.accounts.retrieve(account_id)
    assert fetched.payouts_enabled is False
    assert fetched.capabilities.transfers == "inactive"
    assert fetched.requirements.disabled_reason == "requirements.past_due"
    assert [e["type"] for e in stripe_server.events()] == ["account.updated", "account.updated"]
    with pytest.raises(stripe.InvalidRequestError) as refused:
        transfer(account_id)
    assert refused.value.code == "insufficient_capabilities_for_transfer"


def test_accounts_are_listed_newest_first(stripe_server: StripeTestServer) -> None:
    ids = [new_account(f"p{i}@example.org").id for i in range(3)]

    listed = stripe_client().v1.accounts.list(params={"limit": 2})

    assert [a.id for a in listed.data] == [ids[2], ids[1]]
    assert listed.has_more is True
    assert [a.id for a in listed.auto_paging_iter()] == ids[::-1]


def test_updating_an_account_sends_account_updated(stripe_server: StripeTestServer) -> None:
    account = new_account()

    updated = stripe_client().v1.accounts.update(account.id, params={"metadata": {"payee": "7"}})

    assert updated.metadata.to_dict() == {"payee": "7"}
    [event] = stripe_server.events("account.updated")
    assert event["data"]["previous_attributes"] == {"metadata": {}}
    assert event["request"]["id"] is not None


# --- transfers ----------------------------------------------------------------------------------------------------


def test_a_transfer_moves_money_from_the_platform_to_the_account(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    before = stripe_client().v1.balance.retrieve().available[0].amount

    made = transfer(account_id, 2500, metadata={"claim": 12}, transfer_group="batch-3", description="Claim 12")

    assert made.id.startswith("tr_")
    assert (made.amount, made.currency, made.destination) == (2500, "gbp", account_id)
    assert made.metadata.to_dict() == {"claim": "12"}
    assert made.transfer_group == "batch-3"
    assert made.livemode is False
    assert made.reversed is False and made.amount_reversed == 0
    assert made.destination_payment.startswith("py_")
    assert made.balance_transaction.startswith("txn_")
    assert stripe_client().v1.transfers.retrieve(made.id).id == made.id
    assert stripe_client().v1.balance.retrieve().available[0].amount == before - 2500
    connected = stripe_client().v1.balance.retrieve(options={"stripe_account": account_id})
    assert connected.available[0].amount == 2500
    [event] = stripe_server.events("transfer.created")
    assert event["data"]["object"]["id"] == made.id
    assert "account" not in event  # a platform event


def test_transfers_are_listed_and_paginated_with_cursors_and_created(stripe_server: StripeTestServer) -> None:
    first, second = onboarded_account(stripe_server, "a@example.org"), onboarded_account(stripe_server, "b@example.org")
    made = []
    for amount in range(100, 600, 100):
        made.append(transfer(first if amount != 300 else second, amount).id)
        stripe_server.advance_clock(10)
    newest_first = made[::-1]
    client = stripe_client()

    page1 = client.v1.transfers.list(params={"limit": 2})
    assert [t.id for t in page1.data] == newest_first[:2]
    assert page1.has_more is True
    assert page1.url == "/v1/transfers"
    page2 = client.v1.transfers.list(params={"limit": 2, "starting_after": page1.data[-1].id})
    assert [t.id for t in page2.data] == newest_first[2:4]
    back = client.v1.transfers.list(params={"limit": 2, "ending_before": page2.data[0].id})
    assert [t.id for t in back.data] == newest_first[:2]
    assert back.has_more is False
    assert [t.id for t in client.v1.transfers.list(params={"limit": 2}).auto_paging_iter()] == newest_first

    since = client.v1.transfers.retrieve(made[2]).created
    recent = client.v1.transfers.list(params={"created": {"gte": since}})
    assert [t.id for t in recent.data] == newest_first[:3]
    assert [t.id for t in client.v1.transfers.list(params={"created": {"lt": since}}).data] == newest_first[3:]
    to_second = client.v1.transfers.list(params={"destination": second})
    assert [t.id for t in to_second.data] == [made[2]]


def test_a_transfer_to_an_account_that_does_not_exist_is_refused(stripe_server: StripeTestServer) -> None:
    with pytest.raises(stripe.InvalidRequestError) as refused:
        transfer("acct_1NoSuchAccount00")

    assert refused.value.http_status == 400
    assert refused.value.param == "destination"
    assert refused.value.code == "resource_missing"
    assert refused.value.user_message == "No such destination: 'acct_1NoSuchAccount00'"
    assert stripe_server.state.transfers == {}


def test_a_transfer_to_an_account_still_onboarding_is_refused(stripe_server: StripeTestServer) -> None:
    account = new_account()

    with pytest.raises(stripe.InvalidRequestError) as refused:
        transfer(account.id)

    assert refused.value.http_status == 400
    assert refused.value.code == "insufficient_capabilities_for_transfer"
    assert refused.value.user_message == INSUFFICIENT_CAPABILITIES
    assert stripe_server.state.transfers == {}


def test_a_transfer_larger_than_the_balance_is_refused(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.set_balance(1000)

    with pytest.raises(stripe.InvalidRequestError) as refused:
        transfer(account_id, 1001)

    assert refused.value.code == "balance_insufficient"
    assert stripe_server.state.balances[None] == 1000
    assert transfer(account_id, 1000).amount == 1000
    assert stripe_server.state.balances[None] == 0


def test_a_transfer_is_in_pounds_sterling_only(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_client().v1.transfers.create(params={"amount": 100, "currency": "usd", "destination": account_id})
    assert refused.value.param == "currency"


def test_reversals_return_the_money_and_send_transfer_reversed(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    start = stripe_server.state.balances[None]
    made = transfer(account_id, 3000)
    client = stripe_client()

    part = client.v1.transfers.reversals.create(made.id, params={"amount": 1000, "metadata": {"reason": "overpaid"}})
    assert part.object == "transfer_reversal"
    assert (part.amount, part.transfer) == (1000, made.id)
    half = client.v1.transfers.retrieve(made.id)
    assert (half.amount_reversed, half.reversed) == (1000, False)
    assert [r.id for r in half.reversals.data] == [part.id]

    rest = client.v1.transfers.reversals.create(made.id)
    assert rest.amount == 2000
    whole = client.v1.transfers.retrieve(made.id)
    assert (whole.amount_reversed, whole.reversed) == (3000, True)
    assert [r.id for r in client.v1.transfers.reversals.list(made.id).data] == [rest.id, part.id]
    assert stripe_server.state.balances[None] == start
    assert stripe_server.state.balances[account_id] == 0
    assert [e["data"]["object"]["amount_reversed"] for e in stripe_server.events("transfer.reversed")] == [1000, 3000]

    with pytest.raises(stripe.InvalidRequestError):
        client.v1.transfers.reversals.create(made.id, params={"amount": 1})


def test_updating_a_transfer_sends_transfer_updated(stripe_server: StripeTestServer) -> None:
    made = transfer(onboarded_account(stripe_server), metadata={"claim": "1"})

    stripe_client().v1.transfers.update(made.id, params={"metadata": {"batch": "9"}})

    [event] = stripe_server.events("transfer.updated")
    assert event["data"]["object"]["metadata"] == {"claim": "1", "batch": "9"}
    assert event["data"]["previous_attributes"] == {"metadata": {"claim": "1"}}


# --- idempotency --------------------------------------------------------------------------------------------------


def test_the_same_key_and_parameters_replay_the_saved_answer(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)

    first = transfer(account_id, 1500, key="payout-1", metadata={"claim": 1})
    again = transfer(account_id, 1500, key="payout-1", metadata={"claim": 1})

    assert again.id == first.id
    assert again.last_response.headers["Idempotent-Replayed"] == "true"
    assert again.last_response.code == 200
    assert len(stripe_server.state.transfers) == 1
    assert len(stripe_server.events("transfer.created")) == 1
    assert [r["replayed"] for r in api_requests(stripe_server, "/v1/transfers")] == [False, True]


def test_the_same_key_with_other_parameters_is_an_idempotency_error(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    transfer(account_id, 1500, key="payout-1")

    with pytest.raises(stripe.IdempotencyError) as other_amount:
        transfer(account_id, 1600, key="payout-1")
    assert other_amount.value.http_status == 400
    assert "same parameters" in (other_amount.value.user_message or "")

    with pytest.raises(stripe.IdempotencyError) as other_endpoint:
        stripe_client().v1.accounts.create(
            params={"type": "express", "capabilities": {"transfers": {"requested": True}}},
            options={"idempotency_key": "payout-1"},
        )
    assert "same endpoint" in (other_endpoint.value.user_message or "")
    assert len(stripe_server.state.transfers) == 1


def test_a_refusal_decided_by_the_endpoint_is_replayed_but_a_bad_request_is_not_saved(
    stripe_server: StripeTestServer,
) -> None:
    account = new_account()
    with pytest.raises(stripe.InvalidRequestError):
        transfer(account.id, 100, key="k-capability")
    stripe_server.complete_onboarding(account.id)
    # Stripe saves results once the endpoint ran: the same key keeps answering the first refusal.
    with pytest.raises(stripe.InvalidRequestError) as replayed:
        transfer(account.id, 100, key="k-capability")
    assert replayed.value.code == "insufficient_capabilities_for_transfer"
    assert replayed.value.headers["Idempotent-Replayed"] == "true"

    # A request refused on its parameters is not saved: fixed, it may use the same key.
    with pytest.raises(stripe.InvalidRequestError):
        stripe_client().v1.transfers.create(
            params={"amount": 100, "destination": account.id},  # type: ignore[typeddict-item]
            options={"idempotency_key": "k-fixed"},
        )
    assert transfer(account.id, 100, key="k-fixed").amount == 100


def test_idempotency_keys_are_scoped_to_the_stripe_account(stripe_server: StripeTestServer) -> None:
    first, second = onboarded_account(stripe_server, "a@example.org"), onboarded_account(stripe_server, "b@example.org")
    transfer(first, 500)
    transfer(second, 500)
    client = stripe_client()

    one = client.v1.payouts.create(
        params={"amount": 500, "currency": "gbp"}, options={"stripe_account": first, "idempotency_key": "same"}
    )
    other = client.v1.payouts.create(
        params={"amount": 500, "currency": "gbp"}, options={"stripe_account": second, "idempotency_key": "same"}
    )

    assert one.id != other.id
    assert len(stripe_server.state.payouts) == 2


# --- Stripe-Account -----------------------------------------------------------------------------------------------


def test_stripe_account_scopes_balance_payouts_and_events(stripe_server: StripeTestServer) -> None:
    first, second = onboarded_account(stripe_server, "a@example.org"), onboarded_account(stripe_server, "b@example.org")
    transfer(first, 700)
    client = stripe_client()

    assert client.v1.balance.retrieve(options={"stripe_account": first}).available[0].amount == 700
    assert client.v1.balance.retrieve(options={"stripe_account": second}).available[0].amount == 0

    paid = stripe_server.pay_out(first)
    assert (paid["amount"], paid["status"], paid["automatic"]) == (700, "paid", True)
    assert [p.id for p in client.v1.payouts.list(options={"stripe_account": first}).data] == [paid["id"]]
    assert client.v1.payouts.list(options={"stripe_account": second}).data == []
    assert client.v1.payouts.list().data == []
    assert client.v1.payouts.retrieve(paid["id"], options={"stripe_account": first}).status == "paid"
    with pytest.raises(stripe.InvalidRequestError) as elsewhere:
        client.v1.payouts.retrieve(paid["id"], options={"stripe_account": second})
    assert elsewhere.value.http_status == 404

    # Connected-account events (account.updated, payout.*) are listed with Stripe-Account; the platform's without.
    platform_types = [e.type for e in client.v1.events.list().data]
    first_types = [e.type for e in client.v1.events.list(options={"stripe_account": first}).data]
    assert platform_types == ["transfer.created"]
    assert first_types == ["payout.paid", "payout.created", "account.updated"]
    payout_events = client.v1.events.list(params={"type": "payout.*"}, options={"stripe_account": first})
    assert [e.account for e in payout_events.data] == [first, first]


def test_an_unknown_stripe_account_is_refused(stripe_server: StripeTestServer) -> None:
    with pytest.raises(stripe.PermissionError) as refused:
        stripe_client().v1.balance.retrieve(options={"stripe_account": "acct_1NoSuchAccount00"})
    assert refused.value.http_status == 403


def test_payout_balance_transactions_name_the_transfers_paid_out(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    made = [transfer(account_id, amount) for amount in (100, 200)]
    payout = stripe_server.pay_out(account_id)

    listed = stripe_client().v1.balance_transactions.list(
        params={"payout": payout["id"], "type": "payment"}, options={"stripe_account": account_id}
    )

    assert sorted(t.source for t in listed.data) == sorted(t.destination_payment for t in made)


def test_a_failed_payout_returns_the_money_and_says_why(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    transfer(account_id, 900)

    failed = stripe_server.fail_payout(account_id, "account_closed")

    assert failed["status"] == "failed"
    assert failed["failure_code"] == "account_closed"
    assert failed["failure_message"] == "The bank account has been closed."
    assert failed["failure_balance_transaction"].startswith("txn_")
    assert stripe_server.state.balances[account_id] == 900
    assert [e["type"] for e in stripe_server.events()][-3:] == ["payout.created", "payout.failed", "account.updated"]
    # The bank account is unusable: Stripe switches payouts off until a new one is given.
    account = stripe_client().v1.accounts.retrieve(account_id)
    assert account.payouts_enabled is False
    assert account.requirements.currently_due == ["external_account"]


def test_a_paid_payout_can_still_fail_later(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    transfer(account_id, 400)
    paid = stripe_server.pay_out(account_id)

    failed = stripe_server.fail_payout(account_id, "could_not_process", payout_id=paid["id"])

    assert failed["id"] == paid["id"] and failed["status"] == "failed"
    assert [e["type"] for e in stripe_server.events("payout.*")] == ["payout.created", "payout.paid", "payout.failed"]
    assert stripe_client().v1.accounts.retrieve(account_id).payouts_enabled is True


# --- failures and the SDK's retries -------------------------------------------------------------------------------


@pytest.fixture
def quick_retries(settings: Any) -> None:
    settings.STRIPE_MAX_NETWORK_RETRIES = 2


@pytest.mark.usefixtures("quick_retries")
def test_a_500_then_success_with_the_same_key_makes_one_transfer(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.fail_next("/v1/transfers", 500)

    made = transfer(account_id, 1200, key="payout-7")

    assert len(stripe_server.state.transfers) == 1
    assert stripe_server.state.transfers[made.id]["amount"] == 1200
    tries = api_requests(stripe_server, "/v1/transfers")
    assert [r["status"] for r in tries] == [500, 200]
    assert {r["idempotency_key"] for r in tries} == {"payout-7"}


@pytest.mark.usefixtures("quick_retries")
def test_a_dropped_connection_then_success_makes_one_transfer(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.fail_next("/v1/transfers", "drop")

    transfer(account_id, 1200, key="payout-8")

    assert len(stripe_server.state.transfers) == 1
    tries = api_requests(stripe_server, "/v1/transfers")
    assert [r["status"] for r in tries] == [None, 200]
    assert {r["idempotency_key"] for r in tries} == {"payout-8"}


@pytest.mark.usefixtures("quick_retries")
def test_an_answer_lost_after_the_transfer_was_made_is_replayed_on_retry(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.fail_next("/v1/transfers", "drop", after=True)

    made = transfer(account_id, 1200, key="payout-9")

    assert list(stripe_server.state.transfers) == [made.id]
    tries = api_requests(stripe_server, "/v1/transfers")
    assert [(r["status"], r["replayed"]) for r in tries] == [(None, False), (200, True)]


@pytest.mark.usefixtures("quick_retries")
def test_the_sdk_gives_up_after_its_retries(stripe_server: StripeTestServer) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.fail_next("/v1/transfers", 500, times=3)
    with pytest.raises(stripe.APIError):
        transfer(account_id, key="payout-10")

    stripe_server.fail_next("/v1/transfers", "drop", times=3)
    with pytest.raises(stripe.APIConnectionError):
        transfer(account_id, key="payout-11")

    assert stripe_server.state.transfers == {}
    assert len(api_requests(stripe_server, "/v1/transfers")) == 6
    # The server is fine afterwards, and the key was never used up.
    assert transfer(account_id, key="payout-10").amount == 2500
