"""How the audit log describes engagement events, in plain words and without personal details (partnership admins
read the audit log; each record's page shows its own history)."""

from __future__ import annotations

from core.audit import describe_in_words, describe_status_moves
from engagements.models import Engagement, Interest, WorkLog

_EVENTS = {
    "engagement.created": "created an engagement",
    "engagement.updated": "changed an engagement",
    "engagement.staff_lead_changed": "changed an engagement's staff lead",
    "engagement.attendee_added": "confirmed a place on an engagement",
    "engagement.attendee_removed": "took a place off an engagement",
    "engagement.reminder_sent": "sent the day-before reminders for an engagement",
    "opportunitytypesetting.created": "set the defaults for a type of opportunity",
    "opportunitytypesetting.updated": "changed the defaults for a type of opportunity",
    "calendarfeed.created": "made a calendar feed address",
    "calendarfeed.reset": "replaced their calendar feed address",
    "interest.expressed": "said they are interested in an opportunity",
    "interest.invited": "invited a young person to an engagement",
    "attendance.marked": "marked attendance",
    "worklog.draft_saved": "saved a draft work log",
    "worklog.expense_added": "added an expense to a work log",
    "worklog.expense_removed": "removed an expense from a work log",
    "output.created": "added an output",
    "output.updated": "changed an output",
    "output.hidden": "hid an output",
    "output.restored": "showed an output again",
    "output.flagged": "flagged an output because a media consent was withdrawn",
    "schoolterm.added": "added a school term",
    "permit.recorded": "recorded a child employment permit",
}


describe_in_words(_EVENTS)
describe_status_moves(
    {
        "engagement.status_changed": ("moved an engagement to", dict(Engagement.Status.choices)),
        "interest.status_changed": ("moved a place to", dict(Interest.Status.choices)),
        "worklog.status_changed": ("moved a work log to", dict(WorkLog.Status.choices)),
    }
)
