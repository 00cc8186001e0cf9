"""The /v1 endpoints: authentication, `Stripe-Account`, `Idempotency-Key`, injected failures, then the handlers.

Each handler gets a `Call` (the state, the parameters, the account it acts for) and returns the object to send as
JSON (status 200) or raises `StripeError`. The whole request runs under the state's lock, so requests are
serialised: simple, and fast enough for thousands of requests a second.
"""

from __future__ import annotations

import base64
import json
import re
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .errors import StripeError, invalid, no_such
from .forms import FormError, parse_form
from .params import (
    LIST_PARAMS,
    Params,
    choice,
    created_filter,
    integer,
    merged_metadata,
    page,
    reject_unknown,
    required_integer,
    required_text,
    text,
)
from .state import (
    ACCOUNT_LINK_LIFETIME,
    API_VERSION,
    CURRENCY,
    IDEMPOTENCY_KEY_LIFETIME,
    AccountLinkRecord,
    IdempotencyRecord,
    State,
    new_id,
)

NO_KEY = (
    "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer "
    "auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for "
    "details, or we can help at https://support.stripe.com/."
)


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False
    note: str = ""  # for the request log line

    def with_note(self, note: str) -> Answer:
        self.note = note
        return self

    @classmethod
    def json(cls, status: int, payload: Any, headers: dict[str, str] | None = None) -> Answer:
        body = json.dumps(payload, indent=2).encode()
        return cls(status, body, {"Content-Type": "application/json", **(headers or {})})


