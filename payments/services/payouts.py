"""Writes for payouts."""
