"""Telling people about the feedback loop: young people about their recommendations, scrutiny leads and owners
about ratings and overdue responses. In the product (Notification rows) and by email, now or in a daily digest.

The rules, in one place:
- Each timeline entry on a response tells the young people who made the recommendation, once each (the unique
  constraint one_notice_per_entry): those whose membership is active, and leavers (a suspended membership) only if
  they chose to keep hearing (FeedbackPreference.after_leaving). Nobody else. How they are emailed follows their
  FeedbackPreference.email: no row or "immediately" is an email after the change commits, "daily" waits for the
  daily digest (one email listing every change since the last one), "never" is no email at all (the notification
  is still in the product).
- A rating tells the scrutiny lead: the engagement's scrutiny lead when they are an active scrutiny lead of the
  partnership, else every active scrutiny lead of the partnership (one notification each, emailed at once). The
  email says the score but not the comment, which they read on the recommendation's page. The response's owner
  (owner_email) is emailed the score and the comment. Nobody is told who rated it.
  A young person may change their rating (the same row): when notify_rating sees a rating changed since its
  notification (rating.updated_at later than the notification), the notification is brought up to date, marked
  unread and emailed again, and the owner is emailed again. Called again for an unchanged rating it does nothing.
- A response past its due date that is not done or not going ahead is listed once to the scrutiny lead (the same
  choice of scrutiny lead as for ratings): escalated_at is set, an audit row written and an OVERDUE notification
  made (in the product only). If its due date is later moved past the day it was listed, it is listed again once
  the new date has passed too. The emails are the weekly summary: every Monday each active scrutiny lead gets one
  email listing every overdue response in their partnership, once a week (an audit row marks the week sent).

Emails never name the young people who made a recommendation or rated a response. Every job here is safe to run
twice, or twice at the same time: rows are locked and each email is claimed (emailed_at, or an audit row) in the
transaction that enqueues it.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator

from core.audit import audit_record
from core.models import AuditEvent
from core.tasks import send_email_message
from engagements.models import (
    Engagement,
    FeedbackPreference,
    Notification,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseRating,
    TimelineEntry,
)
from engagements.selectors.feedback import overdue_q
from engagements.tasks import send_feedback_notification
from participants.models import Membership, Partnership, Role

Kind = Notification.Kind
Email = FeedbackPreference.Email
Status = RecommendationResponse.Status
ACTIVE = Membership.Status.ACTIVE
SUSPENDED = Membership.Status.SUSPENDED

SHORT = 80  # how much of a recommendation's text names it in a notification or an email
SUMMARY_SENT = "response.overdue_summary_sent"

# How a timeline entry opens the young person's notification.
OPENINGS = {
    TimelineEntry.Kind.RESPONSE: "The partnership has responded to your recommendation",
    TimelineEntry.Kind.CHANGE: "Something has changed for your recommendation",
    TimelineEntry.Kind.UPDATE: "There is news about your recommendation",
    TimelineEntry.Kind.EVIDENCE: "There is new evidence for your recommendation",
}


# --- Small helpers --------------------------------------------------------------------------------------------


def _require_atomic(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError(f"{name} must run inside the transaction that makes the change.")


def _short(text: str) -> str:
    """A recommendation named briefly: its first words, on one line."""
    return Truncator(" ".join(text.split())).chars(SHORT)


def _site(path: str) -> str:
    return str(settings.SITE_URL).rstrip("/") + path


def _day(day: datetime.date) -> str:
    return f"{day:%-d %B %Y}"


def _email(to: str, subject: str, body: str) -> None:
    """Enqueue one email once the transaction commits (send_email_message retries on connection errors)."""
    if to:
        transaction.on_commit(partial(send_email_message.delay, subject=subject, body=body, to=[to]))


def _enqueue_sends(notification_ids: Iterable[int]) -> None:
    for notification_id in notification_ids:
        transaction.on_commit(partial(send_feedback_notification.delay, notification_id))


def _scrutiny_leads(partnership_ids: Iterable[int]) -> dict[int, list[Membership]]:
    """The active scrutiny leads of these partnerships (one query), by partnership."""
    leads: dict[int, list[Membership]] = defaultdict(list)
    found = (
        Membership.objects.filter(
            Membership.with_role(Role.SCRUTINY_LEAD),
            partnership_id__in=list(partnership_ids),
            status=ACTIVE,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("partnership_id", "pk")
    )
    for membership in found:
        leads[membership.partnership_id].append(membership)
    return leads


def _leads_for(engagement: Engagement, leads: dict[int, list[Membership]]) -> list[Membership]:
    """The engagement's scrutiny lead if they are an active scrutiny lead of its partnership, else all of them."""
    everyone = leads.get(engagement.partnership_id, [])
    chosen = [lead for lead in everyone if lead.user_id == engagement.scrutiny_lead_id]
    return chosen or everyone


