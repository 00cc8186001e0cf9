"""The local Stripe test server's wire format (raw HTTP), its control routes, its command line, and
`payments.stripe_client`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.core.exceptions import ImproperlyConfigured

from payments.stripe_client import stripe_client
from payments.stripe_server import StripeTestServer
from payments.stripe_server.forms import FormError, parse_form

ROOT = Path(__file__).resolve().parents[2]


def post(server: StripeTestServer, path: str, data: Any = None, key: str | None = None, **headers: str) -> Any:
    return requests.post(
        f"{server.url}{path}",
        data=data,
        headers={"Authorization": f"Bearer {key or server.api_key}", **headers},
        timeout=5,
    )


def get(server: StripeTestServer, path: str, params: Any = None, **headers: str) -> Any:
    return requests.get(
        f"{server.url}{path}",
        params=params,
        headers={"Authorization": f"Bearer {server.api_key}", **headers},
        timeout=5,
    )


def onboarded(server: StripeTestServer, key: str | None = None) -> str:
    account = post(server, "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "true"}, key=key)
    server.complete_onboarding(account.json()["id"])
    return str(account.json()["id"])


# --- the form encoding --------------------------------------------------------------------------------------------


def test_bracket_notation_becomes_nested_hashes_and_lists() -> None:
    parsed = parse_form(
        "capabilities[transfers][requested]=true&metadata[claim]=12&metadata[0]=zero&expand[0]=a&expand[1]=b"
        "&items[][price]=p1&amount=100&description="
    )

    assert parsed == {
        "capabilities": {"transfers": {"requested": "true"}},
        "metadata": {"claim": "12", "0": "zero"},  # metadata keys are the caller's, never a list
        "expand": ["a", "b"],
        "items": [{"price": "p1"}],
        "amount": "100",
        "description": "",
    }
    assert parse_form("a%5Bb%5D=1") == {"a": {"b": "1"}}  # strictly encoded brackets too


def test_a_name_used_as_both_value_and_hash_is_refused() -> None:
    with pytest.raises(FormError):
        parse_form("metadata=x&metadata[a]=b")
    with pytest.raises(FormError):
        parse_form("a[b]=1&a=2")
    assert parse_form("metadata=&metadata[a]=b") == {"metadata": {"a": "b"}}


# --- authentication and errors ------------------------------------------------------------------------------------


def test_a_request_without_a_key_is_a_401_shaped_like_stripes(stripe_server: StripeTestServer) -> None:
    answer = requests.get(f"{stripe_server.url}/v1/balance", timeout=5)

    assert answer.status_code == 401
    assert answer.headers["Content-Type"] == "application/json"
    error = answer.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["message"].startswith("You did not provide an API key.")
    assert set(error) >= {"type", "message", "param", "code"}


def test_a_wrong_or_live_key_is_a_401(stripe_server: StripeTestServer) -> None:
    wrong = requests.get(
        f"{stripe_server.url}/v1/balance", headers={"Authorization": "Bearer sk_test_wrong_key_1234"}, timeout=5
    )
    live = requests.get(f"{stripe_server.url}/v1/balance", auth=("sk_live_abcdefghijkl", ""), timeout=5)
    basic = requests.get(f"{stripe_server.url}/v1/balance", auth=(stripe_server.api_key, ""), timeout=5)

    assert wrong.status_code == 401
    assert wrong.json()["error"]["message"] == "Invalid API Key provided: sk_test_**********1234"
    assert live.status_code == 401
    assert basic.status_code == 200


def test_an_unknown_url_is_a_404_and_every_answer_has_a_request_id(stripe_server: StripeTestServer) -> None:
    answer = get(stripe_server, "/v1/charges")

    assert answer.status_code == 404
    assert answer.json()["error"]["message"].startswith("Unrecognized request URL (GET: /v1/charges).")
    assert answer.headers["Request-Id"].startswith("req_")


def test_a_missing_object_is_a_404_resource_missing(stripe_server: StripeTestServer) -> None:
    answer = get(stripe_server, "/v1/transfers/tr_1nothing")

    assert answer.status_code == 404
    assert answer.json()["error"] == {
        "type": "invalid_request_error",
        "message": "No such transfer: 'tr_1nothing'",
        "param": "id",
        "code": "resource_missing",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
    }


def test_list_parameters_are_checked(stripe_server: StripeTestServer) -> None:
    assert get(stripe_server, "/v1/transfers", {"limit": "101"}).status_code == 400
    assert get(stripe_server, "/v1/transfers", {"limit": "x"}).json()["error"]["code"] == "parameter_invalid_integer"
    cursor = get(stripe_server, "/v1/transfers", {"starting_after": "tr_1nope"})
    assert cursor.json()["error"]["param"] == "starting_after"


def test_a_replay_repeats_status_and_body_exactly(stripe_server: StripeTestServer) -> None:
    account_id = onboarded(stripe_server)
    data = {"amount": "100", "currency": "gbp", "destination": account_id, "metadata[claim]": "12"}

    first = post(stripe_server, "/v1/transfers", data, **{"Idempotency-Key": "k1"})
    again = post(stripe_server, "/v1/transfers", data, **{"Idempotency-Key": "k1"})

    assert (again.status_code, again.content) == (first.status_code, first.content)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    assert again.headers["Original-Request"] == first.headers["Request-Id"]
    mismatch = post(stripe_server, "/v1/transfers", {**data, "metadata[claim]": "13"}, **{"Idempotency-Key": "k1"})
    assert mismatch.status_code == 400
    assert mismatch.json()["error"]["type"] == "idempotency_error"


def test_idempotency_keys_are_scoped_to_the_api_key() -> None:
    with StripeTestServer() as server:  # accepts any sk_test_ key
        account_id = onboarded(server, key="sk_test_one")
        data = {"amount": "100", "currency": "gbp", "destination": account_id}

        one = post(server, "/v1/transfers", data, key="sk_test_one", **{"Idempotency-Key": "k"})
        two = post(server, "/v1/transfers", data, key="sk_test_two", **{"Idempotency-Key": "k"})

        assert one.json()["id"] != two.json()["id"]
        assert len(server.state.transfers) == 2


def test_expired_idempotency_keys_can_be_used_again(stripe_server: StripeTestServer) -> None:
    account_id = onboarded(stripe_server)
    data = {"amount": "100", "currency": "gbp", "destination": account_id}
    first = post(stripe_server, "/v1/transfers", data, **{"Idempotency-Key": "k"})
    stripe_server.advance_clock(24 * 60 * 60 + 1)

    later = post(stripe_server, "/v1/transfers", data, **{"Idempotency-Key": "k"})

    assert later.json()["id"] != first.json()["id"]


# --- control routes -----------------------------------------------------------------------------------------------


def test_control_routes_work_over_http_without_a_key(stripe_server: StripeTestServer) -> None:
    base = f"{stripe_server.url}/_control"
    account = post(stripe_server, "/v1/accounts", {"type": "express", "capabilities[transfers][requested]": "true"})
    account_id = account.json()["id"]

    assert "POST /_control/fail_next" in " ".join(requests.get(f"{base}/", timeout=5).json()["routes"])
    done = requests.post(f"{base}/accounts/{account_id}/complete_onboarding", timeout=5)
    assert done.status_code == 200 and done.json()["payouts_enabled"] is True
    post(stripe_server, "/v1/transfers", {"amount": "300", "currency": "gbp", "destination": account_id})
    requests.post(f"{base}/webhooks/hold", data={"types[]": ["payout.paid"]}, timeout=5)
    paid = requests.post(f"{base}/accounts/{account_id}/pay_out", json={"amount": 100}, timeout=5).json()
    assert paid["status"] == "paid" and paid["amount"] == 100
    assert requests.get(f"{base}/state", timeout=5).json()["held"][0].endswith("payout.paid")
    released = requests.post(f"{base}/webhooks/release", timeout=5).json()["released"]
    assert [r.split()[1] for r in released] == ["payout.paid"]
    failed = requests.post(f"{base}/accounts/{account_id}/fail_payout", data={"failure_code": "declined"}, timeout=5)
    assert failed.json()["failure_code"] == "declined"
    assert failed.json()["amount"] == 200  # the rest of the balance, paid out then returned
    requests.post(f"{base}/fail_next", data={"path_prefix": "/v1/balance", "status": "503"}, timeout=5)
    assert get(stripe_server, "/v1/balance").status_code == 503
    assert get(stripe_server, "/v1/balance").status_code == 200
    assert requests.post(f"{base}/nothing", timeout=5).status_code == 404
    bad_code = requests.post(f"{base}/accounts/{account_id}/fail_payout", data={"failure_code": "x"}, timeout=5)
    assert bad_code.status_code == 400


def test_only_the_loopback_address_is_served() -> None:
    with pytest.raises(ValueError, match=r"127\.0\.0\.1"):
        StripeTestServer(host="0.0.0.0")  # noqa: S104 - the point of the test
    refused = subprocess.run(
        [sys.executable, "-m", "payments.stripe_server", "--host", "0.0.0.0"],  # noqa: S104
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert refused.returncode == 2
    assert "refusing to bind '0.0.0.0'" in refused.stderr


@pytest.fixture
def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def command_line_server(free_port: int) -> Iterator[tuple[subprocess.Popen[str], str]]:
    process = subprocess.Popen(
        [sys.executable, "-m", "payments.stripe_server", "--port", str(free_port), "--api-key", "sk_test_cli"],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    url = f"http://127.0.0.1:{free_port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            requests.get(f"{url}/_control/state", timeout=1)
            break
        except requests.ConnectionError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail("The command-line server did not start.")
            time.sleep(0.05)
    yield process, url
    if process.poll() is None:
        process.kill()
        process.wait()


def test_the_command_line_serves_logs_each_request_and_stops_on_sigterm(
    command_line_server: tuple[subprocess.Popen[str], str],
) -> None:
    process, url = command_line_server

    answer = requests.get(f"{url}/v1/balance", headers={"Authorization": "Bearer sk_test_cli"}, timeout=5)
    assert answer.json()["available"][0]["amount"] == 1_000_000_000
    process.send_signal(signal.SIGTERM)

    assert process.wait(timeout=10) == 0
    assert process.stderr is not None
    log = process.stderr.read()
    assert "listening on " + url in log
    assert "GET /v1/balance 200" in log


# --- payments.stripe_client ---------------------------------------------------------------------------------------


def test_stripe_client_points_every_base_address_at_the_test_server(stripe_server: StripeTestServer) -> None:
    client = stripe_client()

    assert client is stripe_client()  # one client per settings
    addresses = client._requestor._options.base_addresses
    assert {addresses[name] for name in ("api", "connect", "files", "meter_events")} == {stripe_server.url}
    assert client.v1.balance.retrieve().object == "balance"  # plain http to 127.0.0.1 works


def test_stripe_client_follows_the_settings(settings: Any) -> None:
    settings.STRIPE_SECRET_KEY = "sk_live_real"
    settings.STRIPE_API_BASE = "https://api.stripe.com"
    settings.STRIPE_MAX_NETWORK_RETRIES = 5

    client = stripe_client()

    options = client._requestor._options
    assert options.api_key == "sk_live_real"
    assert options.max_network_retries == 5
    assert options.base_addresses["api"] == "https://api.stripe.com"
    assert options.base_addresses["connect"] == "https://connect.stripe.com"
    settings.STRIPE_MAX_NETWORK_RETRIES = 1
    assert stripe_client() is not client

    settings.STRIPE_SECRET_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        stripe_client()
