"""Writes for reconciliation."""