def _overdue(today: datetime.date) -> QuerySet[RecommendationResponse]:
    return RecommendationResponse.objects.filter(overdue_q(today))


# --- Young people: each timeline entry ------------------------------------------------------------------------


def notify_timeline_entry(entry: TimelineEntry) -> list[Notification]:
    """Call inside the transaction that created the entry. One Notification per young person who made the
    recommendation (active members; leavers only if they opted in), emailed after commit or kept for the digest.
    Calling it again for the same entry makes and emails nothing new. A fixed number of queries however many
    young people made the recommendation. Returns the entry's notifications."""
    _require_atomic("notify_timeline_entry")
    recommendation_id, recommendation_text = (
        Recommendation.objects.filter(response__pk=entry.response_id).values_list("pk", "text").get()
    )
    recipients = (
        RecommendationContributor.objects.filter(
            recommendation_id=recommendation_id,
            membership__partnership_id=entry.partnership_id,
            membership__user__is_active=True,
        )
        .filter(
            Q(membership__status=ACTIVE)
            | Q(membership__status=SUSPENDED, membership__feedback_preference__after_leaving=True)
        )
        .order_by("pk")
        .values_list("membership_id", "membership__feedback_preference__email")
    )
    already = set(Notification.objects.filter(entry=entry).values_list("membership_id", flat=True))
    opening = OPENINGS.get(TimelineEntry.Kind(entry.kind), OPENINGS[TimelineEntry.Kind.UPDATE])
    text = f"{opening} “{_short(recommendation_text)}”: {entry.text.strip()}"
    link = reverse("impact_feed") + f"#response-{entry.response_id}"
    new = [
        Notification(
            partnership_id=entry.partnership_id,
            membership_id=membership_id,
            kind=Kind.FEEDBACK,
            entry=entry,
            response_id=entry.response_id,
            text=text,
            link=link,
            wants_email=email != Email.NEVER,
            in_digest=email == Email.DAILY,
        )
        for membership_id, email in dict(recipients).items()
        if membership_id not in already
    ]
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    notifications = list(Notification.objects.filter(entry=entry).order_by("pk"))
    created = {notice.membership_id for notice in new}
    _enqueue_sends(
        notice.pk
        for notice in notifications
        if notice.membership_id in created and notice.wants_email and not notice.in_digest
    )
    return notifications


# --- Scrutiny leads and owners: ratings -----------------------------------------------------------------------


def notify_rating(rating: ResponseRating) -> list[Notification]:
    """Call inside the transaction that saved the rating: tells the scrutiny lead(s) in the product and by email,
    and emails the response's owner. A rating changed since it was last told (rating.updated_at) brings the
    notification up to date, unread, and emails again; an unchanged one changes nothing (but the owner is emailed
    each time when the partnership has no scrutiny lead to keep the record of it)."""
    _require_atomic("notify_rating")
    response = RecommendationResponse.objects.select_related("recommendation__engagement", "partnership").get(
        pk=rating.response_id
    )
    recommendation = response.recommendation
    leads = _leads_for(recommendation.engagement, _scrutiny_leads([response.partnership_id]))
    existing = {
        notice.membership_id: notice
        for notice in Notification.objects.select_for_update().filter(rating=rating).order_by("pk")
    }
    short = _short(recommendation.text)
    link = reverse("recommendation_detail", args=[recommendation.pk])
    now = timezone.now()
    new: list[Notification] = []
    refreshed: list[Notification] = []
    for lead in leads:
        notice = existing.get(lead.pk)
        if notice is None:
            new.append(
                Notification(
                    partnership_id=response.partnership_id,
                    membership=lead,
                    kind=Kind.RATING,
                    rating=rating,
                    response=response,
                    text=f"A young person rated the response to “{short}” {rating.score} out of 5.",
                    link=link,
                    created_at=max(now, rating.updated_at),
                )
            )
        elif notice.created_at < rating.updated_at:
            notice.text = (
                f"A young person changed their rating of the response to “{short}” to {rating.score} out of 5."
            )
            notice.read_at = None
            notice.emailed_at = None
            notice.created_at = max(now, rating.updated_at)
            refreshed.append(notice)
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    Notification.objects.bulk_update(refreshed, ["text", "read_at", "emailed_at", "created_at"])
    notifications = list(Notification.objects.filter(rating=rating).order_by("pk"))
    told = {notice.membership_id for notice in [*new, *refreshed]}
    _enqueue_sends(notice.pk for notice in notifications if notice.membership_id in told)
    if told or not leads:
        _email_owner(response, rating, short=short)
    return notifications


