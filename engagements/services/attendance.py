"""Writes for attendance."""
