"""How the audit log describes engagement events, in plain words and without personal details (partnership admins
read the audit log; each record's page shows its own history)."""

from __future__ import annotations

from core.audit import describe_in_words, describe_status_moves
from engagements.models import Engagement, Interest, RecommendationResponse, ResponseImport, WorkLog

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
    # The feedback loop (engagements.services.feedback)
    "recommendation.created": "recorded a recommendation",
    "recommendation.updated": "changed a recommendation",
    "result.created": "added a result that groups recommendations",
    "result.updated": "changed a result",
    "response.recorded": "recorded the partnership's response to a recommendation",
    "response.changed": "changed a response to a recommendation",
    "response.update_added": "wrote an update on a response",
    "response.evidence_added": "added evidence to a response",
    "response.evidence_removed": "removed evidence from a response",
    "response.rated": "rated a response",
    "feedbackpreference.updated": "changed how they hear about their recommendations",
    "response.escalated": "listed a response past its due date to the scrutiny lead",
    "response.overdue_summary_sent": "emailed the scrutiny leads the weekly summary of overdue responses",
    "response_import.previewed": "uploaded a spreadsheet of response updates to preview",
    "feedbacksettings.updated": "changed the public “you said, we did” page settings",
}


describe_in_words(_EVENTS)
describe_status_moves(
    {
        "engagement.status_changed": ("moved an engagement to", dict(Engagement.Status.choices)),
        "interest.status_changed": ("moved a place to", dict(Interest.Status.choices)),
        "worklog.status_changed": ("moved a work log to", dict(WorkLog.Status.choices)),
        "recommendationresponse.status_changed": ("moved a response to", dict(RecommendationResponse.Status.choices)),
        "responseimport.status_changed": (
            "moved a spreadsheet of response updates to",
            dict(ResponseImport.Status.choices),
        ),
    }
)
