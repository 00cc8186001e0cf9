"""Permission predicates for engagements (the engagements part adds opportunities, selection and work logs)."""

import rules

from participants.rules import in_own_partnership, is_participation_worker, is_partnership_admin

rules.add_perm("engagements.change_engagement", (is_participation_worker | is_partnership_admin) & in_own_partnership)
rules.add_perm("engagements.change_schoolterm", (is_participation_worker | is_partnership_admin) & in_own_partnership)
rules.add_perm("engagements.record_permit", is_participation_worker & in_own_partnership)