@dataclass
class Call:
    state: State
    params: Params
    account: str | None  # the Stripe-Account header: the connected account this call acts as
    request_id: str
    idempotency_key: str | None
    base_url: str

    @property
    def request(self) -> dict[str, Any]:
        """The event's `request` field for changes this call makes."""
        return {"id": self.request_id, "idempotency_key": self.idempotency_key}

    def platform_only(self) -> None:
        if self.account is not None:
            raise StripeError(400, "Only the platform can do this: send the request without a Stripe-Account header.")

    def owned(self, objects: dict[str, dict[str, Any]], object_id: str, kind: str) -> dict[str, Any]:
        obj = objects.get(object_id)
        if obj is None or self.state.owner.get(object_id) != self.account:
            raise no_such(kind, object_id)
        return obj

    def mine(self, objects: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return self.state.newest_first([o for o in objects.values() if self.state.owner[o["id"]] == self.account])


Handler = Callable[..., dict[str, Any]]
ROUTES: list[tuple[str, re.Pattern[str], Handler]] = []


def route(method: str, pattern: str) -> Callable[[Handler], Handler]:
    def register(handler: Handler) -> Handler:
        ROUTES.append((method, re.compile(f"^{pattern}$"), handler))
        return handler

    return register


# --- accounts -----------------------------------------------------------------------------------------------------

ACCOUNT_CREATE = (
    "type",
    "country",
    "email",
    "capabilities",
    "business_type",
    "business_profile",
    "metadata",
    # Accepted and not kept: the young person gives these to Stripe in hosted onboarding.
    "tos_acceptance",
    "settings",
    "individual",
    "default_currency",
)
BUSINESS_TYPES = ("individual", "company", "non_profit", "government_entity")
PROFILE_FIELDS = ("mcc", "name", "product_description", "support_email", "support_phone", "support_url", "url")


def _capability_requests(params: Params) -> tuple[list[str], list[str]]:
    """`capabilities[transfers][requested]=true` -> (requested, unrequested)."""
    value = params.get("capabilities")
    if value is None:
        return [], []
    if not isinstance(value, dict):
        raise invalid("capabilities", "Invalid hash: give capabilities[<name>][requested]=true.")
    wanted: list[str] = []
    unwanted: list[str] = []
    for name, setting in value.items():
        if not re.fullmatch(r"[a-z_]+", name) or not isinstance(setting, dict) or set(setting) != {"requested"}:
            raise invalid(f"capabilities[{name}]", f"Invalid capability request: capabilities[{name}][requested].")
        if setting["requested"] not in ("true", "false"):
            raise invalid(f"capabilities[{name}][requested]", f"Invalid boolean: {setting['requested']}")
        (wanted if setting["requested"] == "true" else unwanted).append(name)
    return wanted, unwanted


def _business_profile(params: Params) -> dict[str, str]:
    value = params.get("business_profile")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise invalid("business_profile", "Invalid hash: business_profile.")
    for name in value:
        if name not in PROFILE_FIELDS:
            raise invalid(f"business_profile[{name}]", f"Received unknown parameter: business_profile[{name}]")
    return {name: text(value, name) or "" for name in value}


@route("POST", "/v1/accounts")
def create_account(call: Call) -> dict[str, Any]:
    call.platform_only()
    p = call.params
    reject_unknown(p, ACCOUNT_CREATE)
    kind = text(p, "type", required=True)
    if kind != "express":
        raise invalid("type", "The local Stripe test server makes Express accounts only (type=express).")
    country = (text(p, "country") or "GB").upper()
    if not re.fullmatch(r"[A-Z]{2}", country):
        raise invalid("country", f"Country '{country}' is unknown. Try using a 2-character alphanumeric country code.")
    wanted, _unwanted = _capability_requests(p)
    if not wanted:
        raise invalid(
            "capabilities",
            "Express accounts must request at least one capability, e.g. capabilities[transfers][requested]=true.",
        )
    return call.state.create_account(
        country=country,
        email=text(p, "email"),
        capabilities=wanted,
        business_type=choice(p, "business_type", BUSINESS_TYPES),
        business_profile=_business_profile(p),
        metadata=merged_metadata({}, p),
    )


@route("GET", "/v1/accounts")
def list_accounts(call: Call) -> dict[str, Any]:
    call.platform_only()
    reject_unknown(call.params, (*LIST_PARAMS, "created"))
    accepted = created_filter(call.params)
    items = [a for a in call.state.newest_first(call.state.accounts) if accepted(a["created"])]
    return page(items, call.params, url="/v1/accounts", order=call.state.order, kind="account")


def _visible_account(call: Call, account_id: str) -> dict[str, Any]:
    if call.account not in (None, account_id):
        raise no_such("account", account_id)
    return call.state.account(account_id)


@route("GET", "/v1/accounts/(?P<account_id>acct_[A-Za-z0-9]+)")
def retrieve_account(call: Call, account_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    return _visible_account(call, account_id)


@route("POST", "/v1/accounts/(?P<account_id>acct_[A-Za-z0-9]+)")
def update_account(call: Call, account_id: str) -> dict[str, Any]:
    call.platform_only()
    p = call.params
    reject_unknown(
        p,
        ("email", "metadata", "business_type", "business_profile", "capabilities", *ACCOUNT_CREATE[-4:]),
    )
    account = call.state.account(account_id)
    wanted, unwanted = _capability_requests(p)
    profile = _business_profile(p)
    business_type = choice(p, "business_type", BUSINESS_TYPES)
    email = text(p, "email")
    metadata = merged_metadata(account["metadata"], p)

    def change(account: dict[str, Any]) -> None:
        if "email" in p:
            account["email"] = email
        if business_type is not None:
            account["business_type"] = business_type
        account["business_profile"].update(profile)
        account["metadata"] = metadata
        onboarded = account["details_submitted"] and not account["requirements"]["currently_due"]
        for name in wanted:
            account["capabilities"].setdefault(name, "active" if onboarded else "inactive")
        for name in unwanted:
            account["capabilities"].pop(name, None)

    return call.state.change_account(account_id, change, request=call.request)


@route("DELETE", "/v1/accounts/(?P<account_id>acct_[A-Za-z0-9]+)")
def delete_account(call: Call, account_id: str) -> dict[str, Any]:
    call.platform_only()
    state = call.state
    state.account(account_id)
    if state.balance_of(account_id) != 0:
        raise StripeError(400, "This account cannot be deleted while its balance is not zero.", code="balance_not_zero")
    del state.accounts[account_id]
    state.deleted_accounts.add(account_id)
    return {"id": account_id, "object": "account", "deleted": True}


# --- account links ------------------------------------------------------------------------------------------------


def _url(params: Params, name: str) -> str:
    value = required_text(params, name)
    if not re.match(r"^https?://[^\s/]+", value):
        raise invalid(name, f"Not a valid URL: {name} must be an http or https URL.", "url_invalid")
    return value


@route("POST", "/v1/account_links")
def create_account_link(call: Call) -> dict[str, Any]:
    call.platform_only()
    p = call.params
    reject_unknown(p, ("account", "refresh_url", "return_url", "type", "collect", "collection_options"))
    account_id = required_text(p, "account")
    call.state.account(account_id, param="account", status=400)
    kind = choice(p, "type", ("account_onboarding", "account_update"), required=True)
    if kind == "account_update":
        raise invalid(
            "type",
            "You cannot create `account_update` type Account Links for Express accounts: use account_onboarding.",
        )
    refresh_url, return_url = _url(p, "refresh_url"), _url(p, "return_url")
    now = call.state.now()
    token = secrets.token_urlsafe(18)
    call.state.account_links[token] = AccountLinkRecord(
        token=token,
        account=account_id,
        refresh_url=refresh_url,
        return_url=return_url,
        type=kind or "account_onboarding",
        expires_at=now + ACCOUNT_LINK_LIFETIME,
    )
    return {
        "created": now,
        "expires_at": now + ACCOUNT_LINK_LIFETIME,
        "object": "account_link",
        "url": f"{call.base_url}/onboarding/{account_id}?link={token}",
    }


# --- transfers and reversals --------------------------------------------------------------------------------------


def _currency(params: Params) -> str:
    currency = required_text(params, "currency").lower()
    if currency != CURRENCY:
        raise invalid(
            "currency", f"The local Stripe test server holds GBP only: currency '{currency}' is not supported."
        )
    return currency


@route("POST", "/v1/transfers")
def create_transfer(call: Call) -> dict[str, Any]:
    p = call.params
    reject_unknown(
        p,
        ("amount", "currency", "destination", "description", "metadata", "transfer_group", "source_transaction"),
    )
    amount = required_integer(p, "amount", minimum=1)
    _currency(p)
    destination = required_text(p, "destination")
    if text(p, "source_transaction"):
        raise invalid("source_transaction", "The local Stripe test server does not link transfers to charges.")
    return call.state.create_transfer(
        owner=call.account,
        amount=amount,
        destination=destination,
        description=text(p, "description"),
        metadata=merged_metadata({}, p),
        transfer_group=text(p, "transfer_group"),
        request=call.request,
    )


@route("GET", "/v1/transfers")
def list_transfers(call: Call) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, (*LIST_PARAMS, "created", "destination", "transfer_group"))
    accepted = created_filter(p)
    destination, group = text(p, "destination"), text(p, "transfer_group")
    items = [
        t
        for t in call.mine(call.state.transfers)
        if accepted(t["created"]) and destination in (None, t["destination"]) and group in (None, t["transfer_group"])
    ]
    return page(items, p, url="/v1/transfers", order=call.state.order, kind="transfer")


@route("GET", "/v1/transfers/(?P<transfer_id>tr_[A-Za-z0-9]+)")
def retrieve_transfer(call: Call, transfer_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    return call.owned(call.state.transfers, transfer_id, "transfer")


@route("POST", "/v1/transfers/(?P<transfer_id>tr_[A-Za-z0-9]+)")
def update_transfer(call: Call, transfer_id: str) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, ("description", "metadata"))
    transfer = call.owned(call.state.transfers, transfer_id, "transfer")
    changes: dict[str, Any] = {"metadata": merged_metadata(transfer["metadata"], p)}
    if "description" in p:
        changes["description"] = text(p, "description")
    return call.state.update_transfer(transfer, changes, request=call.request)


@route("POST", "/v1/transfers/(?P<transfer_id>tr_[A-Za-z0-9]+)/reversals")
def create_reversal(call: Call, transfer_id: str) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, ("amount", "description", "metadata", "refund_application_fee"))
    transfer = call.owned(call.state.transfers, transfer_id, "transfer")
    return call.state.reverse_transfer(
        transfer,
        amount=integer(p, "amount", minimum=1),
        metadata=merged_metadata({}, p),
        request=call.request,
    )


