"""Partnerships, people and roles; recruitment, training and the support log (later issues)."""
