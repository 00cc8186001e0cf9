"""Writes for partnerships and memberships. Pages, API, commands and tasks all call these."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from allauth.account.models import EmailAddress
from django.db import transaction
from django.shortcuts import get_object_or_404

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.workflows import transition
from participants.models import Membership, Partnership, Role, User


@transaction.atomic
def partnership_create(
    *, name: str, slug: str, area: str, contact_email: str = "", employs_young_people: bool = False
) -> Partnership:
    """Operators create partnerships (manage.py or the Django admin); there is no tenant actor yet."""
    partnership = Partnership(
        name=name,
        slug=slug,
        area=area,
        contact_email=contact_email,
        employs_young_people=employs_young_people,
    )
    partnership.full_clean()
    partnership.save()
    return partnership


@transaction.atomic
def membership_create(
    *,
    actor: User | None,
    partnership: Partnership,
    email: str,
    full_name: str,
    roles: Iterable[str],
    preferred_name: str = "",
    job_title: str = "",
    email_verified: bool = False,
) -> Membership:
    """Give a person roles in a partnership, creating their account if the email is new.

    `actor` is None only for operator commands (seeding, the first admin); otherwise it must be a partnership
    admin of the same partnership.
    """
    roles = set(roles)
    if not roles:
        raise ApplicationError("Choose at least one role.", extra={"field": "roles"})
    if unknown := roles - set(Role.values):
        raise ApplicationError(f"Unknown role: {', '.join(sorted(unknown))}.", extra={"field": "roles"})
    if actor is not None:
        require(actor, "participants.change_partnership", partnership)

    email = email.strip().lower()
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email=email, full_name=full_name, preferred_name=preferred_name)
    EmailAddress.objects.get_or_create(user=user, email=email, defaults={"primary": True, "verified": email_verified})
    if Membership.objects.filter(partnership=partnership, user=user).exists():
        raise ApplicationError(f"{email} is already a member of {partnership}.", extra={"field": "email"})

    membership = Membership(partnership=partnership, user=user, job_title=job_title)
    membership.set_roles(roles)
    membership.full_clean()
    membership.save()
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=membership,
        event_type="membership.created",
        payload={"roles": sorted(roles)},
    )
    return membership


@transaction.atomic
def membership_invite(
    *, actor: User, email: str, full_name: str, roles: Iterable[str], job_title: str = ""
) -> Membership:
    """A partnership admin adds someone to their own partnership, and they are emailed how to sign in: staff get a
    link to set a password (and then set up their second factor); young people sign in with an emailed code."""
    membership = membership_create(
        actor=actor, partnership=actor.partnership, email=email, full_name=full_name, roles=roles, job_title=job_title
    )
    transaction.on_commit(partial(_send_welcome, membership.user.pk, membership.partnership.name))
    return membership


def _send_welcome(user_id: int, partnership_name: str) -> None:
    from allauth.account.forms import default_token_generator
    from allauth.account.utils import user_pk_to_url_str
    from django.conf import settings
    from django.urls import reverse

    from core.tasks import send_email_message

    user = User.objects.get(pk=user_id)
    key = default_token_generator.make_token(user)
    link = settings.SITE_URL.rstrip("/") + reverse(
        "account_reset_password_from_key", kwargs={"uidb36": user_pk_to_url_str(user), "key": key}
    )
    body = (
        f"Hello {user.get_short_name()},\n\nYou have been added to Young Scrutineers for {partnership_name}.\n\n"
        f"Set your password here (the link works once):\n{link}\n\nIf you are a young scrutineer you can also sign "
        "in with a code we email you, without a password."
    )
    send_email_message.delay(subject="Your Young Scrutineers account", body=body, to=[user.email])


def _lock_membership(actor: User, membership_id: int) -> Membership:
    """Lock the row; a membership of another partnership is a 404, exactly like a missing one."""
    locked = Membership.objects.select_for_update().select_related("partnership", "user")
    return get_object_or_404(locked.filter(partnership=actor.partnership), pk=membership_id)


@transaction.atomic
def membership_suspend(*, actor: User, membership_id: int, reason: str) -> Membership:
    """Take all of a person's roles in this partnership away at once (for example when they leave)."""
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give a reason for suspending this account.", extra={"field": "reason"})
    membership = _lock_membership(actor, membership_id)
    require(actor, "participants.suspend_membership", membership, "Only a partnership admin can do that.")
    transition(membership, to=Membership.Status.SUSPENDED, actor=actor, payload={"reason": reason})
    return membership


@transaction.atomic
def membership_reactivate(*, actor: User, membership_id: int, reason: str) -> Membership:
    reason = reason.strip()
    if not reason:
        raise ApplicationError("Give a reason for reactivating this account.", extra={"field": "reason"})
    membership = _lock_membership(actor, membership_id)
    require(actor, "participants.suspend_membership", membership, "Only a partnership admin can do that.")
    if membership.erased_at is not None:
        # Their information is gone and their account closed (participants/services/data_rights.py person_erase):
        # an active membership with nothing behind it would be a person no one can reach or pay.
        raise ApplicationError(
            "This person's information was erased, so their account cannot be reactivated. If they come back, they "
            "join again through a recruitment round.",
            extra={"field": "membership"},
        )
    transition(membership, to=Membership.Status.ACTIVE, actor=actor, payload={"reason": reason})
    return membership
