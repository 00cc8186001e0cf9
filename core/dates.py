"""Dates in the words the product uses everywhere: "3 March 2026".

One function for Python (emails, PDFs, statuses) and for templates (the `long_date` filter, a builtin of the
template engine: frontend/templatetags/dates.py). Django's `date:"j F Y"` filter gives the same text but works it
out afresh for each date (about 20 µs: the format string parsed, the locale's formats looked up); a page with a
hundred dates spent milliseconds on them (docs/performance.md, "Where the time goes").
"""

from __future__ import annotations

import datetime


def long_date(value: datetime.date) -> str:
    """'3 March 2026'. A datetime gives its own date: make it local time first (templates do)."""
    return f"{value.day} {value:%B %Y}"
