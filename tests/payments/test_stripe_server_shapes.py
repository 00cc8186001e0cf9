"""Every object the local Stripe test server returns has the keys, and the JSON types, of Stripe's own example of
that object (fixtures3.json from Stripe's OpenAPI repository; an excerpt is kept in
payments/stripe_server/examples/), so the code reading Stripe's answers is exercised on the shapes Stripe sends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import requests

from payments.stripe_server import StripeTestServer

EXAMPLES = json.loads(
    (Path(__file__).resolve().parents[2] / "payments/stripe_server/examples/fixtures3_excerpt.json").read_text()
)["resources"]

# Hashes whose keys are data (capability names, metadata keys, source types), not fields.
MAPS = {"capabilities", "metadata", "source_types", "previous_attributes"}
# Fields Stripe adds beyond the example, each for a documented reason.
EXTRA = {
    ("event",): {"account"},  # on events from a connected account (Connect)
    ("event", "data"): {"previous_attributes"},  # on *.updated events and others that change an object
}
# Fields Stripe documents as nullable although the example has a value.
NULLABLE = {
    ("account", "email"),
    ("account", "business_type"),
    ("account", "requirements", "disabled_reason"),
    ("transfer", "description"),
    ("transfer", "transfer_group"),
    ("payout", "description"),
    ("payout", "balance_transaction"),
}


def shape_errors(ours: Any, example: Any, path: tuple[str, ...]) -> list[str]:
    where = ".".join(path)
    if example is None:
        return []  # nullable in Stripe's example: any value
    if ours is None:
        return [] if path in NULLABLE else [f"{where}: null, Stripe's example has {type(example).__name__}"]
    if isinstance(example, dict):
        if not isinstance(ours, dict):
            return [f"{where}: {type(ours).__name__}, Stripe's example has an object"]
        if path[-1] in MAPS:
            return []
        errors = []
        missing = set(example) - set(ours)
        extra = set(ours) - set(example) - EXTRA.get(path, set())
        if missing:
            errors.append(f"{where}: missing {sorted(missing)}")
        if extra:
            errors.append(f"{where}: not in Stripe's example {sorted(extra)}")
        for key in set(example) & set(ours):
            if path[0] == "event" and path[1:] == ("data",) and key == "object":
                continue  # data.object is checked against the example of its own type
            errors += shape_errors(ours[key], example[key], (*path, key))
        return errors
    if isinstance(example, list):
        if not isinstance(ours, list):
            return [f"{where}: {type(ours).__name__}, Stripe's example has a list"]
        if example and ours:
            return shape_errors(ours[0], example[0], (*path, "0"))
        return []
    json_type = {bool: "boolean", int: "number", float: "number", str: "string"}
    if json_type[type(ours)] != json_type[type(example)]:
        return [f"{where}: {json_type[type(ours)]}, Stripe's example has {json_type[type(example)]}"]
    return []


def assert_shape(obj: dict[str, Any], name: str) -> None:
    errors = shape_errors(obj, EXAMPLES[name], (name,))
    if name == "event":
        inner = obj["data"]["object"]
        errors += shape_errors(inner, EXAMPLES[inner["object"]], (inner["object"],))
    assert errors == [], f"{name} differs from Stripe's example:\n" + "\n".join(errors)


def test_the_comparison_catches_a_missing_key_and_a_wrong_type() -> None:
    transfer = json.loads(json.dumps(EXAMPLES["transfer"]))
    del transfer["destination_payment"]
    transfer["amount"] = "1100"
    transfer["reversals"]["has_more"] = 0
    transfer["extra"] = 1

    errors = shape_errors(transfer, EXAMPLES["transfer"], ("transfer",))

    assert sorted(errors) == [
        "transfer.amount: string, Stripe's example has number",
        "transfer.reversals.has_more: number, Stripe's example has boolean",
        "transfer: missing ['destination_payment']",
        "transfer: not in Stripe's example ['extra']",
    ]


def call(server: StripeTestServer, method: str, path: str, data: dict[str, Any] | None = None, **headers: str) -> Any:
    answer = requests.request(
        method,
        f"{server.url}{path}",
        data=data,
        headers={"Authorization": f"Bearer {server.api_key}", **headers},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.fixture
def everything(stripe_server: StripeTestServer) -> dict[str, list[dict[str, Any]]]:
    """One of each object, through the HTTP API and the controls."""
    server = stripe_server
    fresh = call(
        server,
        "POST",
        "/v1/accounts",
        {"type": "express", "country": "GB", "email": "a@example.org", "capabilities[transfers][requested]": "true"},
    )
    bare = call(server, "POST", "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "true"})
    link = call(
        server,
        "POST",
        "/v1/account_links",
        {
            "account": fresh["id"],
            "refresh_url": "http://127.0.0.1:8000/r",
            "return_url": "http://127.0.0.1:8000/b",
            "type": "account_onboarding",
        },
    )
    server.complete_onboarding(fresh["id"])
    onboarded = call(server, "GET", f"/v1/accounts/{fresh['id']}")
    made = call(
        server,
        "POST",
        "/v1/transfers",
        {"amount": "1500", "currency": "gbp", "destination": fresh["id"], "metadata[claim]": "12"},
    )
    reversal = call(server, "POST", f"/v1/transfers/{made['id']}/reversals", {"amount": "500"})
    reversed_transfer = call(server, "GET", f"/v1/transfers/{made['id']}")
    call(server, "POST", f"/v1/transfers/{made['id']}", {"description": "Claim 12"})
    paid = server.pay_out(fresh["id"])
    call(server, "POST", "/v1/transfers", {"amount": "700", "currency": "gbp", "destination": fresh["id"]})
    failed = server.fail_payout(fresh["id"], "no_account")
    manual_account = call(
        server, "POST", "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "true"}
    )
    server.complete_onboarding(manual_account["id"])
    call(server, "POST", "/v1/transfers", {"amount": "300", "currency": "gbp", "destination": manual_account["id"]})
    manual = call(
        server, "POST", "/v1/payouts", {"amount": "300", "currency": "gbp"}, **{"Stripe-Account": manual_account["id"]}
    )
    balances = [
        call(server, "GET", "/v1/balance"),
        call(server, "GET", "/v1/balance", **{"Stripe-Account": fresh["id"]}),
    ]
    txns = call(server, "GET", "/v1/balance_transactions", {"limit": "100"}, **{"Stripe-Account": fresh["id"]})["data"]
    platform_events = call(server, "GET", "/v1/events", {"limit": "100"})["data"]
    account_events = call(server, "GET", "/v1/events", {"limit": "100"}, **{"Stripe-Account": fresh["id"]})["data"]
    return {
        "account": [fresh, bare, onboarded, call(server, "GET", f"/v1/accounts/{manual_account['id']}")],
        "account_link": [link],
        "transfer": [made, reversed_transfer],
        "transfer_reversal": [reversal, reversed_transfer["reversals"]["data"][0]],
        "payout": [paid, failed, manual],
        "balance": balances,
        "balance_transaction": txns,
        "event": platform_events + account_events,
    }


@pytest.mark.parametrize(
    "name",
    ["account", "account_link", "transfer", "transfer_reversal", "payout", "balance", "balance_transaction", "event"],
)
def test_objects_have_the_shape_of_stripes_examples(name: str, everything: dict[str, list[dict[str, Any]]]) -> None:
    assert everything[name]
    for obj in everything[name]:
        assert_shape(obj, name)


def test_every_event_type_is_covered(everything: dict[str, list[dict[str, Any]]]) -> None:
    types = {e["type"] for e in everything["event"]}
    assert types == {
        "account.updated",
        "transfer.created",
        "transfer.reversed",
        "transfer.updated",
        "payout.created",
        "payout.paid",
        "payout.failed",
    }
