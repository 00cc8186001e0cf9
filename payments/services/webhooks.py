"""Writes for webhooks."""
