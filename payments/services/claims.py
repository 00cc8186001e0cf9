"""Writes for claims."""
