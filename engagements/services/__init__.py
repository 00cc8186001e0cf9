"""Writes for engagements, one module per area: opportunities.py, selection.py, attendance.py, work_logs.py,
outputs.py, employment.py (school terms, permits and the children's working-hours check)."""

from engagements.services.employment import permit_record, school_term_add, working_hours_gaps, working_hours_gaps_many
from engagements.services.opportunities import engagement_create, engagement_set_staff_lead
from engagements.services.selection import engagement_add_attendee

__all__ = [
    "engagement_add_attendee",
    "engagement_create",
    "engagement_set_staff_lead",
    "permit_record",
    "school_term_add",
    "working_hours_gaps",
    "working_hours_gaps_many",
]
