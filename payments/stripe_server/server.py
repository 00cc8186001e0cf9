"""The HTTP server (standard library only) and `StripeTestServer`, the object tests and `make run` drive.

Three kinds of path:
- `/v1/...`: Stripe's API (see api.py), with an API key;
- `/onboarding/<account id>?link=<token>`: the page an Account Link sends the young person to, standing in for
  Stripe's hosted onboarding, with a "Finish" button that completes onboarding and goes back to `return_url`;
- `/_control/...`: test controls (no key; from the loopback address only), the same operations as the methods
  of `StripeTestServer` — see docs/stripe-test-server.md.
"""

from __future__ import annotations

import contextlib
import copy
import html
import json
import logging
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import webhooks
from .api import Answer, Api
from .errors import StripeError, invalid, missing
from .forms import FormError, parse_form
from .state import DEFAULT_PLATFORM_BALANCE, PAYOUT_FAILURES, FailRule, State

logger = logging.getLogger("payments.stripe_server")

LOOPBACK_NAMES = {"127.0.0.1": "127.0.0.1", "localhost": "127.0.0.1"}
LOOPBACK_CLIENTS = {"127.0.0.1", "::1", "::ffff:127.0.0.1"}


class StripeTestServer:
    """A local Stripe for tests and development, bound to 127.0.0.1. In memory; one per instance.

    >>> server = StripeTestServer(api_key="sk_test_x", webhook_secret="whsec_x").start()
    >>> server.url            # "http://127.0.0.1:<port>"; point STRIPE_API_BASE at it
    >>> server.stop()

    Controls (each also an HTTP route under /_control/, see docs/stripe-test-server.md):
    complete_onboarding, restrict, fail_next, pay_out, fail_payout, webhook_target, hold, release, signed,
    deliver, wait_for_webhooks, events, set_balance, advance_clock.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        api_key: str | None = None,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        platform_balance: int = DEFAULT_PLATFORM_BALANCE,
        webhook_attempts: int = 4,
        webhook_backoff: float = 0.5,
        webhook_timeout: float = 10.0,
    ) -> None:
        if host not in LOOPBACK_NAMES:
            raise ValueError(f"The local Stripe test server only binds 127.0.0.1 (or localhost), not {host!r}.")
        if webhook_url and not webhook_secret:
            raise ValueError("A webhook URL needs a signing secret (whsec_...).")
        self.host = LOOPBACK_NAMES[host]
        self.requested_port = port
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.state = State(platform_balance=platform_balance)
        self.dispatcher = webhooks.Dispatcher(
            self.state, max_attempts=webhook_attempts, backoff=webhook_backoff, timeout=webhook_timeout
        )
        self.dispatcher.configure(webhook_url, webhook_secret)
        self.state.on_event = self.dispatcher.enqueue
        self.api = Api(self.state, api_key=api_key, base_url=lambda: self.url)
        self._httpd: _Server | None = None
        self._thread: threading.Thread | None = None

    # --- lifecycle ----------------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("The server is not started.")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def bind(self) -> StripeTestServer:
        self._server()
        return self

    def _server(self) -> _Server:
        if self._httpd is None:
            self._httpd = _Server((self.host, self.requested_port), _Handler)
            self._httpd.app = self
        return self._httpd

    def start(self) -> StripeTestServer:
        """Serve in a background thread (tests)."""
        httpd = self._server()
        self.dispatcher.start()
        self._thread = threading.Thread(
            target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, name="stripe-test-server", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until interrupted (the command line)."""
        httpd = self._server()
        self.dispatcher.start()
        try:
            httpd.serve_forever(poll_interval=0.2)
        finally:
            self._close()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._close()

    def _close(self) -> None:
        if self._httpd is not None:
            self._httpd.close_connections()
            self._httpd.server_close()
        self.dispatcher.stop()

    def __enter__(self) -> StripeTestServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- controls -----------------------------------------------------------------------------------------------

    def complete_onboarding(self, account_id: str) -> dict[str, Any]:
        """Finish onboarding: details submitted, payouts enabled, capabilities active; sends account.updated."""
        with self.state.lock:
            return copy.deepcopy(self.state.complete_onboarding(account_id))

    def restrict(self, account_id: str, reason: str = "requirements.past_due") -> dict[str, Any]:
        """Stripe restricts the account (payouts off, capabilities inactive, `reason` as disabled_reason, e.g.
        "requirements.past_due" or "rejected.other"); sends account.updated."""
        with self.state.lock:
            return copy.deepcopy(self.state.restrict(account_id, reason))

    def fail_next(
        self,
        path_prefix: str,
        status: int | str = 500,
        times: int = 1,
        *,
        method: str | None = None,
        after: bool = False,
    ) -> None:
        """Fail the next `times` API requests whose path starts with `path_prefix` (and use `method`, if given):
        answer `status` (a 4xx/5xx code, Stripe's api_error body) or "drop" (close the connection unanswered).
        `after=False`: before anything is done or saved. `after=True`: the request is carried out and its
        idempotent result saved, then the answer is lost — a retry with the same Idempotency-Key replays it."""
        if status != "drop" and not (isinstance(status, int) and 400 <= status <= 599):
            raise ValueError("status must be a 4xx/5xx status code or 'drop'.")
        if times < 1:
            raise ValueError("times must be at least 1.")
        with self.state.lock:
            self.state.failures.append(FailRule(path_prefix, status, times, method, after))

    def pay_out(self, account_id: str, *, amount: int | None = None, paid: bool = True) -> dict[str, Any]:
        """Stripe's automatic payout of the connected account's balance (or `amount`) to its bank: sends
        payout.created, then payout.paid (unless `paid=False`, leaving it in transit)."""
        with self.state.lock:
            self.state.account(account_id)
            amount = self.state.balance_of(account_id) if amount is None else amount
            if amount <= 0:
                raise StripeError(400, f"Account {account_id} has nothing to pay out.")
            payout = self.state.create_payout(owner=account_id, amount=amount, automatic=True)
            if paid:
                self.state.mark_payout_paid(payout["id"])
            return copy.deepcopy(payout)

    def fail_payout(
        self, account_id: str, failure_code: str = "account_closed", *, payout_id: str | None = None
    ) -> dict[str, Any]:
        """The bank returns a payout: `payout_id`, else the account's latest payout in transit, else a new
        automatic payout of its balance. Sends payout.failed with `failure_code` and Stripe's failure_message
        (and account.updated when the bank account itself is unusable, e.g. account_closed)."""
        with self.state.lock:
            self.state.account(account_id)
            if payout_id is None:
                in_transit = [
                    p
                    for p in self.state.newest_first(self.state.payouts)
                    if self.state.owner[p["id"]] == account_id and p["status"] == "in_transit"
                ]
                payout_id = in_transit[0]["id"] if in_transit else self.pay_out(account_id, paid=False)["id"]
            elif self.state.owner.get(payout_id) != account_id:
                raise StripeError(404, f"No such payout: '{payout_id}' on {account_id}")
            return copy.deepcopy(self.state.fail_payout(payout_id, failure_code))

    def webhook_target(self, url: str | None, secret: str | None = None) -> None:
        """Deliver events recorded from now on to `url` (None: stop delivering), signed with `secret` (default:
        the server's webhook_secret)."""
        secret = secret or self.webhook_secret
        if url and not secret:
            raise ValueError("A webhook URL needs a signing secret (whsec_...).")
        self.dispatcher.configure(url, secret)

    def hold(self, *types: str) -> None:
        """Record events of these types (e.g. "transfer.created", "payout.*", "*") but do not deliver them until
        `release`."""
        with self.state.lock:
            self.state.held_types.update(types)

    def release(self, *order: str) -> list[dict[str, Any]]:
        """Stop holding; deliver the held events (to the webhook target, if any) in the order given — event ids or
        types, e.g. release("payout.paid", "transfer.created") — then any others held, in recorded order. One
        delivery thread sends them one after the other, so they arrive in that order. Returns them in that
        order (copies)."""
        with self.state.lock:
            events = self.state.release_held(order)
            for event in events:
                self.dispatcher.enqueue(event)
            return copy.deepcopy(events)

    @property
    def held(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return copy.deepcopy(self.state.held)

    def events(self, type: str | None = None) -> list[dict[str, Any]]:
        """Recorded events, oldest first (copies); `type` may end in ".*"."""
        with self.state.lock:
            return [
                copy.deepcopy(e)
                for e in self.state.events
                if type is None or e["type"] == type or (type.endswith(".*") and e["type"].startswith(type[:-1]))
            ]

    def _event(self, event: dict[str, Any] | str) -> dict[str, Any]:
        if isinstance(event, str):
            with self.state.lock:
                return copy.deepcopy(self.state.events_by_id[event])
        return event

    def signed(
        self, event: dict[str, Any] | str, *, timestamp: int | None = None, secret: str | None = None
    ) -> tuple[bytes, dict[str, str]]:
        """(body, headers) of the webhook request Stripe would send for `event` (a dict or an event id), signed
        with `secret` (default: the server's) at `timestamp` (default: now)."""
        secret = secret or self.webhook_secret
        if not secret:
            raise ValueError("No webhook secret: give one here or to the server.")
        return webhooks.signed_request(self._event(event), secret, timestamp)

    def deliver(
        self,
        event: dict[str, Any] | str,
        url: str | None = None,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        timeout: float = 30.0,
    ) -> tuple[int, bytes]:
        """POST `event` now, signed, to `url` (default: the webhook target); returns (status, body)."""
        url = url or self.dispatcher.url
        if not url:
            raise ValueError("No URL: give one, or set a webhook target.")
        body, headers = self.signed(event, timestamp=timestamp, secret=secret)
        return webhooks.post(url, body, headers, timeout)

    def wait_for_webhooks(self, timeout: float = 10.0) -> bool:
        """Wait until every queued webhook delivery (with its retries) is done."""
        return self.dispatcher.wait_idle(timeout)

    def set_balance(self, amount: int, account_id: str | None = None) -> None:
        """Set the platform's available GBP balance (or a connected account's), in pence."""
        with self.state.lock:
            if account_id is not None:
                self.state.account(account_id)
            self.state.balances[account_id] = amount

    def advance_clock(self, seconds: int) -> int:
        """Move the server's clock (the `created` of new objects, link and key expiry) forward; returns now."""
        with self.state.lock:
            self.state.clock_offset += seconds
            return self.state.now()

    # --- the onboarding page ------------------------------------------------------------------------------------

    def onboarding(self, method: str, path: str, query: str, body: bytes) -> Answer:
        account_id = path.removeprefix("/onboarding/").strip("/")
        token = (parse_qs(query).get("link") or [""])[0]
        if method == "POST":
            token = (parse_qs(body.decode("utf-8", "replace")).get("link") or [""])[0]
        with self.state.lock:
            link = self.state.account_links.get(token)
            if link is None or link.account != account_id or account_id not in self.state.accounts:
                return _page(404, "This link is not valid", "<p>There is no such onboarding link.</p>")
            expired = link.expires_at < self.state.now()
            if method == "GET":
                if expired or link.used:
                    # Like Stripe: an expired or already visited link sends the person to refresh_url.
                    return Answer(302, b"", {"Location": link.refresh_url}, note="link expired or used")
                link.used = True
                account = self.state.accounts[account_id]
                return _page(200, "Set up your payouts", _onboarding_form(account, link.token, link.return_url))
            if method == "POST":
                if expired:
                    return Answer(303, b"", {"Location": link.refresh_url}, note="link expired")
                self.state.complete_onboarding(account_id)
                link.expires_at = 0
                return Answer(303, b"", {"Location": link.return_url}, note="onboarding finished")
        return _page(405, "Method not allowed", "")

    # --- control routes -----------------------------------------------------------------------------------------

    def control(self, method: str, path: str, body: bytes, content_type: str) -> Answer:
        try:
            if content_type.startswith("application/json"):
                params = json.loads(body or b"{}")
            else:
                params = parse_form(body.decode("utf-8"))
            if not isinstance(params, dict):
                raise invalid("body", "Give a JSON object or form fields.")
            return Answer.json(200, self._control(method, path.rstrip("/"), params))
        except StripeError as error:
            return Answer.json(error.status, error.body())
        except (ValueError, KeyError, FormError) as error:
            return Answer.json(400, StripeError(400, f"{type(error).__name__}: {error}").body())

    def _control(self, method: str, path: str, p: dict[str, Any]) -> Any:
        parts = path.split("/")[2:]  # after "", "_control"
        if method == "GET" and parts in ([], [""]):
            return {"routes": CONTROL_ROUTES}
        if method == "GET" and parts == ["state"]:
            return self._summary()
        if method != "POST":
            raise StripeError(405, "Control routes other than GET /_control/ and /_control/state take POST.")
        if len(parts) == 3 and parts[0] == "accounts":
            account_id, action = parts[1], parts[2]
            if action == "complete_onboarding":
                return self.complete_onboarding(account_id)
            if action == "restrict":
                return self.restrict(account_id, p.get("reason") or "requirements.past_due")
            if action == "pay_out":
                amount = p.get("amount")
                paid = str(p.get("paid", "true")).lower() != "false"
                return self.pay_out(account_id, amount=int(amount) if amount else None, paid=paid)
            if action == "fail_payout":
                code = p.get("failure_code") or "account_closed"
                if code not in PAYOUT_FAILURES:
                    raise invalid("failure_code", f"Use one of {', '.join(PAYOUT_FAILURES)}.")
                return self.fail_payout(account_id, code, payout_id=p.get("payout") or None)
        if parts == ["fail_next"]:
            if not p.get("path_prefix"):
                raise missing("path_prefix")
            status = p.get("status", 500)
            status = status if status == "drop" else int(status)
            after = str(p.get("after", "false")).lower() == "true"
            self.fail_next(p["path_prefix"], status, int(p.get("times", 1)), method=p.get("method"), after=after)
            return {"ok": True}
        if parts == ["webhooks", "target"]:
            self.webhook_target(p.get("url") or None, p.get("secret") or None)
            return {"url": self.dispatcher.url}
        if parts == ["webhooks", "hold"]:
            self.hold(*_strings(p, "types"))
            return {"held_types": sorted(self.state.held_types)}
        if parts == ["webhooks", "release"]:
            return {"released": [e["id"] + " " + e["type"] for e in self.release(*_strings(p, "order"))]}
        if parts == ["balance"]:
            self.set_balance(int(p["amount"]), p.get("account") or None)
            return {"ok": True}
        if parts == ["clock", "advance"]:
            return {"now": self.advance_clock(int(p["seconds"]))}
        raise StripeError(404, f"No control route {method} {path}; GET /_control/ lists them.")

    def _summary(self) -> dict[str, Any]:
        with self.state.lock:
            state = self.state
            return {
                "platform_balance": state.balance_of(None),
                "accounts": {
                    a["id"]: {
                        "email": a["email"],
                        "details_submitted": a["details_submitted"],
                        "payouts_enabled": a["payouts_enabled"],
                        "capabilities": a["capabilities"],
                        "balance": state.balance_of(a["id"]),
                    }
                    for a in state.accounts.values()
                },
                "transfers": len(state.transfers),
                "payouts": {p["id"]: p["status"] for p in state.payouts.values()},
                "events": len(state.events),
                "held": [e["id"] + " " + e["type"] for e in state.held],
                "webhook_url": self.dispatcher.url,
            }


CONTROL_ROUTES = [
    "GET  /_control/state",
    "POST /_control/accounts/<acct>/complete_onboarding",
    "POST /_control/accounts/<acct>/restrict            reason=requirements.past_due|rejected.other|...",
    "POST /_control/accounts/<acct>/pay_out             [amount=<pence>] [paid=false]",
    "POST /_control/accounts/<acct>/fail_payout         [failure_code=account_closed] [payout=po_...]",
    "POST /_control/fail_next                           path_prefix=/v1/transfers [status=500|drop] [times=1] "
    "[method=POST] [after=true]",
    "POST /_control/webhooks/target                     url=... [secret=whsec_...]",
    "POST /_control/webhooks/hold                       types[]=transfer.created",
    "POST /_control/webhooks/release                    order[]=payout.paid&order[]=transfer.created",
    "POST /_control/balance                             amount=<pence> [account=acct_...]",
    "POST /_control/clock/advance                       seconds=<n>",
]


def _strings(params: dict[str, Any], name: str) -> list[str]:
    value = params.get(name) or []
    if isinstance(value, str):
        value = [value]
    return [str(item) for item in value]


def _page(status: int, title: str, content: str) -> Answer:
    document = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} - local Stripe test server</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 36rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5 }}
