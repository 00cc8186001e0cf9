"""Recruitment emails: a partnership's own wording (EmailTemplate) or the defaults below, filled in with
{placeholders}, sent as plain text and HTML through core.tasks.send_email_message after the transaction commits.

Placeholders are plain {word} substitutions of strings, not the Django template language or str.format, so
wording that staff can edit cannot reach into the application's objects. An unknown placeholder is left as it is.
"""

from __future__ import annotations

import re
from functools import partial
from typing import Any

from django.db import transaction
from django.utils.html import escape, linebreaks

from core.tasks import send_email_message
from participants.models import EmailTemplate, Partnership

DEFAULTS: dict[str, tuple[str, str]] = {
    EmailTemplate.Key.ACKNOWLEDGEMENT: (
        "We have your application to {round}",
        "Hi {name},\n\nThank you for applying to be a young scrutineer with {partnership}. We have your application "
        "and will be in touch by email about what happens next.\n\nIf you change your mind, you can withdraw at any "
        "time with this link:\n{withdraw_link}\n\nIf you have any questions, email {contact_email}.",
    ),
    EmailTemplate.Key.RESUME: (
        "Carry on with your application to {round}",
        "Hi {name},\n\nYour application is saved. Use this link to carry on where you left off:\n{resume_link}\n\n"
        "The link works for 30 days. Your application is not sent until you press 'Send application'.",
    ),
    EmailTemplate.Key.INTERVIEW_INVITATION: (
        "Choose a time to meet us",
        "Hi {name},\n\nWe would like to meet you for a friendly chat about being a young scrutineer. It is not a "
        "test: it is a chance for us to get to know you, and for you to ask us anything.\n\nChoose a time that "
        "works for you here:\n{slot_link}\n\nIf none of the times work, email {contact_email} and we will sort "
        "something out.",
    ),
    EmailTemplate.Key.OFFER: (
        "We would like to offer you a place",
        "Hi {name},\n\nGood news: we would like to offer you a place as a young scrutineer with {partnership}.\n\n"
        "You can accept or say no thanks here:\n{offer_link}\n\nOnce you accept, you can sign in with your email "
        "address and see what is left to do before you can take part.",
    ),
    EmailTemplate.Key.UNSUCCESSFUL: (
        "Your application to {round}",
        "Hi {name},\n\nThank you for applying to be a young scrutineer with {partnership}. We are sorry, but we "
        "cannot offer you a place this time.\n\nWe would love to hear from you again. If you would like to know "
        "more, email {contact_email}.",
    ),
    EmailTemplate.Key.WITHDRAWN: (
        "You have withdrawn your application",
        "Hi {name},\n\nYou have withdrawn your application to {round}. You do not need to do anything else.\n\n"
        "If this was a mistake, email {contact_email}.",
    ),
    EmailTemplate.Key.REFERRAL: (
        "{referrer} thinks you would be a great young scrutineer",
        "Hi {name},\n\n{referrer} is a young scrutineer with {partnership}. They help check how well children and "
        "young people are kept safe, and they get paid for it. They think you would be good at it too.\n\nFind "
        "out more and apply here:\n{apply_link}",
    ),
}

PLACEHOLDERS = (
    "{name}, {round}, {partnership}, {contact_email}, and the links each email uses (for example {offer_link})"
)


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: dict[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda match: values.get(match.group(1), match.group(0)), template)


def render(partnership: Partnership, key: str, context: dict[str, Any]) -> tuple[str, str, str]:
    """(subject, text body, html body) for this partnership's wording of `key`."""
    custom = EmailTemplate.objects.filter(partnership=partnership, key=key).first()
    subject_template, body_template = (custom.subject, custom.body) if custom else DEFAULTS[key]
    values = {
        "partnership": partnership.name,
        "contact_email": partnership.contact_email or "your participation worker",
        **{key: str(value) for key, value in context.items()},
    }
    subject = re.sub(r"[\x00-\x1f\x7f]+", " ", fill(subject_template, values)).strip()
    body = fill(body_template, values)
    html = linebreaks(escape(body))
    return subject, body, html


def send(partnership: Partnership, key: str, to: str, context: dict[str, Any]) -> None:
    """Render now and send after the surrounding transaction commits."""
    subject, body, html = render(partnership, key, context)
    transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[to], html=html))
