"""Erasure deletes what can go, keeps what safeguarding and the law require, and says which is which."""

import pytest
from django.core.exceptions import PermissionDenied

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import Attendance, Interest, RecommendationContributor, WorkLog
from library.models import ExampleCredit
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    DataRequest,
    Membership,
    Role,
    SupportSession,
    TrainingRecord,
    User,
    YoungPersonProfile,
)
from participants.services.data_rights import (
    data_request_complete,
    data_request_make,
    data_request_start,
    person_erase,
)
from payments.models import Claim, PayeeAccount, Payout
from safeguarding.models import Concern, Consent
from tests.participants.data_rights.conftest import CONCERN_WORDS

pytestmark = pytest.mark.django_db


def _kept(report):
    return {line.what: line for line in report.kept}


def _erased(report):
    return {line.what: line.count for line in report.erased}


def test_erasure_deletes_what_can_go(person, admin):
    m = person.membership
    report = person_erase(actor=admin, membership_id=m.pk)
    assert not YoungPersonProfile.objects.filter(membership=m).exists()
    assert not Application.objects.filter(pk=person.data["application"].pk).exists()
    assert AnonymousOutcomeCount.objects.get(round_id=person.data["application"].round_id).count == 1
    assert not TrainingRecord.objects.filter(membership=m).exists()
    assert not SupportSession.objects.filter(membership=m).exists()
    assert not Interest.objects.filter(membership=m).exists()
    assert not Attendance.objects.filter(membership=m).exists()
    assert not WorkLog.objects.filter(pk=person.data["unpaid"].pk).exists()
    assert not RecommendationContributor.objects.filter(membership=m).exists()
    credit = ExampleCredit.objects.get(pk=person.data["credit"].pk)
    assert credit.credit_name == "" and credit.status == ExampleCredit.Status.REMOVED
    user = User.objects.get(pk=person.user.pk)
    assert not user.is_active and user.full_name == "Erased person" and person.user.email != user.email
    assert not user.has_usable_password()
    m.refresh_from_db()
    assert m.erased_at is not None and m.status == Membership.Status.SUSPENDED
    erased = _erased(report)
    assert erased["your application"] == 1 and erased["bank details"] == 1
    assert erased["attendance marks"] == 1 and erased["expressions of interest"] == 1
    assert erased["support sessions and what was agreed"] == 1 and erased["your name on library examples"] == 1
    assert erased["your ratings of responses"] == 1 and erased["notifications"] == 1
    assert erased["wellbeing check-ins"] == 1 and erased["news settings"] == 1


def test_erasure_keeps_concerns_and_legal_holds_and_says_why(person, admin):
    report = person_erase(actor=admin, membership_id=person.membership.pk)
    kept_concerns = Concern.objects.filter(membership=person.membership)
    assert kept_concerns.count() == 2
    assert kept_concerns.get(pk=person.data["concern"].pk).young_persons_words == CONCERN_WORDS
    kept = _kept(report)
    assert kept["safeguarding concerns"].count == 1 and "25th birthday" in kept["safeguarding concerns"].why
    assert kept["safeguarding concerns on legal hold"].count == 1
    assert "legal hold" in kept["safeguarding concerns on legal hold"].why
    # The person is never told a number of safeguarding records (that would tell them one exists).
    assert not kept["safeguarding concerns"].count_shown_to_person
    assert Consent.objects.filter(membership=person.membership).count() == 1


def test_erasure_keeps_payments_without_bank_details(person, admin):
    report = person_erase(actor=admin, membership_id=person.membership.pk)
    claim = Claim.objects.get(pk=person.data["claim"].pk)
    assert claim.total_pence == 2850 and claim.work_date
    assert Payout.objects.get(pk=person.data["payout"].pk).amount_pence == 2850
    work_log = WorkLog.objects.get(pk=claim.work_log_id)
    assert work_log.note == "" and work_log.session_minutes == 120  # the minutes stay, the words go
    account = PayeeAccount.objects.get(membership=person.membership, rail="bank")
    assert (account.bank_sort_code, account.bank_account_number, account.bank_account_name) == ("", "", "")
    kept = _kept(report)
    assert "six years" in kept["payment claims"].why and kept["payment claims"].count == 1
    assert kept["payments"].count == 1


def test_the_audit_log_records_the_erasure_with_counts_only(person, admin):
    before = AuditEvent.objects.count()
    person_erase(actor=admin, membership_id=person.membership.pk)
    event = AuditEvent.objects.get(event_type="person.erased")
    assert event.actor_id == admin.pk and event.payload["by"] == "request"
    assert event.payload["kept"]["safeguarding concerns"] == 1
    text = str(event.payload)
    assert person.user.email not in text and person.user.full_name not in text and CONCERN_WORDS not in text
    assert AuditEvent.objects.count() > before  # nothing removed from the log: it only grows


def test_only_a_partnership_admin_erases(person, member):
    for role in (Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD, Role.FINANCE_OFFICER, Role.YOUNG_PERSON):
        with pytest.raises(PermissionDenied):
            person_erase(actor=member(role), membership_id=person.membership.pk)
    assert YoungPersonProfile.objects.filter(membership=person.membership).exists()


def test_erasing_twice_is_refused_and_changes_nothing(person, admin):
    person_erase(actor=admin, membership_id=person.membership.pk)
    with pytest.raises(ApplicationError):
        person_erase(actor=admin, membership_id=person.membership.pk)


def test_staff_are_not_erased_here(member, admin):
    both = member(Role.YOUNG_PERSON, Role.PARTICIPATION_WORKER)
    with pytest.raises(ApplicationError):
        person_erase(actor=admin, membership_id=both.membership.pk)


def test_an_account_used_in_another_partnership_stays(person, admin, other_partnership):
    from tests.factories import MembershipFactory

    MembershipFactory(partnership=other_partnership, user=person.user, roles=[Role.YOUNG_PERSON])
    report = person_erase(actor=admin, membership_id=person.membership.pk)
    user = User.objects.get(pk=person.user.pk)
    assert user.is_active and user.email == person.user.email
    assert "another partnership" in _kept(report)["your account"].why


def test_completing_an_erasure_request_erases_and_tells_the_person(
    person, admin, member, django_capture_on_commit_callbacks
):
    address = person.user.email
    request = data_request_make(actor=person.user, kind=DataRequest.Kind.ERASURE, details="Please delete me")
    worker = member(Role.PARTICIPATION_WORKER)
    data_request_start(actor=worker, request_id=request.pk)
    with pytest.raises(PermissionDenied):
        data_request_complete(actor=worker, request_id=request.pk)  # erasure: a partnership admin only
    with django_capture_on_commit_callbacks(execute=True):
        done = data_request_complete(actor=admin, request_id=request.pk)
    assert done.status == DataRequest.Status.COMPLETED and done.details == ""
    assert {line["what"] for line in done.outcome["kept"]} >= {"safeguarding concerns", "payment claims"}
    from django.core import mail

    message = mail.outbox[-1]
    assert message.to == [address]
    assert "We deleted:" in message.body and "six years" in message.body
    assert "safeguarding records about you (there may be none)" in message.body
    assert "safeguarding concerns" not in message.body  # never the count of concerns


def test_another_partnerships_person_is_a_404(member, other_partnership):
    from django.http import Http404

    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    with pytest.raises(Http404):
        person_erase(actor=member(Role.PARTNERSHIP_ADMIN), membership_id=stranger.membership.pk)
    assert User.objects.get(pk=stranger.pk).is_active
