"""Writes for outputs."""
