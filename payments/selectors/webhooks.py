"""Reads for webhooks."""