def _email_owner(response: RecommendationResponse, rating: ResponseRating, *, short: str) -> None:
    """The owner hears the score and the young person's comment, never who they are."""
    if not response.owner_email:
        return
    comment = rating.comment.strip()
    said = f"What they said:\n“{comment}”" if comment else "They did not add a comment."
    body = (
        f"Hello {response.owner_name or 'there'},\n\n"
        f"A young person who made the recommendation “{short}” has rated your response. We asked them: "
        "did this change anything?\n\n"
        f"Their answer: {rating.score} out of 5\n\n{said}\n\n"
        f"The scrutiny lead at {response.partnership.name} sees this rating too. Thank you for telling young "
        "people what became of their recommendations."
    )
    _email(response.owner_email, "A young person rated your response", body)


# --- Sending: one notification now, or the daily digest --------------------------------------------------------


def _greeting(membership: Membership) -> str:
    return f"Hi {membership.user.get_short_name()},"


def _why_young_person() -> str:
    return (
        "You get these emails because you helped make this recommendation. To get one email a day instead, or "
        f"none, change your settings:\n{_site(reverse('feedback_preferences'))}"
    )


@transaction.atomic
def notification_send_email(notification_id: int) -> bool:
    """Email one notification now, unless it was already emailed, is for the digest, or is not wanted. Safe to run
    twice (the row is locked and emailed_at claims it). Returns whether an email was sent."""
    notice = (
        Notification.objects.select_for_update(of=("self",))
        .select_related("membership__user")
        .filter(pk=notification_id)
        .first()
    )
    if notice is None or notice.emailed_at is not None or notice.in_digest or not notice.wants_email:
        return False
    user = notice.membership.user
    if not user.email or not user.is_active:
        return False
    parts = [_greeting(notice.membership), notice.text]
    if notice.link:
        parts.append(f"See it in Young Scrutineers:\n{_site(notice.link)}")
    if notice.kind == Kind.FEEDBACK:
        parts.append(_why_young_person())
    send_email_message(subject=Kind(notice.kind).label, body="\n\n".join(parts), to=[user.email])
    notice.emailed_at = timezone.now()
    notice.save(update_fields=["emailed_at"])
    return True


def _digest_due(now: datetime.datetime) -> QuerySet[Notification]:
    return Notification.objects.filter(in_digest=True, wants_email=True, emailed_at__isnull=True, created_at__lt=now)


def digests_send(now: datetime.datetime | None = None) -> int:
    """One email per person collecting their digest notifications not yet emailed (made before `now`); returns
    emails sent. Each person's notifications are locked and marked emailed in the transaction that enqueues their
    email, so a second run (or one at the same time) sends nothing again."""
    now = now or timezone.now()
    people = list(_digest_due(now).order_by("membership_id").values_list("membership_id", flat=True).distinct())
    return sum(_digest_send(membership_id, now) for membership_id in people)


@transaction.atomic
def _digest_send(membership_id: int, now: datetime.datetime) -> int:
    notices = list(
        _digest_due(now)
        .filter(membership_id=membership_id)
        .select_for_update(of=("self",))
        .select_related("membership__user")
        .order_by("created_at", "pk")
    )
    if not notices:
        return 0
    membership = notices[0].membership
    user = membership.user
    if not user.email or not user.is_active:
        return 0
    count = len(notices)
    lines = [f"- {notice.text}\n  {_site(notice.link)}" if notice.link else f"- {notice.text}" for notice in notices]
    body = "\n\n".join(
        [
            _greeting(membership),
            "Here is what happened to your recommendations since we last emailed you:",
            "\n\n".join(lines),
            f"See everything in Young Scrutineers:\n{_site(reverse('impact_feed'))}",
            _why_young_person(),
        ]
    )
    subject = "News about your recommendation" if count == 1 else f"{count} pieces of news about your recommendations"
    _email(user.email, subject, body)
    Notification.objects.filter(pk__in=[notice.pk for notice in notices]).update(emailed_at=timezone.now())
    return 1


# --- Overdue responses ------------------------------------------------------------------------------------------


