"""Reads for participants, scoped to the actor's partnership: people.py, recruitment.py, onboarding.py."""

from participants.selectors.people import membership_get_for_actor, memberships_visible_to, staff_contacts_for

__all__ = ["membership_get_for_actor", "memberships_visible_to", "staff_contacts_for"]
