"""A young person's standing payment choice, and a payment nominee recorded by a worker with consent (audited
without the nominee's details)."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants.models import Role
from payments.models import Claim, PaymentChoice, PaymentSetup
from payments.selectors.setup import nominee_for_worker, own_payment_choice
from payments.services.setup import nominee_record, nominee_remove, payment_choice_set
from tests.payments.test_claims import approved_log, claim_for, rate, young_aged

pytestmark = pytest.mark.django_db

NOMINEE = {
    "name": "Jo Parent",
    "email": "Jo.Parent@example.org",
    "relationship": "Mum",
    "consent_note": "Agreed by Sam and by Jo in person at the youth centre on 3 May 2026.",
}


@pytest.fixture
def young(member):
    return young_aged(member, 15)


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def test_a_young_person_sets_their_choice_once_and_changes_it(young):
    assert own_payment_choice(young) == "money"
    first = payment_choice_set(actor=young, choice=PaymentChoice.DECLINED)
    again = payment_choice_set(actor=young, choice=PaymentChoice.VOUCHERS)
    assert first.pk == again.pk
    assert own_payment_choice(young) == "vouchers"
    events = AuditEvent.objects.filter(event_type="paymentsetup.choice_set").order_by("pk")
    assert [e.payload for e in events] == [{"from": None, "to": "declined"}, {"from": "declined", "to": "vouchers"}]
    payment_choice_set(actor=young, choice=PaymentChoice.VOUCHERS)
    assert events.count() == 2  # the same choice again records nothing


def test_the_choice_must_be_one_of_the_three(young):
    with pytest.raises(ApplicationError) as refused:
        payment_choice_set(actor=young, choice="bitcoin")
    assert refused.value.extra["field"] == "choice"
    assert not PaymentSetup.objects.exists()


def test_only_young_people_choose(member):
    with pytest.raises(PermissionDenied):
        payment_choice_set(actor=member(Role.FINANCE_OFFICER), choice="money")


def test_the_choice_can_be_applied_to_open_claims_only(member, partnership):
    rate(partnership, 1000)
    young = young_aged(member, 19)
    finance = member(Role.FINANCE_OFFICER)
    open_claim = claim_for(finance, approved_log(young.membership, expenses=(("travel", "Bus", "1.00", None, False),)))
    batched = claim_for(finance, approved_log(young.membership))
    Claim.objects.filter(pk=batched.pk).update(status=Claim.Status.BATCHED)
    payment_choice_set(actor=young, choice=PaymentChoice.DECLINED)
    assert Claim.objects.get(pk=open_claim.pk).choice == "money"
    payment_choice_set(actor=young, choice=PaymentChoice.DECLINED, apply_to_open_claims=True)
    open_claim.refresh_from_db()
    batched.refresh_from_db()
    assert (open_claim.choice, open_claim.pay_pence, open_claim.total_pence) == ("declined", 0, 100)
    assert (batched.choice, batched.pay_pence) == ("money", 2500)


def test_a_worker_records_a_nominee_with_consent_and_the_audit_keeps_no_details(worker, young):
    setup = nominee_record(actor=worker, membership_id=young.membership.pk, **NOMINEE)
    assert (setup.nominee_name, setup.nominee_email, setup.nominee_relationship) == (
        "Jo Parent",
        "jo.parent@example.org",
        "Mum",
    )
    assert (setup.nominee_recorded_by, setup.has_nominee, setup.choice) == (worker, True, "money")
    event = AuditEvent.objects.get(event_type="paymentsetup.nominee_recorded")
    assert event.payload == {"membership": young.membership.pk, "replaced": False}
    assert "Jo" not in str(event.payload) and "example.org" not in str(event.payload)
    assert nominee_for_worker(worker, young.membership.pk).setup == setup


@pytest.mark.parametrize(
    ("field", "value"), [("consent_note", "  "), ("name", ""), ("relationship", ""), ("email", "not-an-email")]
)
def test_every_nominee_field_is_needed(worker, young, field, value):
    with pytest.raises(ApplicationError) as refused:
        nominee_record(actor=worker, membership_id=young.membership.pk, **{**NOMINEE, field: value})
    assert refused.value.extra["field"] == field
    assert not PaymentSetup.objects.exists()


def test_only_workers_record_nominees_for_young_people_in_their_partnership(member, young, other_partnership):
    for role in (Role.FINANCE_OFFICER, Role.YOUNG_PERSON, Role.PARTNERSHIP_ADMIN):
        with pytest.raises(PermissionDenied):
            nominee_record(actor=member(role), membership_id=young.membership.pk, **NOMINEE)
    with pytest.raises(Http404):
        nominee_record(
            actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
            membership_id=young.membership.pk,
            **NOMINEE,
        )
    staff = member(Role.SCRUTINY_LEAD)
    with pytest.raises(ApplicationError):
        nominee_record(actor=member(Role.PARTICIPATION_WORKER), membership_id=staff.membership.pk, **NOMINEE)
    assert not PaymentSetup.objects.exists()


def test_a_nominee_is_removed_and_a_second_removal_is_refused(worker, young):
    nominee_record(actor=worker, membership_id=young.membership.pk, **NOMINEE)
    payment_choice_set(actor=young, choice=PaymentChoice.VOUCHERS)
    setup = nominee_remove(actor=worker, membership_id=young.membership.pk)
    assert (setup.has_nominee, setup.nominee_email, setup.nominee_consent_note, setup.choice) == (
        False,
        "",
        "",
        "vouchers",
    )
    with pytest.raises(ApplicationError):
        nominee_remove(actor=worker, membership_id=young.membership.pk)
    assert AuditEvent.objects.get(event_type="paymentsetup.nominee_removed").payload == {
        "membership": young.membership.pk
    }