.banner {{ background: #fff3cd; padding: .5rem 1rem }}
button {{ font-size: 1.1rem; padding: .5rem 1.5rem; cursor: pointer }}
</style>
</head>
<body>
<p class="banner">Local Stripe test server — not Stripe. Nothing here is real.</p>
<main>
<h1>{html.escape(title)}</h1>
{content}
</main>
</body>
</html>
"""
    return Answer(status, document.encode(), {"Content-Type": "text/html; charset=utf-8"})


def _onboarding_form(account: dict[str, Any], token: str, return_url: str) -> str:
    who = html.escape(account["email"] or account["id"])
    return f"""<p>Account <code>{html.escape(account["id"])}</code> ({who}).</p>
<p>On Stripe, this is where the young person confirms who they are and gives the bank account their money is paid
into.</p>
<form method="post" action="/onboarding/{html.escape(account["id"])}">
<input type="hidden" name="link" value="{html.escape(token)}">
<button type="submit">Finish</button>
</form>
<p><a href="{html.escape(return_url)}">Return without finishing</a></p>
"""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128
    app: StripeTestServer

    def __init__(self, address: tuple[str, int], handler: type[BaseHTTPRequestHandler]) -> None:
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, handler)

    def close_connections(self) -> None:
        """Close kept-alive connections too, so no handler thread outlives the server."""
        with self.connections_lock:
            connections = list(self.connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "LocalStripeTestServer/1.0"
    sys_version = ""
    # Buffer each answer and send it in one piece (the base class flushes after each request): headers and body
    # in separate small writes would meet the client's delayed ACK and cost 40 ms a request.
    wbufsize = 64 * 1024
    server: _Server

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with self.server.connections_lock:
            self.server.connections.add(self.connection)

    def finish(self) -> None:
        with self.server.connections_lock:
            self.server.connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        """Silenced: `_serve` logs one line per request."""

    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def _serve(self, method: str) -> None:
        started = time.perf_counter()
        app = self.server.app
        split = urlsplit(self.path)
        path = split.path
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        try:
            if path == "/_control" or path.startswith("/_control/"):
                if self.client_address[0] not in LOOPBACK_CLIENTS:
                    answer = Answer.json(
                        403, StripeError(403, "Control routes answer the loopback address only.").body()
                    )
                else:
                    answer = app.control(method, path, body, self.headers.get("Content-Type") or "")
            elif path.startswith("/onboarding/"):
                answer = app.onboarding(method, path, split.query, body)
            else:
                answer = app.api.handle(method, path, split.query, body, self.headers)
        except Exception:
            logger.exception("%s %s failed", method, path)
            error = StripeError(500, "The local Stripe test server failed: see its log.", type="api_error")
            answer = Answer.json(500, error.body())
        if answer.drop:
            self.close_connection = True
            with contextlib.suppress(OSError):
                self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.send_response(answer.status)
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(answer.body)))
            self.end_headers()
            self.wfile.write(answer.body)
        elapsed = (time.perf_counter() - started) * 1000
        extra = " ".join(
            part
            for part in (
                f"account={self.headers['Stripe-Account']}" if self.headers.get("Stripe-Account") else "",
                f"idempotency-key={self.headers['Idempotency-Key']}" if self.headers.get("Idempotency-Key") else "",
                answer.note,
            )
            if part
        )
        status = "dropped" if answer.drop else str(answer.status)
        logger.info("%s %s %s %.1fms %s", method, self.path, status, elapsed, extra)
