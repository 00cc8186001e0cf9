"""The Stripe webhook endpoint: /payments/stripe/webhook/<token>/ (name `stripe_webhook`).

- The path holds a long random token (settings.STRIPE_WEBHOOK_PATH_TOKEN), compared in constant time; a wrong
  token, or none configured, is a 404 whatever the method, so the address cannot be found by trying.
- POST only (anything else is a 405), no sign-in and no CSRF token (Stripe cannot have either): the signature is
  what authenticates it. The session, tenancy and second-factor middleware let an anonymous request through.
- The body is verified with the official SDK, `stripe.Webhook.construct_event(body, Stripe-Signature,
  STRIPE_WEBHOOK_SECRET, tolerance=300)`: a tampered body, a wrong secret, a missing or malformed header, or a
  timestamp more than 300 seconds old (a replay) is a 400 with nothing kept or changed, and a warning in the log
  that says why without the signature, the secret or the body.
- A verified event is kept under its unique id and its handling enqueued after commit (Celery); the answer is a
  quick 200, also for a repeat of an event already kept.
"""

from __future__ import annotations

import hmac
import json
import logging

import stripe
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

from core.exceptions import ApplicationError
from payments.services.webhooks import stripe_event_receive

logger = logging.getLogger(__name__)

TOLERANCE_SECONDS = 300


def _token_matches(token: str) -> bool:
    expected = str(settings.STRIPE_WEBHOOK_PATH_TOKEN or "")
    return bool(expected) and hmac.compare_digest(token.encode(), expected.encode())


def _refuse(request: HttpRequest, reason: str) -> HttpResponse:
    logger.warning(
        "Refused a Stripe webhook from %s: %s", request.META.get("REMOTE_ADDR", "an unknown address"), reason
    )
    return HttpResponse(status=400)


def _why(error: stripe.SignatureVerificationError) -> str:
    """Why the SDK refused the signature, in words that hold no secret, signature or body."""
    message = str(getattr(error, "user_message", None) or error)
    if "No Stripe-Signature header" in message:
        return "no Stripe-Signature header"
    if "tolerance" in message:
        return "the signature's timestamp is more than 300 seconds old (a replay?)"
    if "No webhook secret" in message:
        return "no webhook secret is configured"
    if "Unable to extract" in message or "expected scheme" in message:
        return "a malformed Stripe-Signature header"
    return "the signature does not match the body"


@csrf_exempt
def stripe_webhook(request: HttpRequest, token: str) -> HttpResponse:
    if not _token_matches(token):
        raise Http404("No such page.")
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    body = request.body
    try:
        stripe.Webhook.construct_event(
            body,
            request.headers.get("Stripe-Signature"),
            settings.STRIPE_WEBHOOK_SECRET,
            tolerance=TOLERANCE_SECONDS,
        )
        event = json.loads(body)
    except stripe.SignatureVerificationError as error:
        return _refuse(request, _why(error))
    except (ValueError, TypeError, AttributeError, KeyError):  # not UTF-8, not JSON, or not an event's shape
        return _refuse(request, "the body is not a Stripe event")
    if not isinstance(event, dict):
        return _refuse(request, "the body is not a Stripe event")
    try:
        stripe_event_receive(event=event)
    except ApplicationError:
        return _refuse(request, "the body is not a Stripe event")
    return HttpResponse(status=200)
