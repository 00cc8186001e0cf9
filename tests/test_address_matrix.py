"""Every address x every role x own partnership / other partnership / signed out, as docs/permissions.md says.

The "Every address" table in docs/permissions.md is the spec. `test_every_address_has_a_row` fails when a URL
pattern or an OpenAPI operation has no row (or a row names an address that does not exist); `test_address`
requests each row as each role, for a record of the person's own partnership and one of another partnership,
and signed out, and checks the answer against the table and the role matrix.
"""

from __future__ import annotations

import inspect
import re
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from rest_framework.test import APIClient

from core.tenancy import act_in
from participants.models import Membership, Role, User
from tests.address_objects import DEFAULTS, NO_OTHER, PAGE_BODIES, PARAM_OVERRIDES, QUERY, build
from tests.factories import MembershipFactory, PartnershipFactory
from tests.test_permission_matrix import CELLS

DOC = Path(__file__).resolve().parent.parent / "docs" / "permissions.md"
ROLES = [
    Role.YOUNG_PERSON,
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]
STAFF_ROLES = ROLES[1:]
API_PREFIX = "/api/v1/"
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Keywords a `needs` cell may use instead of a permission (documented above the table).
KEYWORDS = {"public", "token", "signed in", "own", "nobody"}
# Addresses that are not the product's and are left to their own tests (each with the reason).
EXCLUDED_PREFIXES = {
    "django-admin/": "the Django admin is for operators (is_staff), with allauth's second factor; "
    "tests/core/test_hardening.py covers who reaches it",
    "accounts/": "allauth's own sign-in, sign-up, password and second-factor pages (public or signed in by "
    "design; tests/core/test_hardening.py and the allauth test suite cover them)",
    "bench/": "only when BENCH_FLOOR_VIEW is on (throughput benchmark), never in production",
}


@dataclass(frozen=True)
class Row:
    address: str
    method: str
    needs: str
    object: str

    @property
    def is_api(self) -> bool:
        return self.address.startswith("/")

    @property
    def id(self) -> str:
        return f"{self.method} {self.address}"