@route("GET", "/v1/transfers/(?P<transfer_id>tr_[A-Za-z0-9]+)/reversals")
def list_reversals(call: Call, transfer_id: str) -> dict[str, Any]:
    reject_unknown(call.params, LIST_PARAMS)
    call.owned(call.state.transfers, transfer_id, "transfer")
    items = call.state.reversals_of(transfer_id)
    url = f"/v1/transfers/{transfer_id}/reversals"
    return page(items, call.params, url=url, order=call.state.order, kind="transfer_reversal")


@route("GET", "/v1/transfers/(?P<transfer_id>tr_[A-Za-z0-9]+)/reversals/(?P<reversal_id>trr_[A-Za-z0-9]+)")
def retrieve_reversal(call: Call, transfer_id: str, reversal_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    call.owned(call.state.transfers, transfer_id, "transfer")
    reversal = call.state.reversals.get(reversal_id)
    if reversal is None or reversal["transfer"] != transfer_id:
        raise no_such("transfer_reversal", reversal_id)
    return reversal


# --- balance ------------------------------------------------------------------------------------------------------


@route("GET", "/v1/balance")
def retrieve_balance(call: Call) -> dict[str, Any]:
    reject_unknown(call.params, ())
    amount = call.state.balance_of(call.account)
    return {
        "available": [{"amount": amount, "currency": CURRENCY, "source_types": {"card": amount}}],
        "connect_reserved": [{"amount": 0, "currency": CURRENCY}],
        "livemode": False,
        "object": "balance",
        "pending": [{"amount": 0, "currency": CURRENCY, "source_types": {"card": 0}}],
    }


@route("GET", "/v1/balance_transactions")
def list_balance_transactions(call: Call) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, (*LIST_PARAMS, "created", "currency", "payout", "source", "type"))
    accepted = created_filter(p)
    payout, source, kind = text(p, "payout"), text(p, "source"), text(p, "type")
    if payout is not None:
        call.owned(call.state.payouts, payout, "payout")
    items = [
        t
        for t in call.mine(call.state.balance_transactions)
        if accepted(t["created"])
        and source in (None, t["source"])
        and kind in (None, t["type"])
        and payout in (None, call.state.paid_out_by.get(t["id"]))
    ]
    return page(items, p, url="/v1/balance_transactions", order=call.state.order, kind="balance_transaction")


