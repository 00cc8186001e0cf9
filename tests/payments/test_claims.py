"""Claims from approved work logs: pay (hours x rate, half a penny up, or a session fee), the minimum wage on the date
of the work, the age band on that date, expenses to the penny with the expenses policy, the young person's choice
(money, vouchers, declined), one claim per log, who may make and read claims, and whether a payee can be paid.

The helpers at the top are shared by the other claim test modules."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Engagement, Expense, OpportunityType, PayBasis, WorkLog
from participants.models import Membership, Role, YoungPersonProfile
from payments.models import AgeBand, Claim, ClaimLine, PayeeAccount, PaymentChoice, PaymentSetup, PayRate, Rail
from payments.selectors.claims import (
    claim_get_for_actor,
    claim_history,
    claim_payment_readiness,
    claims_visible_to,
    own_claims,
    waiting_for_payment_details,
)
from payments.services.claims import (
    claim_choice_set,
    claim_create_from_work_log,
    claim_create_when_approved,
    claims_create_from_ready_logs,
    hourly_pay_pence,
)
from payments.services.rates import expenses_policy_save
from tests.factories import MembershipFactory
from tests.factories.payments import PayeeAccountFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

WORK_DAY = datetime.date(2026, 5, 14)
PANEL = OpportunityType.SECTION_11_PANEL

# --- Shared helpers -------------------------------------------------------------------------------------------------


def at(day: datetime.date, hour: int = 10) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, hour, tzinfo=timezone.get_current_timezone())


def born(membership: Membership, date_of_birth: datetime.date) -> YoungPersonProfile:
    profile, _ = YoungPersonProfile.objects.update_or_create(
        membership=membership, defaults={"partnership": membership.partnership, "date_of_birth": date_of_birth}
    )
    return profile


def aged(years: int, on: datetime.date = WORK_DAY) -> datetime.date:
    """A date of birth making someone `years` old on `on` (their birthday a month before)."""
    return on.replace(year=on.year - years) - datetime.timedelta(days=30)


def rate(partnership, amount: int, *, band=AgeBand.AGE_18_20, basis=PayBasis.HOURLY, on=datetime.date(2025, 4, 1),
         kind=PANEL) -> PayRate:  # fmt: skip
    return PayRate.objects.create(
        partnership=partnership,
        opportunity_type=kind,
        age_band=band,
        basis=basis,
        amount_pence=amount,
        effective_from=on,
    )


def approved_log(
    membership: Membership,
    *,
    day: datetime.date = WORK_DAY,
    preparation: int = 30,
    session: int = 120,
    travel: int = 40,
    kind: str = PANEL,
    expenses: tuple[tuple[str, str, str, str | None, bool], ...] = (),
    status: str = WorkLog.Status.APPROVED,
) -> WorkLog:
    """An approved log for an engagement on `day` at 10am; expenses are (kind, description, amount, approved
    amount or None for as claimed, with a receipt)."""
    engagement = EngagementFactory(
        partnership=membership.partnership,
        status=Engagement.Status.PUBLISHED,
        opportunity_type=kind,
        starts_at=at(day),
        ends_at=at(day) + datetime.timedelta(minutes=max(session, 60)),
        preparation_minutes=preparation,
    )
    approved = status in (WorkLog.Status.APPROVED, WorkLog.Status.CLAIMED)
    log = WorkLog.objects.create(
        partnership=membership.partnership,
        engagement=engagement,
        membership=membership,
        status=status,
        preparation_minutes=preparation,
        session_minutes=session,
        travel_minutes=travel,
        approved_preparation_minutes=preparation if approved else None,
        approved_session_minutes=session if approved else None,
        approved_travel_minutes=travel if approved else None,
        decided_at=timezone.now() if approved else None,
    )
    for n, (what, description, amount, approved_amount, has_receipt) in enumerate(expenses):
        Expense.objects.create(
            partnership=membership.partnership,
            work_log=log,
            kind=what,
            description=description,
            amount=Decimal(amount),
            approved_amount=Decimal(approved_amount if approved_amount is not None else amount),
            receipt=f"receipts/{log.pk}-{n}.jpg" if has_receipt else "",
            receipt_kind="jpg" if has_receipt else "",
        )
    return log


def young_aged(member, years: int, **kwargs):
    user = member(Role.YOUNG_PERSON, **kwargs)
    born(user.membership, aged(years))
    return user


def choose(membership: Membership, choice: str, rail: str = "") -> PaymentSetup:
    setup, _ = PaymentSetup.objects.update_or_create(
        membership=membership, defaults={"partnership": membership.partnership, "choice": choice, "rail": rail}
    )
    return setup


@pytest.fixture
def employs(partnership):
    partnership.employs_young_people = True
    partnership.save(update_fields=["employs_young_people"])
    return partnership


@pytest.fixture
def finance(member):
    return member(Role.FINANCE_OFFICER)


@pytest.fixture
def young(member):
    return young_aged(member, 19)


def claim_for(actor, log: WorkLog) -> Claim:
    return claim_create_from_work_log(actor=actor, work_log_id=log.pk)


def lines(claim: Claim) -> list[tuple[str, str, str, int]]:
    return [(line.kind, line.description, line.explanation, line.amount_pence) for line in claim.lines.order_by("pk")]


# --- Pay ----------------------------------------------------------------------------------------------------------


def test_hourly_pay_is_preparation_and_session_time_at_the_rate_rounded_half_a_penny_up(finance, young, partnership):
    used = rate(partnership, 1271)
    log = approved_log(young.membership, preparation=30, session=120, travel=40)
    claim = claim_for(finance, log)
    # 150 minutes at 1271p an hour = 3177.5p: half a penny rounds up.
    assert lines(claim) == [
        (
            "pay",
            "Pay for your time",
            "2 hours 30 minutes at £12.71 an hour (preparation 30 minutes, session 2 hours); travel time (40 minutes) "
            "is not paid",
            3178,
        )
    ]
    assert (claim.pay_pence, claim.expenses_pence, claim.total_pence) == (3178, 0, 3178)
    assert (claim.rate, claim.age_band, claim.work_date, claim.choice) == (used, "18_20", WORK_DAY, "money")
    assert (claim.status, claim.membership, claim.engagement, claim.created_by) == (
        "open",
        young.membership,
        log.engagement,
        finance,
    )


@pytest.mark.parametrize(
    ("minutes", "rate_pence", "pence"),
    [(1, 1230, 21), (1, 1229, 20), (1, 1250, 21), (60, 1271, 1271), (90, 1085, 1628), (45, 755, 566), (0, 1271, 0)],
)
def test_rounding_is_to_the_nearest_penny_half_up(minutes, rate_pence, pence):
    # 1 x 1230 / 60 = 20.5 -> 21; 1229 / 60 = 20.48 -> 20; 90 x 1085 / 60 = 1627.5 -> 1628; 45 x 755 / 60 = 566.25
    assert hourly_pay_pence(minutes, rate_pence) == pence


def test_a_session_fee_is_the_fee(finance, young, partnership):
    rate(partnership, 3000, basis=PayBasis.SESSION)
    claim = claim_for(finance, approved_log(young.membership))
    assert lines(claim) == [("pay", "Session fee", "A fee of £30.00 for the session", 3000)]


def test_no_rate_is_refused_naming_the_type_band_and_date(finance, young, partnership):
    rate(partnership, 1271, band=AgeBand.AGE_21_PLUS)
    log = approved_log(young.membership)
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, log)
    assert refused.value.message == (
        "No pay rate for Section 11 challenge panel, 18 to 20 on 14 May 2026: add one on the rates page"
    )
    assert refused.value.extra["field"] == "rate"
    assert not Claim.objects.exists()
    log.refresh_from_db()
    assert log.status == WorkLog.Status.APPROVED


def test_the_rate_in_force_on_the_work_date_is_used(finance, young, partnership):
    rate(partnership, 1100, on=datetime.date(2025, 4, 1))
    on_the_day = rate(partnership, 1200, on=WORK_DAY)
    rate(partnership, 1300, on=WORK_DAY + datetime.timedelta(days=1))
    claim = claim_for(finance, approved_log(young.membership, preparation=0, session=60))
    assert (claim.rate, claim.pay_pence) == (on_the_day, 1200)


# --- The age band on the date of the work ---------------------------------------------------------------------------


def test_the_age_band_is_taken_on_the_work_date_a_birthday_the_day_after_does_not_count(finance, member, partnership):
    rate(partnership, 900, band=AgeBand.AGE_16_17)
    rate(partnership, 1100, band=AgeBand.AGE_18_20)
    almost = member(Role.YOUNG_PERSON)
    born(almost.membership, (WORK_DAY + datetime.timedelta(days=1)).replace(year=WORK_DAY.year - 18))
    just = member(Role.YOUNG_PERSON)
    born(just.membership, WORK_DAY.replace(year=WORK_DAY.year - 18))
    younger = claim_for(finance, approved_log(almost.membership, preparation=0, session=60))
    older = claim_for(finance, approved_log(just.membership, preparation=0, session=60))
    assert (younger.age_band, younger.pay_pence) == ("16_17", 900)
    assert (older.age_band, older.pay_pence) == ("18_20", 1100)


@pytest.mark.parametrize(
    ("years", "band"),
    [(13, "under_16"), (15, "under_16"), (16, "16_17"), (17, "16_17"), (20, "18_20"), (21, "21_plus")],
)
def test_every_age_band(finance, member, partnership, years, band):
    rate(partnership, 1000, band=band)
    claim = claim_for(finance, approved_log(young_aged(member, years).membership))
    assert claim.age_band == band


def test_no_date_of_birth_is_refused_in_plain_words(finance, member, partnership):
    rate(partnership, 1000)
    nobody = member(Role.YOUNG_PERSON)
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, approved_log(nobody.membership))
    assert refused.value.extra["field"] == "date_of_birth"
    assert nobody.full_name in refused.value.message


# --- The minimum wage on the date of the work ---------------------------------------------------------------------


def test_an_hourly_rate_a_later_uprating_overtook_is_refused_on_the_work_date(employs, finance, young):
    rate(employs, 1000, on=datetime.date(2025, 4, 1))  # lawful then: the 18 to 20 minimum was £10.00
    log = approved_log(young.membership)
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, log)
    assert refused.value.message.startswith(
        "£10.00 an hour is below the National Minimum Wage for 18 to 20 year olds on 14 May 2026 (£10.85)."
    )
    assert refused.value.extra == {"field": "rate", "reason": "below_minimum_wage", "rate": PayRate.objects.get().pk}
    assert not Claim.objects.exists()
    # The same rate for work before the uprating is paid.
    earlier = claim_for(finance, approved_log(young.membership, day=datetime.date(2026, 3, 31)))
    assert earlier.pay_pence == 2500


def test_exactly_the_minimum_on_the_work_date_is_paid(employs, finance, young):
    rate(employs, 1085)
    assert claim_for(finance, approved_log(young.membership, preparation=0, session=60)).pay_pence == 1085


def test_a_session_fee_below_the_minimum_for_the_time_worked_is_refused(employs, finance, young, member):
    rate(employs, 2712, basis=PayBasis.SESSION)
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, approved_log(young.membership, preparation=30, session=120))
    # 2712p for 150 minutes is 1084.8p an hour, shown rounded down.
    assert refused.value.message.startswith(
        "A session fee of £27.12 for 2 hours 30 minutes (£10.84 an hour) is below the National Minimum Wage for "
        "18 to 20 year olds on 14 May 2026 (£10.85)."
    )
    PayRate.objects.update(amount_pence=2713)  # 2713 x 60 = 162780 >= 1085 x 150 = 162750
    assert claim_for(finance, approved_log(young_aged(member, 19).membership)).pay_pence == 2713


def test_the_minimum_is_not_checked_when_the_partnership_does_not_employ(finance, young, partnership):
    rate(partnership, 500)
    assert claim_for(finance, approved_log(young.membership, preparation=0, session=60)).pay_pence == 500


def test_below_school_leaving_age_no_minimum_applies(employs, finance, member):
    # Born in October 2009: 16 on the work day, but at school until the last Friday of June 2026.
    at_school = member(Role.YOUNG_PERSON)
    born(at_school.membership, datetime.date(2009, 10, 2))
    rate(employs, 500, band=AgeBand.AGE_16_17)
    claim = claim_for(finance, approved_log(at_school.membership, preparation=0, session=60))
    assert (claim.age_band, claim.pay_pence) == ("16_17", 500)


def test_a_summer_born_15_year_old_past_school_leaving_age_is_owed_the_under_18_minimum(employs, finance, member):
    # Born 20 August 2010: 15 on 10 July 2026, but past the last Friday of June 2026 (their leaving date).
    leaver = member(Role.YOUNG_PERSON)
    born(leaver.membership, datetime.date(2010, 8, 20))
    rate(employs, 500, band=AgeBand.UNDER_16)
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, approved_log(leaver.membership, day=datetime.date(2026, 7, 10)))
    assert "for under 18s on 10 July 2026 (£8.00)" in refused.value.message
    # The same rate on the leaving day itself (still of compulsory school age) is paid.
    claim = claim_for(finance, approved_log(leaver.membership, day=datetime.date(2026, 6, 26)))
    assert claim.age_band == "under_16"


# --- Expenses -----------------------------------------------------------------------------------------------------


def test_expenses_are_repaid_to_the_penny_each_explained(finance, young, partnership):
    rate(partnership, 1000)
    log = approved_log(
        young.membership,
        expenses=(
            ("travel", "Bus fare", "2.35", None, False),
            ("food", "Lunch", "6.10", None, True),
            ("other", "Printing", "0.10", None, True),
            ("travel", "Train", "12.00", "9.20", True),
        ),
    )
    claim = claim_for(finance, log)
    assert lines(claim)[1:] == [
        ("expense", "Travel: Bus fare", "Bus fare (no receipt)", 235),
        ("expense", "Food and drink: Lunch", "Lunch (receipt)", 610),
        ("expense", "Something else: Printing", "Printing (receipt)", 10),
        ("expense", "Travel: Train", "Train (receipt): £12.00 claimed, £9.20 approved", 920),
    ]
    assert (claim.pay_pence, claim.expenses_pence, claim.total_pence) == (2500, 1775, 4275)


def test_the_expenses_policy_is_applied_and_explained(finance, young, partnership):
    rate(partnership, 1000)
    expenses_policy_save(
        actor=finance, travel_allowed=False, food_allowed=True, food_limit_pence=800, receipt_required_from_pence=300
    )
    log = approved_log(
        young.membership,
        expenses=(
            ("travel", "Bus fare", "2.00", None, True),
            ("food", "Lunch", "6.00", None, True),
            ("food", "Dinner", "5.00", None, True),
            ("care", "Childminder", "4.00", None, False),
            ("care", "Creche", "2.99", None, False),
        ),
    )
    claim = claim_for(finance, log)
    assert [(d, e, a) for _, d, e, a in lines(claim)[1:]] == [
        ("Travel: Bus fare", "Bus fare (receipt): travel is not repaid under the partnership's expenses policy", 0),
        ("Food and drink: Lunch", "Lunch (receipt)", 600),
        ("Food and drink: Dinner", "Dinner (receipt): food is repaid up to £8.00 an engagement", 200),
        (
            "Childcare or care costs: Childminder",
            "Childminder (no receipt): not repaid without a receipt: expenses of £3.00 or more need one",
            0,
        ),
        ("Childcare or care costs: Creche", "Creche (no receipt)", 299),
    ]
    assert claim.expenses_pence == 1099


# --- The young person's choice ----------------------------------------------------------------------------------------


def test_declined_pay_is_zero_explained_and_expenses_are_still_repaid(finance, young, partnership):
    rate(partnership, 1000)
    choose(young.membership, PaymentChoice.DECLINED)
    claim = claim_for(finance, approved_log(young.membership, expenses=(("travel", "Bus fare", "3.40", None, False),)))
    assert lines(claim)[0] == ("pay", "Pay for your time", "You chose not to be paid for your time", 0)
    assert (claim.choice, claim.pay_pence, claim.expenses_pence, claim.status) == ("declined", 0, 340, "open")


def test_declined_with_nothing_to_repay_is_declined_at_once_and_needs_no_rate(finance, young):
    choose(young.membership, PaymentChoice.DECLINED)
    log = approved_log(young.membership)
    claim = claim_for(finance, log)
    assert (claim.status, claim.total_pence, claim.rate) == ("declined", 0, None)
    moved = AuditEvent.objects.get(event_type="claim.status_changed")
    assert moved.payload == {"reason": "declined", "from": "open", "to": "declined"}
    log.refresh_from_db()
    assert log.status == WorkLog.Status.CLAIMED


def test_vouchers_are_paid_the_same_amount_as_a_voucher(finance, young, partnership):
    rate(partnership, 1000)
    choose(young.membership, PaymentChoice.VOUCHERS)
    claim = claim_for(finance, approved_log(young.membership, preparation=0, session=60))
    assert (claim.choice, claim.total_pence) == ("vouchers", 1000)
    assert claim_payment_readiness([claim])[claim.pk].rail == Rail.VOUCHER


def test_a_young_person_changes_one_open_claim(finance, young, partnership):
    rate(partnership, 1000)
    claim = claim_for(finance, approved_log(young.membership, expenses=(("travel", "Bus", "2.00", None, False),)))
    changed = claim_choice_set(actor=young, claim_id=claim.pk, choice=PaymentChoice.DECLINED)
    assert (changed.choice, changed.pay_pence, changed.total_pence, changed.status) == ("declined", 0, 200, "open")
    assert lines(changed)[0][2] == "You chose not to be paid for your time"
    back = claim_choice_set(actor=young, claim_id=claim.pk, choice=PaymentChoice.MONEY)
    assert (back.pay_pence, back.total_pence) == (2500, 2700)
    assert ClaimLine.objects.filter(claim=claim).count() == 2
    assert AuditEvent.objects.filter(event_type="claim.choice_changed").count() == 2


def test_declining_a_claim_with_nothing_else_declines_it(finance, young, partnership):
    rate(partnership, 1000)
    claim = claim_for(finance, approved_log(young.membership))
    changed = claim_choice_set(actor=young, claim_id=claim.pk, choice=PaymentChoice.DECLINED)
    assert (changed.status, changed.total_pence) == ("declined", 0)


def test_only_your_own_open_claim_can_be_changed(finance, young, member, partnership):
    rate(partnership, 1000)
    claim = claim_for(finance, approved_log(young.membership))
    with pytest.raises(Http404):
        claim_choice_set(actor=young_aged(member, 19), claim_id=claim.pk, choice="declined")
    Claim.objects.filter(pk=claim.pk).update(status=Claim.Status.BATCHED)
    with pytest.raises(ApplicationError) as refused:
        claim_choice_set(actor=young, claim_id=claim.pk, choice="declined")
    assert refused.value.extra["reason"] == "not_open"


# --- One claim per approved log -------------------------------------------------------------------------------------


def test_only_an_approved_log_is_claimed_once_and_then_marked_claimed(finance, young, partnership):
    rate(partnership, 1000)
    log = approved_log(young.membership)
    claim = claim_for(finance, log)
    log.refresh_from_db()
    assert log.status == WorkLog.Status.CLAIMED
    with pytest.raises(ApplicationError) as refused:
        claim_for(finance, log)
    assert refused.value.extra["reason"] == "already_claimed"
    assert list(Claim.objects.all()) == [claim]
    for status in (WorkLog.Status.DRAFT, WorkLog.Status.SUBMITTED, WorkLog.Status.REJECTED):
        with pytest.raises(ApplicationError) as refused:
            claim_for(finance, approved_log(young.membership, status=status))
        assert refused.value.extra["reason"] == "not_approved"
    assert Claim.objects.count() == 1


def test_making_a_claim_is_audited_with_the_log_move(finance, young, partnership):
    rate(partnership, 1000)
    log = approved_log(young.membership)
    claim = claim_for(finance, log)
    created = AuditEvent.objects.get(event_type="claim.created")
    assert (created.actor, created.subject_id, created.payload["total_pence"]) == (finance, str(claim.pk), 2500)
    moved = AuditEvent.objects.get(event_type="worklog.status_changed")
    assert (moved.actor, moved.subject_id, moved.payload["to"]) == (finance, str(log.pk), "claimed")


def test_a_log_approved_through_the_engagements_services_is_claimed(member, partnership):
    from engagements.services.work_logs import work_log_approve
    from tests.engagements.test_work_logs import submitted

    young = member(Role.YOUNG_PERSON)
    born(young.membership, aged(19, timezone.localdate()))
    log = submitted(young)
    work_log_approve(actor=member(Role.PARTICIPATION_WORKER), work_log_id=log.pk)
    rate(partnership, 1200, on=timezone.localdate() - datetime.timedelta(days=400))
    claim = claim_for(member(Role.FINANCE_OFFICER), log)
    assert claim.pay_pence == hourly_pay_pence(150, 1200)


def test_only_finance_officers_make_claims_and_only_in_their_partnership(member, young, partnership, other_partnership):
    rate(partnership, 1000)
    log = approved_log(young.membership)
    for role in (Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN):
        with pytest.raises(PermissionDenied):
            claim_for(member(role), log)
    with pytest.raises(Http404):
        claim_for(member(Role.FINANCE_OFFICER, in_partnership=other_partnership), log)
    assert not Claim.objects.exists()


def test_the_system_can_make_a_claim_and_the_approval_hook_is_safe_to_run_twice(young, partnership):
    log = approved_log(young.membership)
    assert claim_create_when_approved(work_log_id=log.pk) is None  # no rate yet: left approved
    rate(partnership, 1000)
    claim = claim_create_when_approved(work_log_id=log.pk)
    assert claim is not None and claim.created_by is None
    assert claim_create_when_approved(work_log_id=log.pk) is None
    assert Claim.objects.count() == 1
    assert AuditEvent.objects.get(event_type="claim.created").actor is None


def test_creating_claims_from_ready_logs_reports_each_problem(finance, member, partnership, other_partnership):
    rate(partnership, 1000)
    fine = [approved_log(young_aged(member, 19).membership) for _ in range(2)]
    no_rate = approved_log(young_aged(member, 22, user__full_name="Sam Example").membership)
    approved_log(young_aged(member, 19).membership, status=WorkLog.Status.SUBMITTED)
    elsewhere = MembershipFactory(partnership=other_partnership, roles=[Role.YOUNG_PERSON])
    born(elsewhere, aged(19))
    approved_log(elsewhere)
    made, problems = claims_create_from_ready_logs(actor=finance)
    assert sorted(c.work_log_id for c in made) == sorted(log.pk for log in fine)
    (problem,) = problems
    assert (problem.work_log_id, problem.full_name, problem.field) == (no_rate.pk, "Sam Example", "rate")
    assert problem.message.startswith("No pay rate for Section 11 challenge panel, 21 and over on 14 May 2026")
    again, problems_again = claims_create_from_ready_logs(actor=finance)
    assert again == [] and len(problems_again) == 1


# --- Reading claims -------------------------------------------------------------------------------------------------


def test_finance_reads_all_claims_a_young_person_only_their_own(finance, member, partnership):
    rate(partnership, 1000)
    me, other = young_aged(member, 19), young_aged(member, 19)
    mine = claim_for(finance, approved_log(me.membership))
    theirs = claim_for(finance, approved_log(other.membership))
    assert set(claims_visible_to(finance)) == {mine, theirs}
    assert list(claims_visible_to(finance, membership_id=other.membership.pk)) == [theirs]
    assert list(claims_visible_to(me)) == [mine]
    assert list(claims_visible_to(me, membership_id=other.membership.pk)) == [mine]
    assert list(own_claims(me)) == [mine]
    assert claim_get_for_actor(me, mine.pk) == mine
    with pytest.raises(Http404):
        claim_get_for_actor(me, theirs.pk)
    with pytest.raises(PermissionDenied):
        claims_visible_to(member(Role.PARTICIPATION_WORKER))
    with pytest.raises(PermissionDenied):
        claim_history(me, mine)


def test_another_partnerships_claim_is_a_404(finance, member, other_partnership):
    elsewhere = young_aged(member, 19, in_partnership=other_partnership)
    rate(other_partnership, 1000)
    theirs = claim_for(
        member(Role.FINANCE_OFFICER, in_partnership=other_partnership), approved_log(elsewhere.membership)
    )
    assert not claims_visible_to(finance).exists()
    with pytest.raises(Http404):
        claim_get_for_actor(finance, theirs.pk)


def test_the_history_says_what_happened_in_plain_words(finance, young, partnership):
    choose(young.membership, PaymentChoice.DECLINED)
    claim = claim_for(finance, approved_log(young.membership))
    texts = [entry.text for entry in claim_history(finance, claim)]
    assert texts == [
        f"{finance.full_name} made the claim for £0.00 from the approved work log.",
        f"{finance.full_name} moved the claim to “Not paid (declined)”. The young person chose not to be paid.",
    ]


# --- Can the payee be paid? ---------------------------------------------------------------------------------------


def test_payment_readiness_and_the_waiting_filter(finance, member, partnership):
    rate(partnership, 1000)
    people = {name: young_aged(member, 19) for name in ("none", "no_account", "pending", "active", "vouchers", "bank")}
    choose(people["no_account"].membership, PaymentChoice.MONEY, Rail.STRIPE)
    choose(people["pending"].membership, PaymentChoice.MONEY, Rail.STRIPE)
    PayeeAccountFactory(membership=people["pending"].membership, status=PayeeAccount.Status.RESTRICTED)
    choose(people["active"].membership, PaymentChoice.MONEY, Rail.STRIPE)
    PayeeAccountFactory(membership=people["active"].membership, status=PayeeAccount.Status.ACTIVE)
    PayeeAccountFactory(membership=people["active"].membership, rail=Rail.BANK, status=PayeeAccount.Status.PENDING)
    choose(people["vouchers"].membership, PaymentChoice.VOUCHERS)
    choose(people["bank"].membership, PaymentChoice.MONEY, Rail.BANK)
    PayeeAccountFactory(membership=people["bank"].membership, rail=Rail.BANK, status=PayeeAccount.Status.ACTIVE)
    claims = {name: claim_for(finance, approved_log(user.membership)) for name, user in people.items()}
    readiness = claim_payment_readiness(claims.values())
    by_name = {name: readiness[claim.pk] for name, claim in claims.items()}
    assert {name: (r.ready, r.waiting, r.rail) for name, r in by_name.items()} == {
        "none": (False, True, None),
        "no_account": (False, True, "stripe"),
        "pending": (False, True, "stripe"),
        "active": (True, False, "stripe"),
        "vouchers": (True, False, "voucher"),
        "bank": (True, False, "bank"),
    }
    assert by_name["none"].label == "Waiting for payment details"
    assert by_name["pending"].detail == "Stripe (to a bank account): Stripe needs more information."
    waiting = waiting_for_payment_details(claims_visible_to(finance))
    assert {c.pk for c in waiting} == {claims[n].pk for n in ("none", "no_account", "pending")}


def test_a_declined_claim_has_nothing_to_pay(finance, young):
    choose(young.membership, PaymentChoice.DECLINED)
    claim = claim_for(finance, approved_log(young.membership))
    readiness = claim_payment_readiness([claim])[claim.pk]
    assert (readiness.ready, readiness.waiting, readiness.label) == (False, False, "Nothing to pay")
    assert not waiting_for_payment_details(claims_visible_to(finance)).exists()


def test_readiness_takes_two_queries_for_any_number_of_claims(finance, member, partnership, django_assert_num_queries):
    rate(partnership, 1000)
    claims = [claim_for(finance, approved_log(young_aged(member, 19).membership)) for _ in range(6)]
    with django_assert_num_queries(2):
        claim_payment_readiness(claims)


def test_approving_a_log_makes_its_claim_once_the_approval_commits(
    member, partnership, django_capture_on_commit_callbacks
):
    from engagements.services.work_logs import work_log_approve
    from tests.engagements.test_work_logs import submitted

    young = member(Role.YOUNG_PERSON)
    born(young.membership, aged(19, timezone.localdate()))
    rate(partnership, 1200, on=timezone.localdate() - datetime.timedelta(days=400))
    log = submitted(young)
    with django_capture_on_commit_callbacks(execute=True):
        work_log_approve(actor=member(Role.PARTICIPATION_WORKER), work_log_id=log.pk)
    claim = Claim.objects.get(work_log=log)
    assert claim.pay_pence == hourly_pay_pence(150, 1200)
    log.refresh_from_db()
    assert log.status == WorkLog.Status.CLAIMED
