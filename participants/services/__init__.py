"""Writes for participants, one module per area: people.py, recruitment.py, onboarding.py."""

from participants.services.people import (
    membership_create,
    membership_reactivate,
    membership_suspend,
    partnership_create,
)

__all__ = ["membership_create", "membership_reactivate", "membership_suspend", "partnership_create"]
