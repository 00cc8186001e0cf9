"""Reads for claims."""