@route("GET", "/v1/balance_transactions/(?P<txn_id>txn_[A-Za-z0-9]+)")
def retrieve_balance_transaction(call: Call, txn_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    return call.owned(call.state.balance_transactions, txn_id, "balance transaction")


# --- payouts ------------------------------------------------------------------------------------------------------


@route("POST", "/v1/payouts")
def create_payout(call: Call) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, ("amount", "currency", "description", "metadata", "method", "statement_descriptor"))
    amount = required_integer(p, "amount", minimum=1)
    _currency(p)
    if choice(p, "method", ("standard", "instant")) == "instant":
        raise invalid("method", "Instant payouts are not available for GBP bank accounts on this test server.")
    return call.state.create_payout(
        owner=call.account,
        amount=amount,
        automatic=False,
        description=text(p, "description"),
        metadata=merged_metadata({}, p),
        statement_descriptor=text(p, "statement_descriptor", max_length=22),
        request=call.request,
    )


@route("GET", "/v1/payouts")
def list_payouts(call: Call) -> dict[str, Any]:
    p = call.params
    reject_unknown(p, (*LIST_PARAMS, "created", "arrival_date", "destination", "status"))
    accepted, arrives = created_filter(p), created_filter(p, "arrival_date")
    status = choice(p, "status", ("pending", "paid", "failed", "canceled", "in_transit"))
    items = [
        po
        for po in call.mine(call.state.payouts)
        if accepted(po["created"]) and arrives(po["arrival_date"]) and status in (None, po["status"])
    ]
    return page(items, p, url="/v1/payouts", order=call.state.order, kind="payout")


