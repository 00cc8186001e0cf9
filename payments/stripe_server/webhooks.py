"""Webhooks as Stripe sends them: the event as JSON, POSTed with `Stripe-Signature: t=<unix time>,v1=<hex>` where
v1 is HMAC-SHA256 of `"<t>.<body>"` under the endpoint's signing secret (`whsec_...`).

Delivery runs in one background thread, so an API answer never waits for a webhook. First attempts go out in the
order the events were recorded (or released, see `State.release_held`); an answer other than 2xx, a refused
connection or a timeout is retried after 0.5 s, 1 s, 2 s ... up to `max_attempts` in all (Stripe keeps trying for
three days; a test server gives up sooner). Retries do not hold up later events, so a retried event can arrive
after events recorded after it — as with Stripe. Redirects are not followed (Stripe does not either).
"""

from __future__ import annotations

import hashlib
import heapq
import hmac
import http.client
import itertools
import json
import logging
import threading
import time
from typing import Any
from urllib.parse import urlsplit

from .state import State

logger = logging.getLogger("payments.stripe_server")

USER_AGENT = "Stripe/1.0 (+https://stripe.com/docs/webhooks)"


def event_body(event: dict[str, Any]) -> bytes:
    """The body Stripe posts: the event as indented JSON."""
    return json.dumps(event, indent=2).encode()


def signature_header(body: bytes, secret: str, timestamp: int | None = None) -> str:
    t = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={t},v1={digest}"


def signed_request(event: dict[str, Any], secret: str, timestamp: int | None = None) -> tuple[bytes, dict[str, str]]:
    body = event_body(event)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "Stripe-Signature": signature_header(body, secret, timestamp),
    }
    return body, headers


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int, bytes]:
    """POST without following redirects; raises OSError (and http.client errors) when nothing answers."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"Not a webhook URL: {url!r}")
    connection_class = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


class Dispatcher:
    """Delivers events to one webhook endpoint (`url`, signed with `secret`) from a background thread."""

    def __init__(self, state: State, *, max_attempts: int = 4, backoff: float = 0.5, timeout: float = 10.0) -> None:
        self.state = state
        self.url: str | None = None
        self.secret: str | None = None
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.timeout = timeout
        self._queue: list[tuple[float, int, str, int]] = []  # (due, sequence, event id, attempt)
        self._sequence = itertools.count()
        self._condition = threading.Condition()
        self._busy = 0
        self._stopping = False
        self._thread: threading.Thread | None = None

    def configure(self, url: str | None, secret: str | None) -> None:
        with self._condition:
            self.url, self.secret = url, secret

    def enqueue(self, event: dict[str, Any]) -> None:
        """Called with the state's lock held, as each event is recorded."""
        with self._condition:
            if not (self.url and self.secret):
                return
            event["pending_webhooks"] = 1
            heapq.heappush(self._queue, (time.monotonic(), next(self._sequence), event["id"], 1))
            self._condition.notify_all()

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="stripe-webhooks", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not None:
            self._thread.join(timeout=self.timeout + 1)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until every queued delivery (retries included) is done; False if `timeout` passed first."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._queue or self._busy:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                self._condition.wait(remaining)
        return True

    def _run(self) -> None:
        while True:
            with self._condition:
                while True:
                    if self._stopping:
                        return
                    if self._queue and self._queue[0][0] <= time.monotonic():
                        _due, _seq, event_id, attempt = heapq.heappop(self._queue)
                        url, secret = self.url, self.secret
                        self._busy += 1
                        break
                    wait = self._queue[0][0] - time.monotonic() if self._queue else None
                    self._condition.wait(wait)
            try:
                retry = self._deliver(event_id, attempt, url, secret)
            except Exception:  # the delivery thread must outlive any surprise
                logger.exception("webhook %s: delivery failed unexpectedly", event_id)
                retry = False
            with self._condition:
                self._busy -= 1
                if retry:
                    due = time.monotonic() + self.backoff * 2 ** (attempt - 1)
                    heapq.heappush(self._queue, (due, next(self._sequence), event_id, attempt + 1))
                self._condition.notify_all()

    def _deliver(self, event_id: str, attempt: int, url: str | None, secret: str | None) -> bool:
        """One attempt; True when it should be tried again."""
        if not (url and secret):
            return False
        with self.state.lock:
            event = self.state.events_by_id[event_id]
            body, headers = signed_request(event, secret)
        status: int | None = None
        error = None
        try:
            status, _answer = post(url, body, headers, self.timeout)
        except (OSError, http.client.HTTPException, ValueError) as exc:
            error = f"{type(exc).__name__}: {exc}"
        ok = status is not None and 200 <= status < 300
        with self.state.lock:
            self.state.deliveries.append(
                {
                    "event": event_id,
                    "type": event["type"],
                    "url": url,
                    "attempt": attempt,
                    "status": status,
                    "error": error,
                    "at": time.time(),
                }
            )
            if ok:
                event["pending_webhooks"] = 0
        outcome = str(status) if status is not None else error
        will_retry = not ok and attempt < self.max_attempts
        logger.info(
            "webhook %s %s -> %s (attempt %d%s)",
            event["type"],
            event_id,
            outcome,
            attempt,
            ", will retry" if will_retry else "" if ok else ", giving up",
        )
        return will_retry
