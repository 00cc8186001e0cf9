"""Writes for work logs."""
