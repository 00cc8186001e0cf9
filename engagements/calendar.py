"""A young person's calendar (ICS) feed, built with the icalendar library.

Each engagement is one VEVENT whose UID stays the same for the engagement's life
(`engagement-<id>@<partnership slug>.young-scrutineers`), so a phone updates the event rather than adding
another. Times are in UTC. Confirmed places are busy events; engagements the young person is interested in (or
waiting for) are marked "(you said you are interested)" and free (TRANSPARENT); a cancelled engagement, and one
the young person withdrew from or lost their place on, stays, marked CANCELLED, for 30 days so phones take it
away. The online link is only in the event of someone confirmed, and never once cancelled. Nothing in a feed says
anything about anyone else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable

from icalendar import Calendar, Event

from engagements.models import Engagement, Interest, OpportunityType
from engagements.selectors.opportunities import GONE_FROM_PLANS
from participants.models import Membership

PRODID = "-//Young Scrutineers//Engagements//EN"


def event_uid(engagement: Engagement, partnership_slug: str) -> str:
    return f"engagement-{engagement.pk}@{partnership_slug}.young-scrutineers"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    return moment.astimezone(datetime.UTC)


def _gone(engagement: Engagement, *, confirmed: bool) -> bool:
    """The young person withdrew, or their place was cancelled: no longer in their plans."""
    return not confirmed and getattr(engagement, "my_interest", None) in GONE_FROM_PLANS


def _description(engagement: Engagement, *, confirmed: bool, link: str | None) -> str:
    lines = [str(OpportunityType(engagement.opportunity_type).label) + "."]
    my_interest = getattr(engagement, "my_interest", None)
    if engagement.status == Engagement.Status.CANCELLED:
        lines.append("This has been cancelled.")
    elif _gone(engagement, confirmed=confirmed) and my_interest == Interest.Status.WITHDRAWN:
        lines.append("You withdrew, so this is no longer in your plans.")
    elif _gone(engagement, confirmed=confirmed):
        lines.append("Your place was cancelled, so this is no longer in your plans.")
    elif confirmed:
        lines.append("Your place is confirmed.")
    elif getattr(engagement, "my_interest", None) == Interest.Status.WAITING:
        lines.append("You are on the waiting list. We will tell you if a place comes up.")
    else:
        lines.append("You said you are interested. We will tell you if you get a place.")
    if engagement.preparation_minutes:
        lines.append(f"Preparation time: {engagement.preparation_minutes} minutes.")
    if engagement.content_warning:
        lines.append("Content warning: check the details before you go.")
    if link:
        lines.append(f"Details: {link}")
    return "\n".join(lines)


def build_calendar(
    membership: Membership,
    engagements: Iterable[Engagement],
    *,
    now: datetime.datetime,
    detail_url: Callable[[Engagement], str | None] | None = None,
) -> bytes:
    """The ICS text for these engagements, each annotated for this young person (`my_confirmed`,
    `my_interest`, `link_for_me`, as engagements.selectors.opportunities.calendar_engagements returns them)."""
    partnership = membership.partnership
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", f"Young Scrutineers: {partnership.name}")
    calendar.add("x-wr-timezone", "Europe/London")
    calendar.add("x-published-ttl", "PT1H")
    stamp = _utc(now)
    for engagement in engagements:
        confirmed = bool(getattr(engagement, "my_confirmed", False))
        gone = _gone(engagement, confirmed=confirmed)
        cancelled = engagement.status == Engagement.Status.CANCELLED or gone
        event = Event()
        event.add("uid", event_uid(engagement, partnership.slug))
        event.add("dtstamp", stamp)
        event.add("dtstart", _utc(engagement.starts_at))
        event.add("dtend", _utc(engagement.ends_at))
        summary = engagement.title if confirmed or gone else f"{engagement.title} (you said you are interested)"
        event.add("summary", summary)
        place = engagement.location
        online = getattr(engagement, "link_for_me", "") if confirmed and not cancelled else ""
        if online:
            place = f"{place} and online: {online}" if place else online
        elif engagement.is_online and not place:
            place = "Online" if cancelled else "Online (the link is sent when your place is confirmed)"
        if place:
            event.add("location", place)
        url = detail_url(engagement) if detail_url else None
        event.add("description", _description(engagement, confirmed=confirmed, link=url))
        if url:
            event.add("url", url)
        if cancelled:
            event.add("status", "CANCELLED")
        else:
            event.add("status", "CONFIRMED" if confirmed else "TENTATIVE")
        event.add("transp", "OPAQUE" if confirmed and not cancelled else "TRANSPARENT")
        calendar.add_component(event)
    return calendar.to_ical()
