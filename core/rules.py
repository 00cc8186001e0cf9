"""Permission predicates for the audit log."""

import rules

from participants.rules import in_own_partnership, is_partnership_admin

rules.add_perm("core.view_auditevent", is_partnership_admin & in_own_partnership)
