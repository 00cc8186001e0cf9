"""Webhooks from the local Stripe test server: signed as Stripe signs (checked with the official SDK), delivered in
the background, retried, and held back and released in a chosen order."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
import stripe

from payments.stripe_client import stripe_client
from payments.stripe_server import StripeTestServer, signature_header


class Receiver:
    """A webhook endpoint for the tests: records what arrives, answers the statuses queued in `answers` (then
    200), and can be made to wait on `gate` before answering."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, str], bytes]] = []
        self.answers: list[int] = []
        self.gate: threading.Event | None = None
        self.arrived = threading.Event()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                with receiver.lock:
                    receiver.received.append((dict(self.headers), body))
                    status = receiver.answers.pop(0) if receiver.answers else 200
                receiver.arrived.set()
                if receiver.gate is not None:
                    receiver.gate.wait(10)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/payments/stripe/webhook/token/"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def types(self) -> list[str]:
        with self.lock:
            return [json.loads(body)["type"] for _headers, body in self.received]

    def stop(self) -> None:
        if self.gate is not None:
            self.gate.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.stop()


def onboarded_account(server: StripeTestServer) -> str:
    account = stripe_client().v1.accounts.create(
        params={"type": "express", "country": "GB", "capabilities": {"transfers": {"requested": True}}}
    )
    server.complete_onboarding(account.id)
    return account.id


def transfer(destination: str, amount: int = 1000) -> stripe.Transfer:
    return stripe_client().v1.transfers.create(params={"amount": amount, "currency": "gbp", "destination": destination})


def test_a_signed_event_verifies_with_the_sdk(stripe_server: StripeTestServer, settings: Any) -> None:
    made = transfer(onboarded_account(stripe_server))
    [event] = stripe_server.events("transfer.created")

    body, headers = stripe_server.signed(event)

    verified = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], settings.STRIPE_WEBHOOK_SECRET, 300)
    assert verified.id == event["id"]
    assert verified.type == "transfer.created"
    assert verified.data.object.id == made.id
    assert verified.data.object.amount == 1000
    assert headers["Content-Type"].startswith("application/json")
    # And by the client's own method, which the webhook view may use.
    assert stripe_client().construct_event(body, headers["Stripe-Signature"], settings.STRIPE_WEBHOOK_SECRET).id


def test_a_tampered_a_wrongly_signed_or_a_stale_event_does_not_verify(stripe_server: StripeTestServer) -> None:
    transfer(onboarded_account(stripe_server))
    [event] = stripe_server.events("transfer.created")
    secret = stripe_server.webhook_secret
    body, headers = stripe_server.signed(event)

    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace(b"1000", b"9000"), headers["Stripe-Signature"], secret, 300)
    _, wrong = stripe_server.signed(event, secret="whsec_someone_else")
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, wrong["Stripe-Signature"], secret, 300)
    stale_body, stale = stripe_server.signed(event, timestamp=int(time.time()) - 301)
    with pytest.raises(stripe.SignatureVerificationError, match="tolerance"):
        stripe.Webhook.construct_event(stale_body, stale["Stripe-Signature"], secret, 300)


def test_the_signature_is_hmac_sha256_of_timestamp_dot_body() -> None:
    # Computed here independently of the server's code: v1 = HMAC-SHA256(secret, "<t>.<body>") in hex.
    expected = hmac.new(b"whsec_abc", b"1700000000.{}", hashlib.sha256).hexdigest()
    assert signature_header(b"{}", "whsec_abc", 1700000000) == f"t=1700000000,v1={expected}"


def test_events_are_delivered_in_the_background_without_holding_up_the_api(
    stripe_server: StripeTestServer, receiver: Receiver
) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.webhook_target(receiver.url)
    receiver.gate = threading.Event()  # the endpoint does not answer until the test says so

    made = transfer(account_id)  # answered while the webhook is still waiting for its answer

    assert receiver.arrived.wait(5)
    assert not receiver.gate.is_set()
    receiver.gate.set()
    assert stripe_server.wait_for_webhooks(5)
    [(headers, body)] = receiver.received
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], stripe_server.webhook_secret, 300)
    assert event.type == "transfer.created"
    assert event.data.object.id == made.id
    assert event.pending_webhooks == 1  # as sent: this delivery had not succeeded yet
    assert stripe_server.state.events_by_id[event.id]["pending_webhooks"] == 0


