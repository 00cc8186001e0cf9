"""How the audit log describes safeguarding events: plain words and no details (partnership admins read the
audit log; what a concern says is only for safeguarding leads)."""

from __future__ import annotations

from core.audit import describe_in_words, register_subject_queryset
from safeguarding.models import Concern

# Load concerns for the audit log without decrypting anything they say.
register_subject_queryset(Concern.objects.only("id", "partnership_id"))

_CONCERN_EVENTS = {
    "concern.raised": "raised a safeguarding concern",
    "concern.entry_added": "added to a safeguarding concern",
    "concern.category_changed": "changed the category of a safeguarding concern",
    "concern.status_changed": "opened or closed a safeguarding concern",
    "concern.legal_hold_changed": "changed the legal hold on a safeguarding concern",
    "concern.deleted_after_review": "deleted a safeguarding concern after its review",
}


describe_in_words(_CONCERN_EVENTS)

_CONSENT_EVENTS = {
    "consent.recorded": "recorded a consent decision",
    "consent.status_changed": "withdrew a consent",
    "consentrequest.sent": "sent a parent or carer a consent link",
    "competenceassessment.recorded": "recorded a competence (Gillick) judgement",
    "safeguardingpolicy.changed": "changed the partnership's safeguarding policy",
    "consent.renewal_due": "found a consent due to be asked again",
}

describe_in_words(_CONSENT_EVENTS)

_OTHER_EVENTS = {
    "staffcheck.recorded": "recorded a DBS check",
    "staffcheck.status_checked": "recorded a DBS update service check",
    "staffcheck.reminder_sent": "sent a DBS renewal reminder",
    "risktemplate.saved": "saved a risk assessment template",
    "riskassessment.created": "started a risk assessment",
    "riskassessment.updated": "changed a risk assessment",
    "riskassessment.hazard_added": "added a hazard to a risk assessment",
    "riskassessment.hazard_removed": "removed a hazard from a risk assessment",
    "riskassessment.status_changed": "moved a risk assessment on",
    "wellbeingcheckin.created": "checked in after a session",
    "followuptask.created": "created a wellbeing follow-up",
    "followuptask.status_changed": "completed a wellbeing follow-up",
    "followuptask.debrief_recorded": "recorded a debrief",
    "youngpersonprofile.care_details_updated": "updated their access needs, health or emergency contact",
    "engagement.care_details_viewed": "opened the care details for an engagement",
}

describe_in_words(_OTHER_EVENTS)
