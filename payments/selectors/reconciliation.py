"""Reads for reconciliation."""
