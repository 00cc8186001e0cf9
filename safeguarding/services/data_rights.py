"""Erasure of a young person's safeguarding data (called by participants.services.data_rights.person_erase).

Kept: safeguarding concerns (until the young person's 25th birthday, and for as long as any legal hold lasts;
they are reviewed then, never deleted here), consent records and competence assessments (the evidence that
what the person took part in was allowed, kept with the safeguarding records), and follow-ups a worker has not
finished. Erased: requests sent to a parent or carer (their name and email), wellbeing check-ins, finished
follow-ups. Refuses nothing itself: the caller has checked the actor may erase this person.
"""

from __future__ import annotations

from django.db import transaction

from participants.erasure import ErasureReport, delete_counted, membership_for_erasure
from participants.models import User
from safeguarding.models import CompetenceAssessment, Consent, ConsentRequest, FollowUpTask, WellbeingCheckIn
from safeguarding.selectors.data_rights import concerns_held_for_membership

CONCERNS_KEPT_WHY = (
    "Safeguarding records are kept until your 25th birthday and then reviewed; a record needed for a legal case"
    " (a legal hold) is kept until that case allows it to go."
)


@transaction.atomic
def safeguarding_erase_for_membership(*, actor: User | None, membership_id: int) -> ErasureReport:
    membership = membership_for_erasure(actor, membership_id)
    report = ErasureReport()
    where = {"partnership_id": membership.partnership_id, "membership": membership}
    total, on_hold = concerns_held_for_membership(membership)
    report.keep("safeguarding concerns", total - on_hold, CONCERNS_KEPT_WHY, count_shown_to_person=False)
    report.keep(
        "safeguarding concerns on legal hold",
        on_hold,
        "On legal hold: kept until the hold is lifted, even after the 25th birthday.",
        count_shown_to_person=False,
    )
    report.keep(
        "consent records",
        Consent.objects.filter(**where).count(),
        "Proof that you (or your parent or carer) agreed to what you took part in; kept with the safeguarding"
        " records until your 25th birthday.",
    )
    report.keep(
        "assessments of whether you could consent for yourself",
        CompetenceAssessment.objects.filter(**where).count(),
        "Part of the proof of consent; kept with the safeguarding records until your 25th birthday.",
    )
    report.erase("requests sent to your parent or carer", delete_counted(ConsentRequest.objects.filter(**where)))
    open_tasks = FollowUpTask.objects.filter(**where, status=FollowUpTask.Status.OPEN)
    report.keep(
        "wellbeing follow-ups a worker has not finished",
        open_tasks.count(),
        "A worker still has to follow these up to keep you safe.",
        count_shown_to_person=False,
    )
    done = delete_counted(FollowUpTask.objects.filter(**where, status=FollowUpTask.Status.DONE))
    report.erase("finished wellbeing follow-ups", done)
    report.erase("wellbeing check-ins", delete_counted(WellbeingCheckIn.objects.filter(**where)))
    return report
