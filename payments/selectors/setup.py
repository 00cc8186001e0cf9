"""Reads for setup."""