@route("GET", "/v1/payouts/(?P<payout_id>po_[A-Za-z0-9]+)")
def retrieve_payout(call: Call, payout_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    return call.owned(call.state.payouts, payout_id, "payout")


# --- events -------------------------------------------------------------------------------------------------------


def _type_matcher(pattern: str) -> Callable[[str], bool]:
    if pattern.endswith(".*"):
        return lambda event_type: event_type.startswith(pattern[:-1])
    return lambda event_type: event_type == pattern


@route("GET", "/v1/events")
def list_events(call: Call) -> dict[str, Any]:
    """A platform's own events without `Stripe-Account`; a connected account's events (account.updated, payouts)
    with it — as on Stripe."""
    p = call.params
    reject_unknown(p, (*LIST_PARAMS, "created", "type", "types", "delivery_success"))
    accepted = created_filter(p)
    patterns: list[str] = []
    if text(p, "type"):
        patterns.append(str(text(p, "type")))
    types = p.get("types")
    if types:
        if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
            raise invalid("types", "Invalid array: types must be a list of event types.")
        if patterns:
            raise StripeError(400, "You may only specify one of these parameters: type, types.")
        patterns += types
    matchers = [_type_matcher(pattern) for pattern in patterns]
    items = [
        e
        for e in call.state.newest_first(call.state.events)
        if e.get("account") == call.account
        and accepted(e["created"])
        and (not matchers or any(match(e["type"]) for match in matchers))
    ]
    return page(items, p, url="/v1/events", order=call.state.order, kind="event")


@route("GET", "/v1/events/(?P<event_id>evt_[A-Za-z0-9]+)")
def retrieve_event(call: Call, event_id: str) -> dict[str, Any]:
    reject_unknown(call.params, ())
    event = call.state.events_by_id.get(event_id)
    if event is None or event.get("account") != call.account:
        raise no_such("event", event_id)
    return event


# --- the request pipeline -----------------------------------------------------------------------------------------


def _masked(key: str) -> str:
    return f"{key[:8]}{'*' * max(len(key) - 12, 4)}{key[-4:]}"


def authenticate(authorization: str | None, expected: str | None) -> str:
    """The API key from `Authorization: Bearer sk_...` (or Basic, the key as user name); 401 otherwise."""
    key = ""
    if authorization:
        scheme, _, value = authorization.strip().partition(" ")
        if scheme.lower() == "bearer":
            key = value.strip()
        elif scheme.lower() == "basic":
            try:
                key = base64.b64decode(value.strip()).decode().partition(":")[0]
            except ValueError:
                key = ""
    if not key:
        raise StripeError(401, NO_KEY)
    if key.startswith(("sk_live_", "rk_live_")):
        raise StripeError(401, "This is a local test server: live mode keys are refused.")
    if (expected is not None and key != expected) or (
        expected is None and not key.startswith(("sk_test_", "rk_test_"))
    ):
        raise StripeError(401, f"Invalid API Key provided: {_masked(key)}")
    return key


def _failure(status: int | str) -> Answer:
    if status == "drop":
        return Answer(0, b"", drop=True, note="dropped (injected)")
    code = int(status)
    return Answer.json(
        code,
        StripeError(
            code,
            "An unknown error occurred (injected by the local Stripe test server).",
            type="api_error",
        ).body(),
        {"Stripe-Should-Retry": "true"} if code in (409, 429) else None,
    ).with_note("injected failure")


class Api:
    def __init__(self, state: State, *, api_key: str | None, base_url: Callable[[], str]) -> None:
        self.state = state
        self.api_key = api_key
        self.base_url = base_url

    def handle(self, method: str, path: str, query: str, body: bytes, headers: Any) -> Answer:
        request_id = new_id("req", 14)
        common = {"Request-Id": request_id, "Stripe-Version": headers.get("Stripe-Version") or API_VERSION}
        account = (headers.get("Stripe-Account") or "").strip() or None
        key = ((headers.get("Idempotency-Key") or "").strip() or None) if method == "POST" else None
        record: dict[str, Any] = {
            "method": method,
            "path": path,
            "account": account,
            "idempotency_key": key,
            "request_id": request_id,
            "replayed": False,
            "at": time.time(),
        }
        try:
            answer = self._handle(method, path, query, body, headers, account, key, request_id, record)
        except StripeError as error:
            answer = Answer.json(error.status, error.body())
        answer.headers.update(common)
        if key:
            answer.headers["Idempotency-Key"] = key
        record["status"] = None if answer.drop else answer.status
        record["note"] = answer.note
        with self.state.lock:
            self.state.requests.append(record)
        return answer

    def _handle(
        self,
        method: str,
        path: str,
        query: str,
        body: bytes,
        headers: Any,
        account: str | None,
        key: str | None,
        request_id: str,
        record: dict[str, Any],
    ) -> Answer:
        api_key = authenticate(headers.get("Authorization"), self.api_key)
        try:
            params = parse_form(query if method != "POST" else body.decode("utf-8"))
        except (FormError, UnicodeDecodeError) as error:
            raise StripeError(400, str(error), param=getattr(error, "param", None)) from error
        handler, groups = self._route(method, path)
        if key is not None and len(key) > 255:
            raise StripeError(400, "Invalid idempotency key: it must be at most 255 characters long.")
        failure = self._take_failure(method, path, after=False)
        if failure is not None:
            return _failure(failure)
        with self.state.lock:
            if account is not None and account not in self.state.accounts:
                raise StripeError(
                    403,
                    f"The provided key '{_masked(api_key)}' does not have access to account '{account}' (or that "
                    "account does not exist). Application access may have been revoked.",
                    code="account_invalid",
                )
            scope = (api_key, account or "", key or "")
            saved = self.state.idempotency.get(scope) if key else None
            if saved is not None and saved.created + IDEMPOTENCY_KEY_LIFETIME < self.state.now():
                saved = None
            if saved is not None:
                answer = self._replay(saved, method, path, params, key or "")
                record["replayed"] = True
            else:
                call = Call(self.state, params, account, request_id, key, self.base_url())
                try:
                    answer = Answer.json(200, handler(call, **groups))
                except StripeError as error:
                    if not (key and error.saved):
                        raise
                    answer = Answer.json(error.status, error.body())
                if key:
                    self.state.idempotency[scope] = IdempotencyRecord(
                        method, path, params, answer.status, answer.body, request_id, self.state.now()
                    )
        failure = self._take_failure(method, path, after=True)
        if failure is not None:
            return _failure(failure)
        return answer

    def _route(self, method: str, path: str) -> tuple[Handler, dict[str, str]]:
        for verb, pattern, handler in ROUTES:
            match = pattern.match(path)
            if match and verb == method:
                return handler, match.groupdict()
        raise StripeError(
            404,
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs or we can help at "
            "https://support.stripe.com/.",
        )

    def _take_failure(self, method: str, path: str, *, after: bool) -> int | str | None:
        with self.state.lock:
            for rule in self.state.failures:
                if rule.matches(method, path, after=after):
                    rule.times -= 1
                    return rule.status
        return None

    @staticmethod
    def _replay(saved: IdempotencyRecord, method: str, path: str, params: Params, key: str) -> Answer:
        if (saved.method, saved.path) != (method, path):
            raise StripeError(
                400,
                f"Keys for idempotent requests can only be used for the same endpoint they were first used for "
                f"('{saved.method} {saved.path}' vs '{method} {path}'). Try using a key other than '{key}' if you "
                "meant to execute a different request.",
                type="idempotency_error",
            )
        if saved.params != params:
            raise StripeError(
                400,
                "Keys for idempotent requests can only be used with the same parameters they were first used with. "
                f"Try using a key other than '{key}' if you meant to execute a different request.",
                type="idempotency_error",
            )
        headers = {
            "Content-Type": "application/json",
            "Idempotent-Replayed": "true",
            "Original-Request": saved.request_id,
        }
        return Answer(saved.status, saved.body, headers, note="replayed")
