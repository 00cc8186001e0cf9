"""Reads for engagements, one module per area (opportunities.py, selection.py, attendance.py, work_logs.py,
outputs.py). Each takes the actor and scopes to their partnership; a single fetch 404s for "not yours"."""
