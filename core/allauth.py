"""django-allauth adapters: no public sign-up, email through Celery, encrypted TOTP secrets, staff keep MFA."""

from __future__ import annotations

from functools import partial
from typing import Any

from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.models import Authenticator
from django.db import transaction
from django.http import HttpRequest

from core.crypto import decrypt_text, encrypt_text
from participants.models import Membership


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # Accounts are created by a partnership: staff by a partnership admin, young people on acceptance.
        return False

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Setting up a first authenticator, just after signing in, needs no second password prompt: there is no
        second factor yet to protect. Every other sensitive change (new recovery codes, email) still asks."""
        user = getattr(self.request, "user", None)
        if (
            app == "allauth.mfa"
            and user is not None
            and user.is_authenticated
            and not Authenticator.objects.filter(user=user).exists()
        ):
            return False
        return bool(super().is_reauthentication_required(app=app, **kwargs))

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        # Render now (the context holds request-bound objects), send from a Celery task after commit.
        from core.tasks import send_email_message

        msg = self.render_mail(template_prefix, email, context)
        html = None
        for content, mimetype in getattr(msg, "alternatives", []):
            if mimetype == "text/html":
                html = content
        transaction.on_commit(
            partial(
                send_email_message.delay,
                subject=msg.subject,
                body=msg.body,
                to=list(msg.to),
                from_email=msg.from_email,
                html=html,
            )
        )


class MFAAdapter(DefaultMFAAdapter):
    def encrypt(self, text: str) -> str:
        return encrypt_text(text)

    def decrypt(self, encrypted_text: str) -> str:
        return decrypt_text(encrypted_text)

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Anyone who holds a staff role in any partnership must keep their second factor."""
        holds_staff_role = Membership.objects.filter(
            user_id=authenticator.user_id, status=Membership.Status.ACTIVE
        ).filter(Membership.with_any_staff_role())
        return not holds_staff_role.exists()
