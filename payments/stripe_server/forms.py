"""Stripe's request encoding: form fields with bracket notation, parsed into nested dicts and lists.

`capabilities[transfers][requested]=true&metadata[claim]=12&expand[0]=destination` becomes
`{"capabilities": {"transfers": {"requested": "true"}}, "metadata": {"claim": "12"}, "expand": ["destination"]}`.
Every leaf stays a string, as on the wire; the endpoints convert and check them (see `params.py`). A hash whose
keys are 0, 1, 2 ... (the SDK always numbers list items) becomes a list, except under `metadata`, whose keys are
the caller's own. `name[]=x` appends to a list.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl

_NAME = re.compile(r"^(?P<head>[^\[\]]+)(?P<rest>(?:\[[^\[\]]*\])*)$")
_PART = re.compile(r"\[([^\[\]]*)\]")
_APPEND = object()


class FormError(ValueError):
    """A field name or a mix of fields that cannot be read as one nested value."""

    def __init__(self, message: str, param: str) -> None:
        super().__init__(message)
        self.param = param


def parse_form(text: str) -> dict[str, Any]:
    """Parse an `application/x-www-form-urlencoded` body or query string written in Stripe's bracket notation."""
    root: dict[str, Any] = {}
    for name, value in parse_qsl(text, keep_blank_values=True):
        match = _NAME.match(name)
        if match is None:
            raise FormError(f"Invalid parameter name: {name}", name)
        parts: list[Any] = [match["head"], *(_APPEND if p == "" else p for p in _PART.findall(match["rest"]))]
        _place(root, parts, value, name)
    return _listify(root, parent=None)


def _place(root: dict[str, Any], parts: list[Any], value: str, name: str) -> None:
    node = root
    for index, part in enumerate(parts):
        last = index == len(parts) - 1
        key = str(len(node)) if part is _APPEND else part
        if last:
            if isinstance(node.get(key), dict):
                raise FormError(f"Invalid hash: {name} is given both as a hash and as a value.", name)
            node[key] = value
            return
        child = node.get(key)
        if child is None:
            child = node[key] = {}
        elif not isinstance(child, dict):
            if child == "":
                # `metadata=` then `metadata[a]=b`: an empty value only means "nothing yet".
                child = node[key] = {}
            else:
                raise FormError(f"Invalid hash: {name} is given both as a hash and as a value.", name)
        node = child


def _listify(value: Any, *, parent: str | None) -> Any:
    if not isinstance(value, dict):
        return value
    if parent != "metadata" and value and all(k.isdigit() for k in value):
        indices = sorted(int(k) for k in value)
        if indices == list(range(len(indices))):
            return [_listify(value[str(i)], parent=None) for i in indices]
    return {k: _listify(v, parent=k) for k, v in value.items()}
