"""Everything the product holds about one young person, in one versioned shape (docs/data-rights.md).

This module asks each app for its part through that app's own selector (safeguarding, engagements, payments,
library); it reads participants' own models directly. The result is both the JSON download and what the
readable page shows. It leaves out, always, what is exempt from self-service: safeguarding concerns, the
restricted notes of support sessions and the notes staff write on wellbeing follow-ups (`NOT_INCLUDED` says so
in the file itself). The number of queries is fixed, whatever the number of records.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from participants.models import (
    Application,
    DataRequest,
    Membership,
    OnboardingItem,
    ReferenceLetter,
    Referral,
    SkillClaim,
    SupportFollowUp,
    SupportSession,
    TrainingBooking,
    TrainingRecord,
    User,
    YoungPersonProfile,
)

FORMAT = "young-scrutineers/person-data"
VERSION = 1

NOT_INCLUDED = [
    {
        "what": "Safeguarding concerns",
        "why": (
            "Records staff keep to protect young people are not part of this download, whether or not any exist: "
            "the law lets us hold them back when sharing them could put someone at risk of serious harm."
        ),
    },
    {
        "what": "Private notes from support sessions and wellbeing follow-ups",
        "why": "What staff wrote about your wellbeing is kept with the safeguarding records, for the same reason.",
    },
    {
        "what": "Panel scorers' names",
        "why": "Your application scores and comments are included, without the names of the staff who gave them.",
    },
]

HOW_TO_ASK_FOR_EVERYTHING = (
    "To ask for everything we hold, including anything above, ask for it on this page or tell your participation "
    "worker. We must answer within one calendar month. Staff will decide, for each record, whether it can be "
    "shared, and tell you if something is held back and why."
)


def _iso(value: datetime.date | datetime.datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- Who may read whose -----------------------------------------------------------------------------------------


def own_membership_for_download(actor: User) -> Membership:
    require(actor, "participants.download_own_data")
    return Membership.objects.select_related("user", "partnership").get(pk=actor.membership.pk)  # type: ignore[union-attr]


def data_requests_visible_to(actor: User, *, open_only: bool = False) -> QuerySet[DataRequest]:
    require(actor, "participants.view_datarequest")
    requests = DataRequest.objects.filter(partnership=actor.partnership).select_related(
        "membership__user", "handled_by", "recorded_by"
    )
    if open_only:
        requests = requests.filter(status__in=DataRequest.OPEN)
    return requests.order_by("due_on", "pk")


def data_request_get_for_actor(actor: User, request_id: int) -> DataRequest:
    """Another partnership's request is a 404, exactly like a missing one."""
    return get_object_or_404(data_requests_visible_to(actor), pk=request_id)


def own_data_requests(actor: User) -> QuerySet[DataRequest]:
    require(actor, "participants.make_datarequest")
    return DataRequest.objects.filter(partnership=actor.partnership, membership=actor.membership).order_by(
        "-received_on", "-pk"
    )


# --- The data ---------------------------------------------------------------------------------------------------


def person_data_for_self(actor: User) -> dict[str, Any]:
    return person_data(own_membership_for_download(actor))


def person_data_for_request(actor: User, request_id: int) -> tuple[DataRequest, dict[str, Any]]:
    """Staff answering an access request start from the same download (then add, after review, anything held
    back from self-service)."""
    request = data_request_get_for_actor(actor, request_id)
    return request, person_data(request.membership)


def person_data(membership: Membership) -> dict[str, Any]:
    """The versioned document (docs/data-rights.md). Call only after deciding the reader may have it."""
    from engagements.selectors.data_rights import engagements_data_for_membership
    from library.data_rights import library_data_for_membership
    from payments.selectors.data_rights import payments_data_for_membership
    from safeguarding.selectors.data_rights import safeguarding_data_for_membership

    user = membership.user
    return {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.now().isoformat(),
        "partnership": {"name": membership.partnership.name, "contact_email": membership.partnership.contact_email},
        "about_you": {
            "name": user.full_name,
            "preferred_name": user.preferred_name,
            "email": user.email,
            "account_created_at": _iso(user.date_joined),
            "roles": membership.role_labels,
            "status": membership.get_status_display(),
            "member_since": _iso(membership.created_at),
            "profile": _profile(membership),
        },
        "application": _application(membership),
        "onboarding": [
            {"item": item.label, "status": item.get_status_display(), "done_at": _iso(item.completed_at)}
            for item in OnboardingItem.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        ],
        "training": _training(membership),
        "skills": [
            {"skill": claim.skill.name, "example": claim.example, "status": claim.get_status_display()}
            for claim in SkillClaim.objects.filter(
                partnership_id=membership.partnership_id, membership=membership
            ).select_related("skill")
        ],
        "reference_letters": [
            {
                "addressed_to": letter.addressed_to,
                "status": letter.get_status_display(),
                "requested_at": _iso(letter.requested_at),
                "text": letter.body,
            }
            for letter in ReferenceLetter.objects.filter(
                partnership_id=membership.partnership_id, membership=membership
            )
        ],
        "support_sessions": _support(membership),
        "friends_invited": Referral.objects.filter(
            partnership_id=membership.partnership_id, referrer=membership
        ).count(),
        "requests_about_your_information": [
            {
                "asked_for": request.get_kind_display(),
                "received_on": _iso(request.received_on),
                "due_on": _iso(request.due_on),
                "status": request.get_status_display(),
                "what_we_said": request.note,
            }
            for request in DataRequest.objects.filter(
                partnership_id=membership.partnership_id, membership=membership
            ).order_by("received_on", "pk")
        ],
        **safeguarding_data_for_membership(membership),
        **engagements_data_for_membership(membership),
        **payments_data_for_membership(membership),
        "library_credits": library_data_for_membership(membership),
        "not_included": NOT_INCLUDED,
        "how_to_ask_for_everything": HOW_TO_ASK_FOR_EVERYTHING,
    }


