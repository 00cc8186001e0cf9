"""Background jobs every app uses. Each is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.contrib.sessions.models import Session
from django.core.mail import EmailMultiAlternatives
from django.utils import timezone

from core.outbox import DirectTask


@shared_task(autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def send_email_message(
    *, subject: str, body: str, to: list[str], from_email: str | None = None, html: str | None = None
) -> None:
    """Send one rendered email. Retries on connection errors; a duplicate delivery is harmless."""
    message = EmailMultiAlternatives(subject=subject, body=body, to=to, from_email=from_email)
    if html:
        message.attach_alternative(html, "text/html")
    message.send()


@shared_task
def clear_expired_sessions() -> int:
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def flush_expired_api_tokens() -> int:
    from knox.models import AuthToken

    deleted, _ = AuthToken.objects.filter(expiry__lt=timezone.now()).delete()
    return int(deleted)


@shared_task(name="core.sweep_unreferenced_files")
def sweep_unreferenced_files() -> int:
    """Every night: delete uploads that no record names, left by a transaction that rolled back (core/files.py)."""
    from core.files import unreferenced_files_sweep

    return len(unreferenced_files_sweep(now=timezone.now()))


@shared_task(name="core.drain_outbox", base=DirectTask)
def drain_outbox() -> int:
    """Send the tasks kept in the outbox while the broker was away (core/outbox.py). Scheduled every minute; not
    itself kept in the outbox (beat would pile one up every minute while Redis is down)."""
    from core.outbox import drain

    return drain()
