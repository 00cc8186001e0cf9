"""Reads of safeguarding concerns, scoped to the actor's partnership.

Only safeguarding leads who passed their second factor in this session may read concerns (rule
`safeguarding.view_concern`). For anyone else a list is empty and a single concern is a 404, exactly like one that
does not exist: never a 403 that confirms it is there. The one exception is the reporter, who sees what they
reported (`reports_raised_by`) and nothing added afterwards.

These are reads only: a page or API call that shows a concern goes through `safeguarding.services.concerns.
concern_open`, which fetches it here and records the view in the same transaction.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.http import Http404

from core.permissions import require
from core.tenancy import scope
from participants.models import User
from safeguarding.models import Concern, ConcernCategory, ConcernEntry, ConcernView

VIEWS_SHOWN = 200


def can_read_concerns(actor: User) -> bool:
    return actor.has_perm("safeguarding.view_concern")


def concerns_visible_to(actor: User, *, status: str | None = None, category: str | None = None) -> QuerySet[Concern]:
    """The partnership's concerns for a reader; nothing at all for anyone else (deny by default)."""
    if not can_read_concerns(actor):
        return Concern.objects.none()
    concerns = scope(Concern.objects.select_related("membership__user", "raised_by"), actor)
    if status:
        concerns = concerns.filter(status=status)
    if category:
        concerns = concerns.filter(category=category)
    return concerns.order_by("-raised_at", "-pk")


def concern_get_for_actor(actor: User, concern_id: int) -> Concern:
    """404 for a concern that does not exist, one of another partnership, and one the actor may not read."""
    concern = concerns_visible_to(actor).filter(pk=concern_id).first()
    if concern is None or not actor.has_perm("safeguarding.view_concern", concern):
        raise Http404("No concern found.")
    return concern


def concerns_due_for_review(actor: User, today: datetime.date) -> QuerySet[Concern]:
    """Concerns whose review date (the young person's 25th birthday) has come, and that are not on legal hold."""
    return (
        concerns_visible_to(actor)
        .filter(review_due_on__isnull=False, review_due_on__lte=today, legal_hold=False)
        .order_by("review_due_on", "pk")
    )


@dataclass
class Chronology:
    """A concern's entries in order, with what the page and API need to show them without further queries."""

    entries: list[ConcernEntry]
    corrected_ids: set[int] = field(default_factory=set)
    done_action_ids: set[int] = field(default_factory=set)

    @property
    def by_id(self) -> dict[int, ConcernEntry]:
        return {entry.pk: entry for entry in self.entries}

    @property
    def open_actions(self) -> list[ConcernEntry]:
        return [e for e in self.entries if e.kind == ConcernEntry.Kind.ACTION and e.pk not in self.done_action_ids]

    @property
    def actions(self) -> list[ConcernEntry]:
        return [e for e in self.entries if e.kind == ConcernEntry.Kind.ACTION]


def concern_chronology(actor: User, concern: Concern) -> Chronology:
    require(actor, "safeguarding.view_concern", concern)
    entries = list(
        ConcernEntry.objects.filter(partnership_id=concern.partnership_id, concern=concern).select_related(
            "author", "action_owner"
        )
    )
    chronology = Chronology(entries=entries)
    for entry in entries:
        if entry.corrects_id is not None:
            chronology.corrected_ids.add(entry.corrects_id)
        if entry.kind == ConcernEntry.Kind.ACTION_DONE and entry.details.get("action") is not None:
            chronology.done_action_ids.add(int(entry.details["action"]))
    return chronology


def concern_views_for(actor: User, concern: Concern, *, limit: int = VIEWS_SHOWN) -> tuple[list[ConcernView], int]:
    """The latest `limit` reads of a concern, and how many there have been in all."""
    require(actor, "safeguarding.view_concern", concern)
    views = ConcernView.objects.filter(partnership_id=concern.partnership_id, concern=concern)
    latest = list(views.select_related("viewer").order_by("-viewed_at", "-pk")[:limit])
    total = len(latest) if len(latest) < limit else views.count()
    return latest, total


# --- What a reporter may see ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnReport:
    """A concern as its reporter wrote it. Deliberately holds nothing added later (no entries, status or outcome)."""

    concern_id: int
    reported_at: datetime.datetime
    category: str
    about: str
    young_persons_words: str
    what_happened: str


def reports_raised_by(actor: User) -> QuerySet[ConcernEntry]:
    """The report entries of the concerns the actor raised in this partnership. Turn each into an OwnReport
    (`own_report`) before showing it."""
    require(actor, "safeguarding.raise_concern")
    return (
        scope(ConcernEntry.objects.all(), actor)
        .filter(kind=ConcernEntry.Kind.REPORT, author=actor, concern__raised_by=actor)
        .select_related("concern__membership__user")
        .only(
            "id",
            "created_at",
            "text",
            "details",
            "concern__id",
            "concern__partnership",
            "concern__about_name",
            "concern__what_happened",
            "concern__raised_by",
            "concern__membership__id",
            "concern__membership__user__id",
            "concern__membership__user__full_name",
        )
        .order_by("-created_at", "-pk")
    )


def own_report(actor: User, entry: ConcernEntry) -> OwnReport:
    concern = entry.concern
    require(actor, "safeguarding.view_own_report", concern)
    category = str(entry.details.get("category", ""))
    label = ConcernCategory(category).label if category in ConcernCategory.values else category
    about = concern.membership.user.full_name if concern.membership is not None else concern.about_name
    return OwnReport(
        concern_id=concern.pk,
        reported_at=entry.created_at,
        category=str(label),
        about=about,
        young_persons_words=entry.text,
        what_happened=concern.what_happened,
    )