def _profile(membership: Membership) -> dict[str, Any] | None:
    profile = YoungPersonProfile.objects.filter(partnership_id=membership.partnership_id, membership=membership).first()
    if profile is None:
        return None
    return {
        "date_of_birth": _iso(profile.date_of_birth),
        "pronouns": profile.pronouns,
        "access_needs": profile.access_needs,
        "health_information": profile.health_information,
        "emergency_contact": {
            "name": profile.emergency_contact_name,
            "relationship": profile.emergency_contact_relationship,
            "phone": profile.emergency_contact_phone,
        },
    }


def _application(membership: Membership) -> dict[str, Any] | None:
    application = (
        Application.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("round")
        .prefetch_related("round__questions", "events", "scores__criterion")
        .first()
    )
    if application is None:
        return None
    questions = {str(question.pk): question.text for question in application.round.questions.all()}
    return {
        "round": application.round.title,
        "status": application.get_status_display(),
        "submitted_at": _iso(application.submitted_at),
        "name": application.full_name,
        "preferred_name": application.preferred_name,
        "pronouns": application.pronouns,
        "email": application.email,
        "phone": application.phone,
        "date_of_birth": _iso(application.date_of_birth),
        "parent_or_carer": {
            "name": application.parent_carer_name,
            "relationship": application.parent_carer_relationship,
            "email": application.parent_carer_email,
            "phone": application.parent_carer_phone,
        },
        "answers": [
            {"question": questions.get(key, "A question no longer asked"), "answer": answer}
            for key, answer in (application.answers or {}).items()
        ],
        "history": [
            {"to": event.get_to_status_display(), "at": _iso(event.created_at), "reason": event.reason}
            for event in application.events.all()
        ],
        "panel_scores": [
            {"criterion": score.criterion.label, "score": score.score, "comment": score.comment}
            for score in application.scores.all()
        ],
    }


def _training(membership: Membership) -> dict[str, Any]:
    records = TrainingRecord.objects.filter(
        partnership_id=membership.partnership_id, membership=membership
    ).select_related("module")
    bookings = TrainingBooking.objects.filter(
        partnership_id=membership.partnership_id, membership=membership
    ).select_related("session__module")
    return {
        "completed": [
            {
                "module": record.module.title,
                "completed_on": _iso(record.completed_on),
                "counts_until": _iso(record.expires_on),
            }
            for record in records
        ],
        "bookings": [
            {
                "module": booking.session.module.title,
                "starts_at": _iso(booking.session.starts_at),
                "status": booking.get_status_display(),
            }
            for booking in bookings
        ],
    }


def _support(membership: Membership) -> list[dict[str, Any]]:
    """What the young person already sees on their support page: never the restricted notes."""
    sessions = (
        SupportSession.objects.filter(partnership_id=membership.partnership_id, membership=membership)
        .select_related("staff")
        .prefetch_related(Prefetch("follow_ups", queryset=SupportFollowUp.objects.order_by("due_on", "pk")))
        .only("kind", "held_on", "agreed", "staff__full_name", "membership_id", "partnership_id")
    )
    return [
        {
            "kind": session.get_kind_display(),
            "held_on": _iso(session.held_on),
            "with": session.staff.full_name,
            "what_you_agreed": session.agreed,
            "things_to_do": [
                {"what": f.description, "due_on": _iso(f.due_on), "status": f.get_status_display()}
                for f in session.follow_ups.all()
            ],
        }
        for session in sessions
    ]
