"""Opportunities, selection, attendance, work logs, recommendations and responses, outputs (issues 6 and 8)."""
