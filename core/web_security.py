"""Per-response exceptions to the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY), kept narrow and
written down here and in docs/security.md:

- the API docs page (Swagger UI, drf-spectacular's sidecar files): its stylesheet draws icons as data: images, so
  that page alone may show data: images (`api_docs_policy`);
- a form that redirects to Stripe's hosted onboarding: browsers apply form-action to the redirect, so that response
  alone allows the one origin it redirects to (`allow_form_redirect`);
- the report chart SVGs (frontend/views/reports.py) send their own, stricter policy (default-src 'none').
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.http import HttpResponseBase

api_docs_policy = csp_update({"img-src": ["data:"]})


def allow_form_redirect(response: HttpResponseBase, url: str) -> HttpResponseBase:
    """Let the form that produced `response` (a redirect to `url`) go to that URL's origin, and nowhere else."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response
