"""Writes for rates."""
