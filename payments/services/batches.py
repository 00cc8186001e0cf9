"""Writes for batches."""
