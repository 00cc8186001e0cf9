"""Signed, single-purpose, expiring links for applicants (no account needed): carry on, withdraw, choose an
interview time, answer an offer. The token names the application and the purpose; a token made for one purpose
does not work for another."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core import signing
from django.urls import reverse

from core.exceptions import ApplicationError

MAX_AGE_DAYS = {"resume": 30, "withdraw": 180, "interview": 30, "offer": 30}
URL_NAMES = {
    "resume": "apply_resume",
    "withdraw": "apply_withdraw",
    "interview": "apply_interview",
    "offer": "apply_offer",
}


def make_token(purpose: str, public_id: uuid.UUID) -> str:
    return signing.dumps(str(public_id), salt=f"application.{purpose}", compress=True)


def read_token(purpose: str, token: str) -> uuid.UUID:
    try:
        value = signing.loads(token, salt=f"application.{purpose}", max_age=MAX_AGE_DAYS[purpose] * 86400)
        return uuid.UUID(value)
    except signing.SignatureExpired as exc:
        raise ApplicationError(
            "This link has expired. Ask for a new one, or email your participation worker.",
            extra={"reason": "expired"},
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise ApplicationError(
            "This link is not right. Check you copied all of it.", extra={"reason": "invalid"}
        ) from exc


def link(purpose: str, public_id: uuid.UUID) -> str:
    return settings.SITE_URL.rstrip("/") + reverse(URL_NAMES[purpose], args=[make_token(purpose, public_id)])
