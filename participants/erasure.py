"""What an erasure did: each app's `*_erase_for_membership` service adds lines saying what it erased and what it
kept and why. Shared by every app, so it imports nothing from them (no import cycles)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from participants.models import Membership, User


@dataclass
class Erased:
    what: str
    count: int


@dataclass
class Kept:
    what: str
    count: int
    why: str
    # Whether the number may be told to the person. Safeguarding records are not: saying "2 concerns kept"
    # would tell them a concern exists. The person is told what kinds of records are kept, always, in words.
    count_shown_to_person: bool = True


@dataclass
class ErasureReport:
    erased: list[Erased] = field(default_factory=list)
    kept: list[Kept] = field(default_factory=list)

    def erase(self, what: str, count: int) -> None:
        if count:
            self.erased.append(Erased(what, count))

    def keep(self, what: str, count: int, why: str, *, count_shown_to_person: bool = True) -> None:
        if count:
            self.kept.append(Kept(what, count, why, count_shown_to_person))

    def as_json(self) -> dict[str, Any]:
        return {
            "erased": [{"what": line.what, "count": line.count} for line in self.erased],
            "kept": [
                {"what": k.what, "count": k.count, "why": k.why, "count_shown_to_person": k.count_shown_to_person}
                for k in self.kept
            ],
        }

    def counts(self) -> dict[str, dict[str, int]]:
        """Counts only, for the audit row (no names, no text)."""
        return {
            "erased": {line.what: line.count for line in self.erased},
            "kept": {line.what: line.count for line in self.kept},
        }


def membership_for_erasure(actor: User | None, membership_id: int) -> Membership:
    """The person being erased. With an actor (a partnership admin handling a request) the membership must be in
    the actor's partnership (another partnership's is a 404) and the actor must hold participants.erase_person;
    with no actor it is the retention job, which works across partnerships."""
    from django.shortcuts import get_object_or_404

    from core.permissions import require

    memberships = Membership.objects.select_related("user", "partnership")
    if actor is None:
        return memberships.get(pk=membership_id)
    membership = get_object_or_404(memberships.filter(partnership=actor.partnership), pk=membership_id)
    require(actor, "participants.erase_person", membership, "Only a partnership admin can erase a person's data.")
    return membership


def delete_counted(queryset: QuerySet[Any]) -> int:
    """Delete the rows and return how many of the queryset's own model went (not the rows cascaded with them)."""
    return int(queryset.delete()[1].get(queryset.model._meta.label, 0))
