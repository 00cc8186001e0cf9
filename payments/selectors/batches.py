"""Reads for batches."""
