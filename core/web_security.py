"""Per-response exceptions to the site's Content-Security-Policy (settings.CONTENT_SECURITY_POLICY), kept narrow and
written down here and in docs/security.md:

- the API docs page (Swagger UI, drf-spectacular's sidecar files): its stylesheet draws icons as data: images, so
  that page alone may show data: images (`api_docs_policy`);
- a form that redirects to Stripe's hosted onboarding: browsers apply form-action to the redirect, so that response
  alone allows the one origin it redirects to (`allow_form_redirect`);
- the report chart SVGs (frontend/views/reports.py) send their own, stricter policy (default-src 'none').

Also here: the Referrer-Policy of pages reached by a signed link, and the page for a refused CSRF check (Django's own
has an inline style, which the policy would block).
"""

from __future__ import annotations

from urllib.parse import urlsplit

from csp.decorators import csp_update
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

# A page reached by a signed link (core.ratelimit.signed_link) must not hand its token on in a Referer header.
# strict-origin sends only the origin (never the path, so never the token), to our own pages as to others, and keeps
# the Origin header of the page's own form posts, which Django's CSRF check needs. no-referrer would make browsers
# send "Origin: null" on those posts, and the parent's consent form would be refused as a cross-site request.
SIGNED_LINK_REFERRER_POLICY = "strict-origin"

api_docs_policy = csp_update({"img-src": ["data:"]})


def allow_form_redirect(response: HttpResponseBase, url: str) -> HttpResponseBase:
    """Let the form that produced `response` (a redirect to `url`) go to that URL's origin, and nowhere else."""
    parts = urlsplit(url)
    if parts.scheme in {"http", "https"} and parts.netloc:
        response._csp_update = {"form-action": [f"{parts.scheme}://{parts.netloc}"]}  # type: ignore[attr-defined]
    return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form posted without a valid CSRF token (most often a page left open until the
    sign-in ran out, or cookies turned off). Plain words, our own styles, no inline code."""
    return render(request, "403_csrf.html", status=403)
