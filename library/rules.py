"""Permission predicates for the shared library (django-rules). The matrix is in docs/permissions.md.

The library is the one place where staff read another partnership's records, and only published examples:
`is_published_example` lets any partnership's staff see one; everything else needs the example's own partnership.
"""

from __future__ import annotations

from typing import Any

import rules

from participants.models import User
from participants.rules import (
    in_own_partnership,
    is_own_membership,
    is_participation_worker,
    is_partnership_admin,
    is_scrutiny_lead,
    is_staff_member,
    is_young_person,
)


@rules.predicate
def is_published_example(user: User, example: Any) -> bool:
    """No object (the library's list): True, the selector shows only published examples. An example: published."""
    return example is None or example.status == "published"


@rules.predicate
def is_own_credit(user: User, credit: Any) -> bool:
    return credit is not None and is_own_membership(user, getattr(credit, "membership", None))


is_library_editor = is_participation_worker | is_scrutiny_lead | is_partnership_admin

rules.add_perm("library.view_example", is_staff_member & (is_published_example | in_own_partnership))
# Drafting from the partnership's own records and editing: participation workers (they know the young people).
rules.add_perm("library.change_example", is_participation_worker & in_own_partnership)
# A second person of the same partnership approves (the service refuses the person who submitted it).
rules.add_perm("library.approve_example", is_library_editor & in_own_partnership)
rules.add_perm("library.withdraw_example", is_library_editor & in_own_partnership)
rules.add_perm("library.ask_question", is_staff_member & is_published_example)
rules.add_perm("library.answer_question", is_library_editor & in_own_partnership)
# A young person answers whether they want to be named on an example (and can take it back at any time).
rules.add_perm("library.answer_credit", is_young_person & in_own_partnership & is_own_credit)
