"""Consent emails: to a parent or carer (the link to give consent, then the link to withdraw it) and to the
partnership's participation workers (media consent withdrawn; who to ask again at 16 and 18).

Each is rendered now and sent through core.tasks.send_email_message after the surrounding transaction commits, as
plain text and HTML. Nothing sensitive goes in them: no withdrawal reasons, no health details; a parent's email
names the young person by their first name only.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.html import escape, linebreaks

from core.tasks import send_email_message
from participants.models import Membership, Partnership, Role
from safeguarding.models import ConsentType

if TYPE_CHECKING:
    from safeguarding.models import Consent, ConsentRequest

WHAT_FOR_PARENTS: dict[str, str] = {
    ConsentType.PARENT_CARER: "to take part as a young scrutineer",
    ConsentType.MEDIA: "to appear in photos and film",
    ConsentType.DATA_SHARING: "for us to share some information about them",
    ConsentType.EMERGENCY_MEDICAL: "for emergency medical treatment",
}
TYPE_WORDS: dict[str, str] = {
    ConsentType.TAKING_PART: "taking part",
    ConsentType.MEDIA: "photos and film",
}


def _contact(partnership: Partnership) -> str:
    return partnership.contact_email or "the person who sent you this link"


def _send(*, subject: str, body: str, to: list[str]) -> None:
    html = linebreaks(escape(body))
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=to, html=html))


def _participation_workers(partnership: Partnership) -> list[str]:
    emails = list(
        Membership.objects.filter(
            Membership.with_role(Role.PARTICIPATION_WORKER),
            partnership=partnership,
            status=Membership.Status.ACTIVE,
            user__is_active=True,
        )
        .order_by("user__email")
        .values_list("user__email", flat=True)
    )
    if not emails and partnership.contact_email:
        emails = [partnership.contact_email]
    return emails


def send_parent_request(request: ConsentRequest, *, link: str) -> None:
    partnership = request.partnership
    name = request.membership.user.get_short_name()
    what = WHAT_FOR_PARENTS.get(request.consent_type, "")
    body = (
        f"Hello {request.parent_name},\n\n"
        f"{name} is a young scrutineer with {partnership.name}. Young scrutineers help check how well children "
        "and young people in the area are kept safe, and they are paid for their time.\n\n"
        f"We would like your consent for {name} {what}. This link explains what you are agreeing to, and lets "
        f"you say yes or no:\n{link}\n\n"
        "The link works once, for 14 days. If it has stopped working, or you have any questions, email "
        f"{_contact(partnership)}.\n\n"
        "If you were not expecting this email, you can ignore it."
    )
    _send(subject=f"Your consent for {name} {what}", body=body, to=[request.parent_email])


def send_withdraw_link(request: ConsentRequest, consent: Consent, *, link: str) -> None:
    partnership = request.partnership
    name = request.membership.user.get_short_name()
    what = WHAT_FOR_PARENTS.get(request.consent_type, "")
    body = (
        f"Hello {consent.given_by_name},\n\n"
        f"Thank you. We have recorded your consent for {name} {what}, on {consent.given_at:%-d %B %Y}.\n\n"
        "You can change your mind at any time. To withdraw your consent, use this link. It stops straight away:\n"
        f"{link}\n\n"
        f"Keep this email. If you have any questions, email {_contact(partnership)}."
    )
    _send(subject=f"You gave consent for {name} {what}", body=body, to=[request.parent_email])


def send_media_withdrawn(membership: Membership, *, withdrawn_on: datetime.date) -> None:
    partnership = membership.partnership
    recipients = _participation_workers(partnership)
    if not recipients:
        return
    name = membership.user.full_name
    body = (
        f"{name}'s consent to appear in photos, film and other media was withdrawn on {withdrawn_on:%-d %B %Y}. "
        "It took effect straight away.\n\n"
        f"From now on, do not use any photo, film, recording or other output that shows {name}. Take them out of "
        "anything not yet published, and tell anyone you have shared them with.\n\n"
        "You can see their consents in Young Scrutineers."
    )
    for to in recipients:
        _send(subject=f"Media consent withdrawn: {name}", body=body, to=[to])


def send_renewal_list(
    partnership: Partnership,
    rows: Sequence[tuple[Membership, int, datetime.date, Sequence[str]]],
) -> None:
    """rows: (young person, the age they reached (16 or 18), that birthday, the kinds of consent to ask again)."""
    recipients = _participation_workers(partnership)
    if not recipients or not rows:
        return
    lines = [
        f"- {membership.user.full_name}: turned {age} on {birthday:%-d %B %Y}. Ask again about "
        + " and ".join(TYPE_WORDS.get(kind, kind) for kind in kinds)
        + "."
        for membership, age, birthday, kinds in rows
    ]
    count = len(rows)
    people = "young person" if count == 1 else "young people"
    body = (
        f"Consent is asked again when a young person turns 16 and 18. These {people} made their choice before "
        "their birthday, so it no longer counts until they choose again:\n\n"
        + "\n".join(lines)
        + "\n\nTheir checklists show these consents as to do again. They can choose in their account, under "
        "Your consents."
    )
    for to in recipients:
        _send(subject=f"Consent to ask again: {count} {people}", body=body, to=[to])
