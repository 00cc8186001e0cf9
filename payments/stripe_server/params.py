"""Reading request parameters as Stripe does: strings on the wire, checked and converted per endpoint."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from .errors import StripeError, invalid, missing

Params = dict[str, Any]

_METADATA_KEYS = 50
_METADATA_KEY_LENGTH = 40
_METADATA_VALUE_LENGTH = 500


def reject_unknown(params: Params, allowed: Iterable[str]) -> None:
    known = set(allowed) | {"expand"}
    for name in params:
        if name not in known:
            raise invalid(name, f"Received unknown parameter: {name}", code="parameter_unknown")
    if params.get("expand"):
        raise invalid("expand", "The local Stripe test server does not expand objects: leave `expand` out.")


def text(params: Params, name: str, *, required: bool = False, max_length: int = 5000) -> str | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str):
        raise invalid(name, f"Invalid string: {name} should be a string, not a hash or a list.", "parameter_invalid")
    if len(value) > max_length:
        raise invalid(name, f"Invalid string: {name} must be at most {max_length} characters long.")
    return value


def required_text(params: Params, name: str, *, max_length: int = 5000) -> str:
    value = text(params, name, required=True, max_length=max_length)
    if value is None:
        raise missing(name)
    return value


def required_integer(params: Params, name: str, *, minimum: int | None = None) -> int:
    value = integer(params, name, required=True, minimum=minimum)
    if value is None:
        raise missing(name)
    return value


def integer(params: Params, name: str, *, required: bool = False, minimum: int | None = None) -> int | None:
    value = params.get(name)
    if value is None or value == "":
        if required:
            raise missing(name)
        return None
    if not isinstance(value, str) or not value.lstrip("-").isdigit():
        raise invalid(name, f"Invalid integer: {value}", "parameter_invalid_integer")
    number = int(value)
    if minimum is not None and number < minimum:
        raise invalid(name, f"This value must be greater than or equal to {minimum}.", "parameter_invalid_integer")
    return number


def boolean(params: Params, name: str, default: bool | None = None) -> bool | None:
    value = params.get(name)
    if value is None or value == "":
        return default
    if value in ("true", "false"):
        return value == "true"
    raise invalid(name, f"Invalid boolean: {value}", "parameter_invalid_boolean")


def choice(params: Params, name: str, choices: Iterable[str], *, required: bool = False) -> str | None:
    value = text(params, name, required=required)
    allowed = list(choices)
    if value is not None and value not in allowed:
        raise invalid(name, f"Invalid {name}: must be one of {', '.join(allowed)}")
    return value


def merged_metadata(current: dict[str, str], params: Params, name: str = "metadata") -> dict[str, str]:
    """Stripe's metadata update: given keys are set, a key given as "" is removed, `metadata=` clears them all."""
    if name not in params:
        return dict(current)
    value = params[name]
    if value == "":
        return {}
    if not isinstance(value, dict):
        raise invalid(name, "Invalid hash: metadata must be a hash of keys and values.", "parameter_invalid")
    result = dict(current)
    for key, item in value.items():
        if not isinstance(item, str):
            raise invalid(f"{name}[{key}]", "Invalid metadata: values must be strings.")
        if len(key) > _METADATA_KEY_LENGTH:
            raise invalid(f"{name}[{key}]", f"Metadata keys can have up to {_METADATA_KEY_LENGTH} characters.")
        if len(item) > _METADATA_VALUE_LENGTH:
            raise invalid(f"{name}[{key}]", f"Metadata values can have up to {_METADATA_VALUE_LENGTH} characters.")
        if item == "":
            result.pop(key, None)
        else:
            result[key] = item
    if len(result) > _METADATA_KEYS:
        raise invalid(name, f"Metadata can have up to {_METADATA_KEYS} keys.")
    return result


def created_filter(params: Params, name: str = "created") -> Callable[[int], bool]:
    """`created=123` or `created[gte]=...&created[lt]=...` as a predicate on a timestamp."""
    value = params.get(name)
    if value is None or value == "":
        return lambda _created: True
    if isinstance(value, str):
        exact = integer(params, name)
        return lambda created: created == exact
    if not isinstance(value, dict):
        raise invalid(name, f"Invalid {name}: give an integer or a hash of gt, gte, lt, lte.")
    bounds: dict[str, int] = {}
    for op, bound in value.items():
        if op not in ("gt", "gte", "lt", "lte"):
            raise invalid(f"{name}[{op}]", f"Received unknown parameter: {name}[{op}]", "parameter_unknown")
        bounds[op] = required_integer({op: bound}, op)

    def accept(created: int) -> bool:
        return (
            ("gt" not in bounds or created > bounds["gt"])
            and ("gte" not in bounds or created >= bounds["gte"])
            and ("lt" not in bounds or created < bounds["lt"])
            and ("lte" not in bounds or created <= bounds["lte"])
        )

    return accept


LIST_PARAMS = ("limit", "starting_after", "ending_before")


def page(
    items: list[dict[str, Any]],
    params: Params,
    *,
    url: str,
    order: dict[str, int],
    kind: str,
) -> dict[str, Any]:
    """A Stripe list object over `items` (newest first), honouring `limit`, `starting_after` and `ending_before`.

    The cursors are positions in the whole collection (`order` gives every object's creation sequence), so a
    cursor works even when the filters exclude the object it names, as on Stripe.
    """
    limit = integer(params, "limit", minimum=1)
    if limit is None:
        limit = 10
    if limit > 100:
        raise invalid("limit", "This value must be less than or equal to 100.", "parameter_invalid_integer")
    after = text(params, "starting_after")
    before = text(params, "ending_before")
    if after and before:
        raise StripeError(400, "You may only specify one of these parameters: starting_after, ending_before.")
    if after:
        if after not in order:
            raise StripeError(400, f"No such {kind}: '{after}'", param="starting_after", code="resource_missing")
        window = [item for item in items if order[item["id"]] < order[after]]
        chosen = window[:limit]
    elif before:
        if before not in order:
            raise StripeError(400, f"No such {kind}: '{before}'", param="ending_before", code="resource_missing")
        window = [item for item in items if order[item["id"]] > order[before]]
        chosen = window[-limit:]
    else:
        window = items
        chosen = window[:limit]
    return {"object": "list", "data": chosen, "has_more": len(window) > limit, "url": url}
