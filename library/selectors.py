"""Reads of the shared library. Published examples are open to every partnership's staff; everything else is
scoped to the example's own partnership. SKELETON: filled in by the library services work."""

from __future__ import annotations

from django.db.models import QuerySet

from library.models import Example, ExampleCredit, ExampleQuestion
from participants.models import User


def library_search(
    actor: User, *, text: str = "", method: str = "", topic: str = "", age: int | None = None, outcome: str = ""
) -> QuerySet[Example]:
    """Published examples of every partnership (staff only), filtered."""
    raise NotImplementedError


def example_get_for_actor(actor: User, example_id: int) -> Example:
    """A published example (any partnership's staff) or one of the actor's own partnership; else 404."""
    raise NotImplementedError


def own_examples(actor: User) -> QuerySet[Example]:
    """The actor's partnership's examples in every status (staff only)."""
    raise NotImplementedError


def credits_for(actor: User) -> QuerySet[ExampleCredit]:
    """A young person's own requests to be named."""
    raise NotImplementedError


def questions_for(actor: User) -> QuerySet[ExampleQuestion]:
    """Questions the actor's partnership asked, and questions about its own examples."""
    raise NotImplementedError
