"""Stripe-shaped errors: `{"error": {"type", "message", "param", "code"}}` with Stripe's HTTP status codes."""

from __future__ import annotations

from typing import Any


class StripeError(Exception):
    """An error answer. `saved` says whether the idempotency layer keeps it for a replay of the same key.

    Stripe saves a result only once the endpoint has started executing: a request refused because its parameters
    are missing, malformed or name nothing that exists is not saved (fix it and send it again with the same key),
    while a refusal decided by the endpoint itself (insufficient balance, a destination without the transfers
    capability) is saved and replayed, like a success.
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        saved: bool = False,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.type = type
        self.param = param
        self.code = code
        self.saved = saved

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"type": self.type, "message": self.message, "param": self.param, "code": self.code}
        if self.code:
            error["doc_url"] = f"https://stripe.com/docs/error-codes/{self.code.replace('_', '-')}"
        return {"error": error}


def missing(param: str) -> StripeError:
    return StripeError(400, f"Missing required param: {param}.", param=param, code="parameter_missing")


def invalid(param: str, message: str, code: str = "parameter_invalid") -> StripeError:
    return StripeError(400, message, param=param, code=code)


def no_such(kind: str, object_id: str, param: str = "id", status: int = 404) -> StripeError:
    return StripeError(status, f"No such {kind}: '{object_id}'", param=param, code="resource_missing")


def executed(status: int, message: str, *, param: str | None = None, code: str | None = None) -> StripeError:
    """A refusal decided by the endpoint once it ran: saved for idempotent replays."""
    return StripeError(status, message, param=param, code=code, saved=True)