@transaction.atomic
def overdue_escalate(today: datetime.date | None = None) -> list[RecommendationResponse]:
    """List each response newly past its due date to the scrutiny lead(s) (an OVERDUE notification, once).

    Newly: never listed, or listed before its due date was moved later (then listed again once the new date has
    passed; the existing notification is brought up to date and marked unread). Sets escalated_at and writes an
    audit row for each. No email: the weekly summary emails every overdue response. Returns those listed."""
    today = today or timezone.localdate()
    escalated_on = TruncDate("escalated_at", tzinfo=timezone.get_default_timezone())
    responses: list[RecommendationResponse] = list(
        _overdue(today)
        .alias(escalated_on=escalated_on)
        .filter(Q(escalated_at__isnull=True) | Q(escalated_on__lte=F("due_on")))
        .select_for_update(of=("self",))
        .select_related("recommendation__engagement", "partnership")
        .order_by("pk")
    )
    if not responses:
        return []
    now = timezone.now()
    RecommendationResponse.objects.filter(pk__in=[response.pk for response in responses]).update(escalated_at=now)
    leads = _scrutiny_leads({response.partnership_id for response in responses})
    existing = {
        (notice.membership_id, notice.response_id): notice
        for notice in Notification.objects.select_for_update().filter(
            kind=Kind.OVERDUE, response__in=[response.pk for response in responses]
        )
    }
    new: list[Notification] = []
    refreshed: list[Notification] = []
    for response in responses:
        response.escalated_at = now
        recommendation = response.recommendation
        assert response.due_on is not None  # noqa: S101 - filtered on due_on__lt
        text = (
            f"The response to “{_short(recommendation.text)}” ({response.owner_agency}) was due on "
            f"{_day(response.due_on)} and is not done yet."
        )
        told = _leads_for(recommendation.engagement, leads)
        for lead in told:
            notice = existing.get((lead.pk, response.pk))
            if notice is None:
                new.append(
                    Notification(
                        partnership_id=response.partnership_id,
                        membership=lead,
                        kind=Kind.OVERDUE,
                        response=response,
                        text=text,
                        link=reverse("recommendation_detail", args=[recommendation.pk]),
                        wants_email=False,
                    )
                )
            else:
                notice.text, notice.read_at, notice.created_at = text, None, now
                refreshed.append(notice)
        audit_record(
            actor=None,
            partnership=response.partnership,
            subject=response,
            event_type="response.escalated",
            payload={"due_on": response.due_on.isoformat(), "scrutiny_leads": [lead.pk for lead in told]},
        )
    Notification.objects.bulk_create(new, ignore_conflicts=True)
    Notification.objects.bulk_update(refreshed, ["text", "read_at", "created_at"])
    return responses


def overdue_weekly_summaries_send(today: datetime.date | None = None) -> int:
    """Email each partnership's active scrutiny leads one summary of every response past its due date (nothing
    when none is), once a week (an audit row on the partnership marks the ISO week sent). Returns emails sent."""
    today = today or timezone.localdate()
    responses = list(_overdue(today).select_related("recommendation").order_by("partnership_id", "due_on", "pk"))
    by_partnership: dict[int, list[RecommendationResponse]] = defaultdict(list)
    for response in responses:
        by_partnership[response.partnership_id].append(response)
    leads = _scrutiny_leads(by_partnership)
    return sum(
        _summary_send(partnership_id, overdue, leads.get(partnership_id, []), today)
        for partnership_id, overdue in by_partnership.items()
    )


@transaction.atomic
def _summary_send(
    partnership_id: int, responses: list[RecommendationResponse], leads: list[Membership], today: datetime.date
) -> int:
    if not leads:
        return 0
    # FOR NO KEY UPDATE: serialises two runs without blocking rows being added that point at the partnership.
    partnership = Partnership.objects.select_for_update(no_key=True).get(pk=partnership_id)
    year, week, _ = today.isocalendar()
    marker = f"{year}-W{week:02d}"
    if AuditEvent.objects.filter(partnership=partnership, event_type=SUMMARY_SENT, payload__week=marker).exists():
        return 0
    items = []
    for number, response in enumerate(responses, start=1):
        assert response.due_on is not None  # noqa: S101 - filtered on due_on__lt
        days = (today - response.due_on).days
        items.append(
            f"{number}. “{_short(response.recommendation.text)}”\n"
            f"   Agency: {response.owner_agency}. Owner: {response.owner_name}.\n"
            f"   Due {_day(response.due_on)}: {days} day{'s' if days != 1 else ''} overdue.\n"
            f"   {_site(reverse('recommendation_detail', args=[response.recommendation_id]))}"
        )
    count = len(responses)
    what = "1 response is" if count == 1 else f"{count} responses are"
    for lead in leads:
        body = "\n\n".join(
            [
                _greeting(lead),
                f"{what} past {'its' if count == 1 else 'their'} due date in {partnership.name} on {_day(today)}:",
                "\n\n".join(items),
                "Please chase the owners, then record what is happening on each response so the young people who "
                "made the recommendations hear about it.",
                f"Every overdue response:\n{_site(reverse('overdue_responses'))}",
            ]
        )
        subject = "1 response is past its due date" if count == 1 else f"{count} responses are past their due date"
        _email(lead.user.email, subject, body)
    audit_record(
        actor=None,
        partnership=partnership,
        subject=partnership,
        event_type=SUMMARY_SENT,
        payload={
            "week": marker,
            "responses": [response.pk for response in responses],
            "scrutiny_leads": [lead.pk for lead in leads],
        },
    )
    return len(leads)
