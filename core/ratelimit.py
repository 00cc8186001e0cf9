"""Rate limits on what a signed-out person can reach: public forms and signed links (docs/security.md, "Web
security"). Sign-in and sign-in codes are limited by allauth (settings.ACCOUNT_RATE_LIMITS); the API by DRF's
throttling (settings.REST_FRAMEWORK).

Counted per client address (allauth's reading of it, so TRUSTED_PROXY_COUNT applies to both) in the default cache,
with django-ratelimit's fixed windows. The rates are settings, read at each request:
- RATELIMIT_PUBLIC_FORM: form posts to public pages (the application form, a parent's consent answer);
- RATELIMIT_SIGNED_LINK: every request to a signed link;
- RATELIMIT_SIGNED_LINK_FAILURES: signed links refused as wrong, changed or expired. Once an address has had that
  many refused, every signed link answers 429 for it until the window ends, so tokens cannot be guessed by trying.

Over a limit, a page answers 429 with frontend/templates/429.html (the API: JSON in the shape of core.api). If the
cache cannot be reached the request goes ahead (logged): a cache outage must not take the public pages down.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import render
from django_ratelimit import ALL, UNSAFE
from django_ratelimit.core import get_usage

from core.web_security import SIGNED_LINK_REFERRER_POLICY

logger = logging.getLogger(__name__)

View = TypeVar("View", bound=Callable[..., HttpResponseBase])

PUBLIC_FORM = "public-form"
SIGNED_LINK = "signed-link"
SIGNED_LINK_FAILURES = "signed-link-failures"
UNSAFE_METHODS = UNSAFE
# What a signed-link view answers when it refuses the link (see frontend/views/apply.py _link_problem).
REFUSED_STATUSES = frozenset({400, 403, 404, 410})
MESSAGE = "Too many tries in a short time. Wait a few minutes, then try again."


def client_ip(request: HttpRequest) -> str:
    """The client's address as allauth reads it (X-Forwarded-For behind TRUSTED_PROXY_COUNT proxies)."""
    from allauth.account.adapter import get_adapter

    return str(get_adapter().get_client_ip(request))


def _key(group: str, request: HttpRequest) -> str:
    return client_ip(request)


def _rate(setting: str) -> Callable[[str, HttpRequest], str]:
    return lambda group, request: cast(str, getattr(settings, setting))


def _usage(request: HttpRequest, group: str, setting: str, *, increment: bool, method: Any) -> dict[str, Any] | None:
    try:
        return get_usage(request, group=group, key=_key, rate=_rate(setting), method=method, increment=increment)  # type: ignore[no-any-return]
    except Exception:  # the cache is down: let people through rather than fail the page
        logger.warning("Rate limit %s not checked: the cache could not be reached", group, exc_info=True)
        return None


def too_many_requests(request: HttpRequest, retry_after: int | None = None) -> HttpResponse:
    """429: a plain page, or JSON for the API."""
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"message": MESSAGE, "extra": {}}, status=429)
    else:
        response = render(request, "429.html", status=429)
    if retry_after:
        response["Retry-After"] = str(max(1, int(retry_after)))
    return response


def _over(usage: dict[str, Any] | None) -> bool:
    return usage is not None and bool(usage["should_limit"])


def public_form(view: View) -> View:
    """Form posts to a page anyone can reach, counted per client address (RATELIMIT_PUBLIC_FORM). GETs are free."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        usage = _usage(request, PUBLIC_FORM, "RATELIMIT_PUBLIC_FORM", increment=True, method=UNSAFE_METHODS)
        if usage is not None and _over(usage):
            return too_many_requests(request, usage["time_left"])
        return view(request, *args, **kwargs)

    wrapped.rate_limited = PUBLIC_FORM  # type: ignore[attr-defined]  # tests/core/test_rate_limits.py looks for it
    return cast(View, wrapped)


def signed_link(view: View) -> View:
    """A page reached by a signed link: every request counts (RATELIMIT_SIGNED_LINK), refused links count again
    (RATELIMIT_SIGNED_LINK_FAILURES) and stop the address once over; posts count as public form posts too. The
    answer carries Referrer-Policy: strict-origin (core.web_security.SIGNED_LINK_REFERRER_POLICY), so the token
    does not leave the page in a Referer header."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        failures = _usage(request, SIGNED_LINK_FAILURES, "RATELIMIT_SIGNED_LINK_FAILURES", increment=False, method=ALL)
        if failures is not None and failures["count"] >= failures["limit"]:
            return _no_referrer(too_many_requests(request, failures["time_left"]))
        for group, setting, method in (
            (SIGNED_LINK, "RATELIMIT_SIGNED_LINK", ALL),
            (PUBLIC_FORM, "RATELIMIT_PUBLIC_FORM", UNSAFE_METHODS),
        ):
            usage = _usage(request, group, setting, increment=True, method=method)
            if usage is not None and _over(usage):
                return _no_referrer(too_many_requests(request, usage["time_left"]))
        try:
            response = view(request, *args, **kwargs)
        except Http404 as missing:
            # Answered here rather than by the handler, so that the 404 page goes without a Referer too.
            response = response_for_exception(request, missing)
        if response.status_code in REFUSED_STATUSES:
            _usage(request, SIGNED_LINK_FAILURES, "RATELIMIT_SIGNED_LINK_FAILURES", increment=True, method=ALL)
        return _no_referrer(response)

    wrapped.rate_limited = SIGNED_LINK  # type: ignore[attr-defined]  # tests/core/test_rate_limits.py looks for it
    return cast(View, wrapped)


def _no_referrer(response: HttpResponseBase) -> HttpResponseBase:
    response["Referrer-Policy"] = SIGNED_LINK_REFERRER_POLICY
    return response


class CacheOutageMiddleware:
    """Sign-in and sign-in codes keep failing closed when the cache (where allauth counts failed tries) cannot be
    reached: letting them through without limits would open accounts to guessing. But the person gets a plain 503
    page saying sign-in is paused, not a 500, and the error is logged without the request's values. Every other
    page keeps working (sessions live in the database; our own limits skip a dead cache, see above)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        from redis.exceptions import ConnectionError as RedisConnectionError
        from redis.exceptions import TimeoutError as RedisTimeoutError

        if not isinstance(exception, RedisConnectionError | RedisTimeoutError):
            return None
        logger.error("The cache could not be reached (%s): answered 503.", type(exception).__name__)
        if request.path.startswith("/api/"):
            body = {"message": "This service is paused for a moment. Try again in a few minutes.", "extra": {}}
            return JsonResponse(body, status=503)
        return render(request, "503.html", status=503)
