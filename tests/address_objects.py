"""Builders for the address matrix (tests/test_address_matrix.py): one per kind of record a URL points at.

`build(kind, young)` makes one record of that kind in `young`'s partnership, belonging to that young person where
the record has an owner (their consent, their work log, their claim...), and returns the URL parameters that
point at it (a superset: each address takes the names it needs). Records are the cheapest that are valid.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from typing import Any

from django.utils import timezone

from participants.models import Membership, Role, User
from tests.factories import MembershipFactory

Params = dict[str, Any]
_serial = itertools.count(1)
BUILDERS: dict[str, Callable[[Membership], Params]] = {}
# Kinds whose address names no record of a partnership (a type of opportunity): there is no "other
# partnership's" address to ask for.
NO_OTHER = {"briefing_pack"}

# Values for URL parameters that name no record (or a record the page makes on first use).
DEFAULTS: Params = {
    "token": "not-a-valid-token",
    "code": "not-a-code",
    "consent_type": "taking_part",
    "opportunity_type": "focus_group",
    "year": timezone.localdate().year,
    "table": "hours",
    "fmt": "csv",
    "key": "offer",
}
# What a page's form must hold before the page looks at the person at all (which button was pressed).
PAGE_BODIES: dict[str, dict[str, str]] = {
    "recruitment_round": {"action": "question"},
    "onboarding_item_update": {"status": "done"},
    "portfolio_decide_skill_claim": {"decision": "confirm"},
}
# Query parameters a list needs (the API's attendance sheet is for one engagement).
QUERY: dict[str, list[str]] = {"/api/v1/attendance/": ["engagement"]}
# The onboarding checklist's key is an item's, not an email template's.
PARAM_OVERRIDES: dict[str, Params] = {
    "onboarding_item_update": {},
    "/api/v1/onboarding/{membership_id}/items/{key}/": {},
}


def builder(kind: str) -> Callable[[Callable[[Membership], Params]], Callable[[Membership], Params]]:
    def register(function: Callable[[Membership], Params]) -> Callable[[Membership], Params]:
        BUILDERS[kind] = function
        return function

    return register


def build(kind: str, young: Membership) -> Params:
    if kind == "-":
        return {}
    return {"membership_id": young.pk, **BUILDERS[kind](young)}


def _staff(young: Membership, role: str = Role.PARTICIPATION_WORKER) -> User:
    user: User = MembershipFactory(partnership=young.partnership, roles=[role], with_totp=False).user
    return user


def _engagement(young: Membership, **kwargs: Any) -> Any:
    from tests.factories.engagements import OpportunityFactory

    return OpportunityFactory(partnership=young.partnership, **kwargs)


@builder("partnership")
def _partnership(young: Membership) -> Params:
    return {"partnership_id": young.partnership_id, "slug": young.partnership.slug}


@builder("membership")
def _membership(young: Membership) -> Params:
    return {"membership_id": young.pk}


@builder("onboarding")
def _onboarding(young: Membership) -> Params:
    from participants.models import OnboardingItem

    item = OnboardingItem.objects.create(
        partnership=young.partnership,
        membership=young,
        kind=OnboardingItem.Kind.SAFEGUARDING,
        key=f"check.photo_id_{next(_serial)}",
        label="Photo ID seen",
    )
    return {"membership_id": young.pk, "key": item.key}


@builder("outreach_link")
def _outreach_link(young: Membership) -> Params:
    from tests.factories.recruitment import OutreachLinkFactory

    link = OutreachLinkFactory(round__partnership=young.partnership)
    return {"code": link.code}


@builder("round")
def _round(young: Membership) -> Params:
    from tests.factories.recruitment import RoundFactory

    round_ = RoundFactory(partnership=young.partnership)
    return {"round_id": round_.pk, "round_public_id": round_.public_id}


@builder("application")
def _application(young: Membership) -> Params:
    from tests.factories.recruitment import ApplicationFactory

    application = ApplicationFactory(round__partnership=young.partnership)
    return {"application_id": application.pk}


@builder("consent")
def _consent(young: Membership) -> Params:
    from django.core.files.base import ContentFile

    from tests.factories.safeguarding import ConsentFactory

    consent = ConsentFactory(membership=young)
    consent.document.save("form.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {"membership_id": young.pk, "consent_id": consent.pk}


@builder("concern")
def _concern(young: Membership) -> Params:
    from safeguarding.models import ConcernEntry
    from tests.factories.safeguarding import ConcernFactory

    author = _staff(young)
    concern = ConcernFactory(membership=young, raised_by=author)
    entry = ConcernEntry.objects.create(
        partnership=young.partnership,
        concern=concern,
        author=author,
        kind=ConcernEntry.Kind.ACTION,
        text="Call the school",
        action_owner=author,
        action_due_on=timezone.localdate(),
    )
    return {"concern_id": concern.pk, "entry_id": entry.pk}


@builder("engagement")
def _engagement_params(young: Membership) -> Params:
    return {"engagement_id": _engagement(young).pk}


@builder("risk_assessment")
def _risk_assessment(young: Membership) -> Params:
    from safeguarding.models import Hazard
    from tests.factories.safeguarding import RiskAssessmentFactory

    assessment = RiskAssessmentFactory(engagement=_engagement(young), partnership=young.partnership)
    hazard = Hazard.objects.create(
        partnership=young.partnership, assessment=assessment, hazard="Stairs", control="Use the lift"
    )
    return {"assessment_id": assessment.pk, "hazard_id": hazard.pk, "engagement_id": assessment.engagement_id}


@builder("followup_task")
def _followup_task(young: Membership) -> Params:
    from safeguarding.models import FollowUpTask

    task = FollowUpTask.objects.create(
        partnership=young.partnership,
        membership=young,
        assigned_to=_staff(young),
        reason="Asked to talk",
        due_at=timezone.now() + datetime.timedelta(days=1),
    )
    return {"task_id": task.pk}


def _module(young: Membership) -> Any:
    from participants.models import TrainingModule

    return TrainingModule.objects.create(
        partnership=young.partnership, title=f"Safeguarding basics {next(_serial)}", duration_minutes=60
    )


@builder("training_module")
def _training_module(young: Membership) -> Params:
    return {"module_id": _module(young).pk}


@builder("training_session")
def _training_session(young: Membership) -> Params:
    from participants.models import TrainingSession

    start = timezone.now() + datetime.timedelta(days=7)
    session = TrainingSession.objects.create(
        partnership=young.partnership,
        module=_module(young),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    return {"session_id": session.pk}


@builder("training_booking")
def _training_booking(young: Membership) -> Params:
    from participants.models import TrainingBooking, TrainingSession

    start = timezone.now() + datetime.timedelta(days=7)
    session = TrainingSession.objects.create(
        partnership=young.partnership,
        module=_module(young),
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
    )
    booking = TrainingBooking.objects.create(partnership=young.partnership, session=session, membership=young)
    return {"booking_id": booking.pk}


@builder("training_record")
def _training_record(young: Membership) -> Params:
    from participants.models import TrainingRecord

    record = TrainingRecord.objects.create(
        partnership=young.partnership,
        membership=young,
        module=_module(young),
        completed_on=timezone.localdate(),
        signed_off_by=_staff(young),
    )
    return {"record_id": record.pk}


@builder("support_follow_up")
def _support_follow_up(young: Membership) -> Params:
    from participants.models import SupportFollowUp, SupportSession

    staff = _staff(young)
    session = SupportSession.objects.create(
        partnership=young.partnership, membership=young, kind=SupportSession.Kind.choices[0][0], staff=staff
    )
    follow_up = SupportFollowUp.objects.create(
        partnership=young.partnership,
        session=session,
        description="Send the notes",
        owner=staff,
        due_on=timezone.localdate(),
    )
    return {"follow_up_id": follow_up.pk, "session_id": session.pk, "membership_id": young.pk}


def _skill(young: Membership) -> Any:
    from participants.models import Skill

    return Skill.objects.create(partnership=young.partnership, name=f"Public speaking {next(_serial)}")


@builder("skill")
def _skill_params(young: Membership) -> Params:
    return {"skill_id": _skill(young).pk}


@builder("skill_claim")
def _skill_claim(young: Membership) -> Params:
    from participants.models import SkillClaim

    claim = SkillClaim.objects.create(
        partnership=young.partnership, membership=young, skill=_skill(young), example="I chaired the panel."
    )
    return {"membership_id": young.pk, "claim_id": claim.pk}


@builder("reference")
def _reference(young: Membership) -> Params:
    from participants.models import ReferenceLetter

    letter = ReferenceLetter.objects.create(partnership=young.partnership, membership=young, body="A great scrutineer.")
    return {"membership_id": young.pk, "reference_id": letter.pk}


def _work_log(young: Membership) -> Any:
    from tests.factories.engagements import WorkLogFactory

    return WorkLogFactory(membership=young, engagement=_engagement(young))


@builder("signed_reference")
def _signed_reference(young: Membership) -> Params:
    from participants.models import ReferenceLetter

    letter = ReferenceLetter.objects.create(
        partnership=young.partnership,
        membership=young,
        body="A great scrutineer.",
        status=ReferenceLetter.Status.SIGNED_OFF,
        signed_off_by=_staff(young),
    )
    return {"reference_id": letter.pk}


@builder("work_log")
def _work_log_params(young: Membership) -> Params:
    log = _work_log(young)
    return {"work_log_id": log.pk, "engagement_id": log.engagement_id}


@builder("expense")
def _expense(young: Membership) -> Params:
    from django.core.files.base import ContentFile

    from tests.factories.engagements import ExpenseFactory

    log = _work_log(young)
    expense = ExpenseFactory(work_log=log, partnership=young.partnership)
    expense.receipt.save("receipt.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {"work_log_id": log.pk, "engagement_id": log.engagement_id, "expense_id": expense.pk}


@builder("interest")
def _interest(young: Membership) -> Params:
    from tests.factories.engagements import InterestFactory

    interest = InterestFactory(engagement=_engagement(young), membership=young, partnership=young.partnership)
    return {"interest_id": interest.pk, "engagement_id": interest.engagement_id}


@builder("output")
def _output(young: Membership) -> Params:
    from django.core.files.base import ContentFile

    from tests.factories.engagements import OutputFactory

    output = OutputFactory(engagement=_engagement(young), partnership=young.partnership)
    output.contributors.add(young)
    output.file.save("output.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    return {"output_id": output.pk}


@builder("pay_rate")
def _pay_rate(young: Membership) -> Params:
    from tests.factories.payments import PayRateFactory

    starts = datetime.date(2025, 4, 1) + datetime.timedelta(days=next(_serial))
    return {"rate_id": PayRateFactory(partnership=young.partnership, effective_from=starts).pk}


@builder("claim")
def _claim(young: Membership) -> Params:
    from tests.factories.payments import ClaimFactory

    claim = ClaimFactory(membership=young, work_log__engagement=_engagement(young))
    return {"claim_id": claim.pk}


@builder("batch")
def _batch(young: Membership) -> Params:
    from payments.models import BankExport
    from tests.factories.payments import ClaimFactory, PaymentBatchFactory

    batch = PaymentBatchFactory(partnership=young.partnership)
    claim = ClaimFactory(membership=young, work_log__engagement=_engagement(young))
    export = BankExport.objects.create(
        partnership=young.partnership, batch=batch, content="name,amount\n", line_count=0, control_total_pence=0
    )
    return {"batch_id": batch.pk, "claim_id": claim.pk, "export_id": export.pk}


@builder("payout")
def _payout(young: Membership) -> Params:
    from tests.factories.payments import PayoutFactory

    payout = PayoutFactory(claim__membership=young, claim__work_log__engagement=_engagement(young))
    return {"payout_id": payout.pk}


def _recommendation(young: Membership) -> Any:
    from tests.factories.feedback import RecommendationContributorFactory, RecommendationFactory

    recommendation = RecommendationFactory(engagement=_engagement(young), partnership=young.partnership)
    RecommendationContributorFactory(recommendation=recommendation, membership=young)
    return recommendation


@builder("recommendation")
def _recommendation_params(young: Membership) -> Params:
    recommendation = _recommendation(young)
    return {"recommendation_id": recommendation.pk, "engagement_id": recommendation.engagement_id}


@builder("response")
def _response(young: Membership) -> Params:
    from engagements.models import ResponseEvidence
    from tests.factories.feedback import RecommendationResponseFactory

    response = RecommendationResponseFactory(recommendation=_recommendation(young), partnership=young.partnership)
    from django.core.files.base import ContentFile

    evidence = ResponseEvidence.objects.create(
        partnership=young.partnership, response=response, title="Minutes", link="https://example.org/minutes"
    )
    evidence.file.save("minutes.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=False)
    evidence.file_kind = "pdf"
    evidence.save()
    return {"response_id": response.pk, "evidence_id": evidence.pk, "recommendation_id": response.recommendation_id}


@builder("result")
def _result(young: Membership) -> Params:
    from tests.factories.feedback import ResultFactory

    return {"result_id": ResultFactory(partnership=young.partnership).pk}


@builder("response_import")
def _response_import(young: Membership) -> Params:
    from engagements.models import ResponseImport

    upload = ResponseImport.objects.create(
        partnership=young.partnership,
        file_name="responses.csv",
        rows=[{"row": 2, "recommendation_id": None, "changes": {}, "errors": []}],
    )
    return {"import_id": upload.pk}


@builder("example")
def _example(young: Membership) -> Params:
    from tests.factories.library import ExampleCreditFactory, ExampleFactory, ExampleQuestionFactory

    example = ExampleFactory(partnership=young.partnership)
    credit = ExampleCreditFactory(example=example, membership=young)
    question = ExampleQuestionFactory(example=example, partnership=young.partnership)
    return {"example_id": example.pk, "credit_id": credit.pk, "question_id": question.pk}


@builder("calendar_feed")
def _calendar_feed(young: Membership) -> Params:
    from engagements.models import CalendarFeed

    feed, _ = CalendarFeed.objects.get_or_create(
        membership=young, defaults={"partnership": young.partnership, "token": f"feed{young.pk:060d}"}
    )
    return {"token": feed.token}


# --- data rights (added by H4: the data_request rows in docs/permissions.md) -----------------------------------
@builder("data_request")
def _data_request(young: Membership) -> Params:
    from participants.models import DataRequest, one_calendar_month_after

    today = timezone.localdate()
    request = DataRequest.objects.create(
        partnership=young.partnership,
        membership=young,
        kind=DataRequest.Kind.ACCESS,
        received_on=today,
        due_on=one_calendar_month_after(today),
    )
    return {"request_id": request.pk}


@builder("attended_engagement")
def _attended_engagement(young: Membership) -> Params:
    """An engagement the young person attended: the one a work log can be written for."""
    from tests.factories.engagements import AttendanceFactory

    attendance = AttendanceFactory(engagement=_engagement(young), membership=young, partnership=young.partnership)
    return {"engagement_id": attendance.engagement_id}


@builder("staff_member")
def _staff_member(young: Membership) -> Params:
    """A member of staff of the partnership (checks on adults are about staff)."""
    return {"membership_id": _staff(young).memberships.get().pk}


@builder("briefing_pack")
def _briefing_pack(young: Membership) -> Params:
    """The focus group type's briefing pack, and the young person confirmed on a focus group (so it is theirs)."""
    from django.core.files.base import ContentFile

    from engagements.models import Interest, OpportunityType, OpportunityTypeSetting
    from tests.factories.engagements import InterestFactory

    setting, _ = OpportunityTypeSetting.objects.get_or_create(
        partnership=young.partnership, opportunity_type=OpportunityType.FOCUS_GROUP
    )
    if not setting.briefing_pack:
        setting.briefing_pack.save("pack.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"), save=True)
    engagement = _engagement(young, opportunity_type=OpportunityType.FOCUS_GROUP)
    InterestFactory(
        engagement=engagement, membership=young, partnership=young.partnership, status=Interest.Status.CONFIRMED
    )
    return {"opportunity_type": OpportunityType.FOCUS_GROUP}


@builder("public_page")
def _public_page(young: Membership) -> Params:
    """The partnership's published "you said, we did" page."""
    from engagements.models import FeedbackSettings

    FeedbackSettings.objects.update_or_create(partnership=young.partnership, defaults={"public_page": True})
    return {"slug": young.partnership.slug}
