"""Writes for setup."""
