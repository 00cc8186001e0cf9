"""The shared library's writes: drafting an example from a partnership's records, reviewing and editing it, asking
young people whether they want to be named, publishing with a second person's approval, withdrawing, questions.

SKELETON: signatures agreed with the pages and API; filled in by the library services work.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from library.models import Example, ExampleCredit, ExampleQuestion
from participants.models import Membership, User


@dataclass(frozen=True)
class Problem:
    """One reason an example cannot be published yet: the field it is about and what to do, in plain words."""

    field: str
    message: str


def example_draft(*, actor: User, engagement_ids: Sequence[int], method: str = "") -> Example:
    """A draft drafted from the partnership's own records (nothing reviewed yet)."""
    raise NotImplementedError


def example_update(*, actor: User, example_id: int, **fields: Any) -> Example:
    """Edit text fields, method, outcome, age range, count, engagements (engagement_ids) and outputs (output_ids).
    Only a DRAFT (a submitted one is sent back to draft first)."""
    raise NotImplementedError


def example_review(*, actor: User, example_id: int, fields: Sequence[str]) -> Example:
    """Mark these text fields reviewed as they read now."""
    raise NotImplementedError


def publication_problems(example: Example) -> list[Problem]:
    """Everything that stops publication, each naming its field. Empty: it may be published."""
    raise NotImplementedError


def example_submit(*, actor: User, example_id: int) -> Example:
    raise NotImplementedError


def example_send_back(*, actor: User, example_id: int, reason: str) -> Example:
    raise NotImplementedError


def example_approve(*, actor: User, example_id: int) -> Example:
    """Publish: a different member of staff of the same partnership, and no publication problems."""
    raise NotImplementedError


def example_withdraw(*, actor: User | None, example_id: int, reason: str) -> Example:
    raise NotImplementedError


def credit_ask(*, actor: User, example_id: int, membership_id: int) -> ExampleCredit:
    raise NotImplementedError


def credit_remove(*, actor: User, credit_id: int) -> ExampleCredit:
    raise NotImplementedError


def credit_answer(*, actor: User, credit_id: int, agree: bool, credit_name: str = "") -> ExampleCredit:
    """The young person's own answer; taking back an agreement withdraws a published example at once."""
    raise NotImplementedError


def examples_withdraw_for_consent(*, membership: Membership, actor: User | None) -> list[Example]:
    """Called inside safeguarding's consent withdrawal: withdraw every example that rests on this person."""
    raise NotImplementedError


def question_ask(*, actor: User, example_id: int, text: str) -> ExampleQuestion:
    raise NotImplementedError


def question_answer(*, actor: User, question_id: int, answer: str) -> ExampleQuestion:
    raise NotImplementedError
