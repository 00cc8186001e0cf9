"""A young person with something in every app, for the download, erasure and retention tests."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.utils import timezone

from engagements.models import Notification
from participants.models import (
    Membership,
    OnboardingItem,
    Role,
    SupportFollowUp,
    SupportSession,
    TrainingModule,
    TrainingRecord,
    User,
    YoungPersonProfile,
)
from safeguarding.models import WellbeingCheckIn
from tests.factories import MembershipFactory
from tests.factories.engagements import AttendanceFactory, ExpenseFactory, InterestFactory, WorkLogFactory
from tests.factories.feedback import (
    FeedbackPreferenceFactory,
    RecommendationContributorFactory,
    ResponseRatingFactory,
)
from tests.factories.library import ExampleCreditFactory
from tests.factories.payments import ClaimFactory, PayeeAccountFactory, PayoutFactory
from tests.factories.recruitment import ApplicationFactory
from tests.factories.safeguarding import ConcernFactory, ConsentFactory, EngagementFactory

RESTRICTED_NOTE = "Talked about trouble at home with her stepdad"
CONCERN_WORDS = "Someone keeps messaging me and I don't like it."


@dataclass
class Person:
    user: User
    membership: Membership
    worker: User
    data: dict[str, Any]


def make_person(partnership: Any, *, email: str = "") -> Person:
    membership = MembershipFactory(
        partnership=partnership, roles=[Role.YOUNG_PERSON], **({"user__email": email} if email else {})
    )
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    where = {"partnership": partnership, "membership": membership}
    YoungPersonProfile.objects.create(
        **where, date_of_birth=datetime.date(2010, 5, 17), pronouns="she/her", health_information="Asthma: inhaler"
    )
    application = ApplicationFactory(round__partnership=partnership, partnership=partnership, status="accepted")
    application.membership = membership
    application.save()
    OnboardingItem.objects.create(**where, key="consent.self", kind="consent", label="Your own consent")
    module, _ = TrainingModule.objects.get_or_create(
        partnership=partnership, title="Safeguarding basics", defaults={"duration_minutes": 60}
    )
    TrainingRecord.objects.create(**where, module=module, completed_on=timezone.localdate(), signed_off_by=worker)
    session = SupportSession.objects.create(
        **where, kind=SupportSession.Kind.ONE_TO_ONE, staff=worker, restricted_notes=RESTRICTED_NOTE,
        agreed="Meet again in a fortnight",
    )  # fmt: skip
    SupportFollowUp.objects.create(
        partnership=partnership, session=session, description="Book the next 1:1", owner=worker,
        due_on=timezone.localdate(),
    )  # fmt: skip
    ConsentFactory(membership=membership)
    concern = ConcernFactory(membership=membership, young_persons_words=CONCERN_WORDS)
    held = ConcernFactory(membership=membership, legal_hold=True)
    engagement = EngagementFactory(partnership=partnership, title="Section 11 panel: police")
    InterestFactory(engagement=engagement, membership=membership)
    AttendanceFactory(engagement=engagement, membership=membership)
    unpaid = WorkLogFactory(membership=membership, note="Went by bus")
    ExpenseFactory(work_log=unpaid)
    claim = ClaimFactory(membership=membership, work_log__note="Prepared questions for the police")
    payout = PayoutFactory(claim=claim)
    PayeeAccountFactory(
        membership=membership, rail="bank", bank_account_name="M Smith", bank_sort_code="112233",
        bank_account_number="12345678",
    )  # fmt: skip
    RecommendationContributorFactory(membership=membership, recommendation__engagement__partnership=partnership)
    rating = ResponseRatingFactory(
        membership=membership, response__recommendation__engagement__partnership=partnership, comment="Too slow"
    )
    FeedbackPreferenceFactory(membership=membership)
    Notification.objects.create(
        partnership=partnership, membership=membership, kind=Notification.Kind.choices[0][0], text="News for you"
    )
    WellbeingCheckIn.objects.create(partnership=partnership, membership=membership, score=2, comment="Tired")
    credit = ExampleCreditFactory(
        example__partnership=partnership, membership=membership, status="agreed", credit_name="Maya S"
    )
    return Person(
        user=membership.user,
        membership=membership,
        worker=worker,
        data={
            "application": application, "concern": concern, "held": held, "claim": claim, "payout": payout,
            "unpaid": unpaid, "credit": credit, "rating": rating, "session": session, "engagement": engagement,
        },
    )  # fmt: skip


@pytest.fixture
def person(partnership: Any) -> Person:
    from core.tenancy import act_in

    made = make_person(partnership)
    act_in(made.user, partnership)
    act_in(made.worker, partnership)
    return made


@pytest.fixture
def admin(member: Any) -> User:
    user: User = member(Role.PARTNERSHIP_ADMIN)
    return user
