"""Reads for rates."""