def test_a_failed_delivery_is_retried_a_bounded_number_of_times(
    stripe_server: StripeTestServer, receiver: Receiver
) -> None:
    stripe_server.dispatcher.backoff = 0.01
    account_id = onboarded_account(stripe_server)
    stripe_server.webhook_target(receiver.url)
    receiver.answers = [500, 503]

    transfer(account_id)
    assert stripe_server.wait_for_webhooks(5)

    assert [d["status"] for d in stripe_server.state.deliveries] == [500, 503, 200]
    assert receiver.types() == ["transfer.created"] * 3
    assert len({body for _headers, body in receiver.received}) == 1  # the same event each time

    receiver.answers = [500] * 10
    transfer(account_id)
    assert stripe_server.wait_for_webhooks(5)
    assert [d["attempt"] for d in stripe_server.state.deliveries[3:]] == [1, 2, 3, 4]


def test_a_refused_connection_is_retried_then_given_up(stripe_server: StripeTestServer) -> None:
    stripe_server.dispatcher.backoff = 0.01
    account_id = onboarded_account(stripe_server)
    stripe_server.webhook_target("http://127.0.0.1:9/nothing-listens-here/")

    transfer(account_id)

    assert stripe_server.wait_for_webhooks(5)
    deliveries = stripe_server.state.deliveries
    assert [d["attempt"] for d in deliveries] == [1, 2, 3, 4]
    assert all(d["status"] is None and d["error"] for d in deliveries)


def test_held_events_are_released_in_the_order_asked(stripe_server: StripeTestServer, receiver: Receiver) -> None:
    """A payout.paid that arrives before transfer.created: hold transfer.created, pay out, release it last."""
    account_id = onboarded_account(stripe_server)
    stripe_server.webhook_target(receiver.url)
    stripe_server.hold("transfer.created")

    made = transfer(account_id)
    stripe_server.pay_out(account_id)
    assert stripe_server.wait_for_webhooks(5)
    assert receiver.types() == ["payout.created", "payout.paid"]
    assert [e["data"]["object"]["id"] for e in stripe_server.held] == [made.id]

    released = stripe_server.release()
    assert stripe_server.wait_for_webhooks(5)

    assert [e["type"] for e in released] == ["transfer.created"]
    assert receiver.types() == ["payout.created", "payout.paid", "transfer.created"]
    assert stripe_server.held == []


def test_release_sends_held_events_in_a_chosen_order(stripe_server: StripeTestServer, receiver: Receiver) -> None:
    account_id = onboarded_account(stripe_server)
    stripe_server.webhook_target(receiver.url)
    stripe_server.hold("*")
    transfer(account_id)
    stripe_server.pay_out(account_id)
    assert receiver.types() == []

    stripe_server.release("payout.paid", "transfer.created")
    assert stripe_server.wait_for_webhooks(5)

    assert receiver.types() == ["payout.paid", "transfer.created", "payout.created"]
    # Holding ended with the release: new events go straight out.
    stripe_server.restrict(account_id)
    assert stripe_server.wait_for_webhooks(5)
    assert receiver.types()[-1] == "account.updated"


def test_events_can_be_delivered_by_hand_to_any_url(stripe_server: StripeTestServer, receiver: Receiver) -> None:
    account_id = onboarded_account(stripe_server)
    transfer(account_id)
    paid = stripe_server.pay_out(account_id)
    assert receiver.received == []  # the fixture delivers nothing by itself

    [payout_paid] = stripe_server.events("payout.paid")
    status, _ = stripe_server.deliver(payout_paid["id"], receiver.url)
    stripe_server.deliver(stripe_server.events("transfer.created")[0], receiver.url)

    assert status == 200
    assert receiver.types() == ["payout.paid", "transfer.created"]
    headers, body = receiver.received[0]
    event = stripe.Webhook.construct_event(body, headers["Stripe-Signature"], stripe_server.webhook_secret, 300)
    assert event.account == account_id
    assert event.data.object.id == paid["id"]


def test_delivering_twice_sends_the_same_event_id(stripe_server: StripeTestServer, receiver: Receiver) -> None:
    transfer(onboarded_account(stripe_server))
    [event] = stripe_server.events("transfer.created")

    stripe_server.deliver(event, receiver.url)
    stripe_server.deliver(event, receiver.url)

    assert [json.loads(body)["id"] for _headers, body in receiver.received] == [event["id"], event["id"]]