def read_rows() -> list[Row]:
    text = DOC.read_text()
    section = text.split("## Every address", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    header = [cell.strip() for cell in lines[0].strip("|").split("|")]
    assert header == ["address", "method", "needs", "object"], header
    rows = []
    for line in lines[2:]:
        cells = [cell.strip().strip("`") for cell in line.strip().strip("|").split("|")]
        rows.append(Row(*cells))
    return rows


ROWS = read_rows()
ALLOWED = {(perm, role) for perm, role, allowed in CELLS if allowed}
PERMISSIONS = {perm for perm, _, _ in CELLS}


# --- what the project answers -------------------------------------------------------------------------------


def _walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, str, Any]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}:{entry.namespace}" if namespace else entry.namespace
            found += _walk(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace else str(entry.name)
            found.append((prefix + str(entry.pattern), name, entry.callback))
    return found


def _page_methods(callback: Any) -> set[str]:
    """The methods a page answers: from require_http_methods/require_POST, a class view's handlers, or the
    view's own code (a function view that reads request.POST answers POST as well as GET)."""
    view_class = getattr(callback, "view_class", None)
    if view_class is not None:
        return {
            m.upper() for m in view_class.http_method_names if hasattr(view_class, m) and m not in {"options", "head"}
        }
    function = callback
    while True:
        for cell in function.__closure__ or ():
            try:
                value = cell.cell_contents
            except ValueError:  # pragma: no cover - an empty cell
                continue
            if isinstance(value, list | tuple) and value and all(isinstance(v, str) and v.isupper() for v in value):
                return {v for v in value if v != "HEAD"}
        inner = getattr(function, "__wrapped__", None)
        if inner is None:
            break
        function = inner
    source = inspect.getsource(function)
    return {"GET", "POST"} if re.search(r"request\.POST|request\.method|request\.FILES", source) else {"GET"}


@cache
def url_patterns() -> dict[str, tuple[str, Any]]:
    """Page addresses by name (API addresses are covered through the OpenAPI schema)."""
    return {name: (route, callback) for route, name, callback in _walk(get_resolver())}


@cache
def api_schema() -> dict[str, Any]:
    from drf_spectacular.generators import SchemaGenerator

    schema: dict[str, Any] = SchemaGenerator().get_schema(request=None, public=True)
    return schema


@cache
def api_operations() -> set[tuple[str, str]]:
    return {
        (path, method.upper())
        for path, operations in api_schema()["paths"].items()
        for method in operations
        if method.upper() in {"GET", "POST", "PUT", "PATCH", "DELETE"}
    }


def _example(schema: dict[str, Any], depth: int = 0) -> Any:
    """A plausible value for a schema: the required fields only, the first choice of an enum."""
    if "$ref" in schema:
        schema = api_schema()["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    for combined in ("allOf", "oneOf", "anyOf"):
        if combined in schema:
            return _example(schema[combined][0], depth)
    if "enum" in schema:
        return next((value for value in schema["enum"] if value not in {"", None}), None)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 3:
            return {}
        properties = schema.get("properties", {})
        return {
            name: _example(properties[name], depth + 1) for name in schema.get("required", []) if name in properties
        }
    if kind == "array":
        return []
    if kind == "integer":
        return max(1, schema.get("minimum", 1))
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if schema.get("format") == "date":
        return "2026-06-01"
    if schema.get("format") == "date-time":
        return "2026-06-01T10:00:00Z"
    if schema.get("format") in {"uri", "url"}:
        return "https://example.org/"
    if schema.get("format") == "email":
        return "someone@example.org"
    return "A reason"


def _body(row: Row, params: dict[str, Any]) -> Any:
    """A body that passes the serializer where it can, so that the answer is about the person, not the body. A
    field that names a record (`engagement`, `membership_id`) names the row's record (own or other partnership)."""
    operation = api_schema()["paths"][row.address][row.method.lower()]
    content = operation.get("requestBody", {}).get("content", {})
    if "application/json" not in content:
        return {}
    body = _example(content["application/json"]["schema"])
    if isinstance(body, dict):
        for name in body:
            base = name.removesuffix("_ids").removesuffix("_id")
            if f"{base}_id" in params:
                body[name] = [params[f"{base}_id"]] if name.endswith("_ids") else params[f"{base}_id"]
    return body


def _api_path(route: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_the_table_names_only_known_needs_and_objects():
    from tests.address_objects import BUILDERS

    for row in ROWS:
        for term in _terms(row.needs):
            assert term in KEYWORDS or term in PERMISSIONS, f"{row.id}: unknown need {term!r}"
        assert row.object == "-" or row.object in BUILDERS, f"{row.id}: no builder for {row.object!r}"
        assert row.method in {"GET", "POST", "PUT", "PATCH", "DELETE"}, row.id
    ids = [row.id for row in ROWS]
    assert len(ids) == len(set(ids)), sorted({i for i in ids if ids.count(i) > 1})


def test_every_address_has_a_row():
    """A new page or API operation without a row in docs/permissions.md fails here."""
    table = {(row.address, row.method) for row in ROWS}
    operations = api_operations()
    expected = set(operations)
    api_paths = {path for path, _ in operations}
    for route, name, callback in _walk(get_resolver()):
        if any(route.startswith(prefix) for prefix in EXCLUDED_PREFIXES):
            continue
        if route.startswith(API_PREFIX.lstrip("/")) and _api_path(route) in api_paths:
            continue  # an API operation: its row is by OpenAPI path and method
        expected |= {(name, method) for method in _page_methods(callback)}
    missing = sorted(expected - table)
    unknown = sorted(table - expected)
    assert not missing, f"addresses with no row in docs/permissions.md 'Every address': {missing}"
    assert not unknown, f"rows for addresses or methods that do not exist: {unknown}"


# --- asking every role --------------------------------------------------------------------------------------


def _roles_allowed(row: Row, role: str) -> bool:
    """Whether the role holds the row's permission (the `own` keyword: the young person, for their record)."""
    for term in _terms(row.needs):
        if term in {"public", "token", "signed in"}:
            return True
        if term == "own" and role == Role.YOUNG_PERSON:
            return True
        if (term, role) in ALLOWED:
            return True
    return False


def _url(row: Row, params: dict[str, Any]) -> str:
    from django.urls import reverse

    values = {**DEFAULTS, **PARAM_OVERRIDES.get(row.address, {}), **params}
    query = "&".join(f"{name}={values[name + '_id']}" for name in QUERY.get(row.address, []))
    if row.is_api:
        names = re.findall(r"{(\w+)}", row.address)
        path = row.address.format(**{name: quote(str(values[name])) for name in names})
        return f"{path}?{query}" if query else path
    route, _ = url_patterns()[row.address]
    names = re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", route)
    kwargs = {a or b: values[a or b] for a, b in names}
    return reverse(row.address, kwargs=kwargs)


def _request(client: Any, row: Row, url: str, params: dict[str, Any]) -> Any:
    method = getattr(client, row.method.lower())
    if row.is_api and row.method in WRITES:
        return method(url, _body(row, params), format="json")
    if row.method == "POST":
        return method(url, PAGE_BODIES.get(row.address, {}))
    return method(url)


def _signed_in(user: User, api: bool) -> Any:
    client: Any = APIClient() if api else Client()
    client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
    session = client.session
    session["account_authentication_methods_user"] = str(user.pk)
    session["account_authentication_methods"] = [
        {"method": "password", "at": time.time(), "email": user.email},
        {"method": "mfa", "at": time.time(), "type": "totp"},
    ]
    session.save()
    return client


def _is_sign_in_redirect(response: Any) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def _outcome(row: Row, response: Any) -> str:
    """allowed (2xx, or a redirect not to the sign-in page) / invalid (400, 409, 415, 422: the body or the
    record's state was refused) / 403 / 404 / 405 / sign-in / error-5xx / other-<code>."""
    code = response.status_code
    if code >= 500:
        return f"error-{code}"
    if _is_sign_in_redirect(response) or (row.is_api and code == 401):
        return "sign-in"
    if code in {403, 404, 405}:
        return str(code)
    if 200 <= code < 400:
        return "allowed"
    if code in {400, 409, 415, 422}:
        return "invalid"
    return f"other-{code}"


MARKERS = (", hidden", ", body first")


def _terms(needs: str) -> list[str]:
    for marker in MARKERS:
        needs = needs.replace(marker, "")
    return [term.strip() for term in needs.split(" or ")]


def _expected(row: Row, role: str | None, where: str) -> set[str]:
    answers = {"allowed", "invalid"} if row.method in WRITES else {"allowed"}
    if row.needs == "token":
        return {"allowed", "invalid", "404"}  # the same for everyone: an "invalid link" page, 400 or 404
    if role is None:
        if row.needs == "public":
            return answers
        return {"sign-in", "403"} if row.is_api else {"sign-in"}
    allowed = _roles_allowed(row, role)
    refused = {"403", "404"} if ", hidden" in row.needs else {"403"}
    if ", body first" in row.needs:
        refused |= {"invalid"}
    if where == "other" and row.needs != "public":
        # Another partnership's record is a 404. A person refused the page whatever the record gets the same
        # refusal as for their own partnership's record (it confirms nothing).
        missing = {"404", "invalid"} if ", body first" in row.needs else {"404"}
        return missing if allowed else refused | missing
    return answers if allowed else refused


@pytest.fixture
def people(settings) -> dict[str, Any]:
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    own, other = PartnershipFactory(), PartnershipFactory()
    by_role: dict[str, User] = {}
    for role in ROLES:
        membership = MembershipFactory(partnership=own, roles=[role])
        by_role[role] = membership.user
    stranger: Membership = MembershipFactory(partnership=other, roles=[Role.YOUNG_PERSON])
    young = Membership.objects.get(user=by_role[Role.YOUNG_PERSON], partnership=own)
    for user in by_role.values():
        act_in(user, own)
    return {"roles": by_role, "young": young, "stranger": stranger}


@pytest.mark.django_db
@pytest.mark.parametrize("row", ROWS, ids=[row.id for row in ROWS])
def test_address(row: Row, people: dict[str, Any]) -> None:
    wrong = []
    own_params = build(row.object, people["young"]) if row.method == "GET" else None
    has_other = row.object not in {"-", *NO_OTHER}
    other_params = build(row.object, people["stranger"]) if has_other else None
    actors: list[str | None] = [*ROLES, None]
    for role in actors:
        if own_params is None or row.method in WRITES:
            own_params = build(row.object, people["young"])  # a write may change or remove the record
        cases = [("own", own_params)] + ([("other", other_params)] if other_params is not None else [])
        if role is None:
            client: Any = APIClient() if row.is_api else Client()
        else:
            client = _signed_in(people["roles"][role], row.is_api)
        for where, params in cases:
            url = _url(row, params)
            response = _request(client, row, url, params)
            got = _outcome(row, response)
            expected = _expected(row, role, where)
            if got not in expected:
                wrong.append(f"{role or 'signed out'} / {where} {url}: {got} (expected {sorted(expected)})")
    assert not wrong, "\n".join(wrong)
