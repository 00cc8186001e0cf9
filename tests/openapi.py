"""Check a response from the test client against the OpenAPI schema drf-spectacular generates (the one served at
/api/v1/schema/), with schemathesis's validator: the status code, content type and body must be documented."""

from __future__ import annotations

import functools
from typing import Any

import schemathesis
from drf_spectacular.generators import SchemaGenerator
from schemathesis.core.failures import FailureGroup


@functools.cache
def api_schema() -> Any:
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


def assert_documented(method: str, path: str, response: Any) -> None:
    """`path` is the schema's template, e.g. "/api/v1/outputs/{output_id}/"; `response` a Django test response."""
    import requests

    operation = api_schema()[path][method.upper()]
    documented = operation.definition.raw["responses"]
    assert str(response.status_code) in documented or "default" in documented, (
        f"{method.upper()} {path} answered {response.status_code}, which its schema does not document"
    )
    sent = schemathesis.Response(
        status_code=response.status_code,
        headers={name.lower(): [value] for name, value in response.headers.items()},
        content=response.content,
        request=requests.Request(method.upper(), f"http://testserver{path}").prepare(),
        elapsed=0.0,
        verify=True,
    )
    try:
        operation.validate_response(sent)
    except FailureGroup as failures:
        raise AssertionError(f"{method.upper()} {path} answered outside its schema:\n{failures}") from None
