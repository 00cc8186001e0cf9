"""Recruitment services: one rule per test."""

import datetime
import uuid

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from participants import tokens
from participants.models import (
    AnonymousOutcomeCount,
    Application,
    ApplicationEvent,
    EqualityResponse,
    Membership,
    OnboardingItem,
    PanelScore,
    Role,
)
from participants.services import recruitment as svc
from tests.factories.recruitment import (
    ApplicationFactory,
    CriterionFactory,
    OutreachLinkFactory,
    QuestionFactory,
    RoundFactory,
    SlotFactory,
)

pytestmark = pytest.mark.django_db
Status = Application.Status
TODAY = datetime.date(2026, 11, 26)


def years_ago(years: int, days: int = 0) -> datetime.date:
    return TODAY.replace(year=TODAY.year - years) - datetime.timedelta(days=days)


@pytest.fixture
def open_round(partnership):
    return RoundFactory(
        partnership=partnership,
        opens_on=TODAY - datetime.timedelta(days=5),
        closes_on=TODAY + datetime.timedelta(days=30),
    )


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the emails) as the service's transaction commits."""

    def run(function, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(*args, **kwargs)

    return run


def draft(round_, **fields):
    application = svc.application_start(
        round_public_id=round_.public_id, full_name="Sam Applicant", email="Sam@Example.org", today=TODAY
    )
    if fields:
        svc.application_update(application_public_id=application.public_id, fields=fields, today=TODAY)
    application.refresh_from_db()
    return application


# --- rounds -------------------------------------------------------------------------------------------------------


def test_a_worker_creates_a_round_with_default_criteria(member):
    worker = member(Role.PARTICIPATION_WORKER)
    round_ = svc.round_create(
        actor=worker,
        title="2027 intake",
        description="Plain words",
        opens_on=TODAY,
        closes_on=TODAY + datetime.timedelta(days=30),
        places=8,
    )
    assert round_.partnership == worker.partnership
    assert round_.criteria.count() == 3
    assert AuditEvent.objects.filter(event_type="round.created").exists()


def test_a_finance_officer_cannot_create_a_round(member):
    with pytest.raises(PermissionDenied):
        svc.round_create(
            actor=member(Role.FINANCE_OFFICER), title="x", description="x", opens_on=TODAY, closes_on=TODAY, places=1
        )


def test_a_round_cannot_close_before_it_opens(member):
    with pytest.raises(ValidationError) as error:
        svc.round_create(
            actor=member(Role.PARTICIPATION_WORKER),
            title="x",
            description="x",
            opens_on=TODAY,
            closes_on=TODAY - datetime.timedelta(days=1),
            places=1,
        )
    assert "closes_on" in error.value.message_dict


def test_a_choice_question_needs_two_options(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    with pytest.raises(ValidationError) as error:
        svc.round_question_add(actor=worker, round_id=open_round.pk, text="Pick", kind="choice", choices=["Only"])
    assert "choices" in error.value.message_dict


# --- the public application ---------------------------------------------------------------------------------------


def test_a_closed_round_says_so_and_when_the_next_opens(partnership):
    closed = RoundFactory(
        partnership=partnership,
        opens_on=TODAY - datetime.timedelta(days=60),
        closes_on=TODAY - datetime.timedelta(days=1),
        next_round_opens_on=datetime.date(2027, 3, 1),
    )
    with pytest.raises(ApplicationError) as error:
        draft(closed)
    assert error.value.message == f"Applications for {closed.title} are closed. The next round opens on 1 March 2027."


def test_the_outreach_channel_is_remembered(open_round):
    link = OutreachLinkFactory(round=open_round)
    application = svc.application_start(
        round_public_id=open_round.public_id, full_name="A", email="a@example.org", outreach_code=link.code, today=TODAY
    )
    assert application.outreach_link == link
    assert application.channel == "Youth council"


def test_under_13_cannot_apply(open_round):
    application = draft(open_round)
    with pytest.raises(ValidationError) as error:
        svc.application_update(
            application_public_id=application.public_id, fields={"date_of_birth": years_ago(12)}, today=TODAY
        )
    assert error.value.message_dict == {
        "date_of_birth": ["Your date of birth shows you are under 13. You need to be 13 or older to apply."]
    }


def test_what_was_saved_before_a_mistake_is_kept(open_round):
    application = draft(open_round, phone="07700 900123")
    with pytest.raises(ValidationError):
        svc.application_update(
            application_public_id=application.public_id, fields={"date_of_birth": years_ago(10)}, today=TODAY
        )
    application.refresh_from_db()
    assert application.phone == "07700 900123"
    assert application.email == "sam@example.org"


def test_sending_names_every_missing_part(open_round):
    question = QuestionFactory(round=open_round)
    application = draft(open_round)
    with pytest.raises(ValidationError) as error:
        svc.application_submit(application_public_id=application.public_id, today=TODAY)
    assert set(error.value.message_dict) == {"date_of_birth", f"question_{question.pk}"}
    assert Application.objects.get(pk=application.pk).status == Status.DRAFT


def test_under_16_needs_a_parent_or_carer_contact(open_round):
    application = draft(open_round, date_of_birth=years_ago(14))
    with pytest.raises(ValidationError) as error:
        svc.application_submit(application_public_id=application.public_id, today=TODAY)
    assert set(error.value.message_dict) == {"parent_carer_name", "parent_carer_email"}
    svc.application_update(
        application_public_id=application.public_id,
        fields={"parent_carer_name": "Jo Applicant", "parent_carer_phone": "07700 900456"},
        today=TODAY,
    )
    svc.application_submit(application_public_id=application.public_id, today=TODAY)


def test_too_old_for_the_round_is_refused(partnership):
    round_ = RoundFactory(
        partnership=partnership, opens_on=TODAY, closes_on=TODAY + datetime.timedelta(days=9), max_age=18
    )
    application = draft(round_, date_of_birth=years_ago(19))
    with pytest.raises(ValidationError) as error:
        svc.application_submit(application_public_id=application.public_id, today=TODAY)
    assert error.value.message_dict["date_of_birth"] == ["This round is for young people aged up to 18."]


def test_sending_moves_equality_answers_apart_and_acknowledges_by_email(open_round, on_commit):
    application = draft(open_round, date_of_birth=years_ago(17))
    svc.application_update(
        application_public_id=application.public_id,
        equality={"gender": "non_binary", "care_experience": "yes"},
        today=TODAY,
    )
    on_commit(svc.application_submit, application_public_id=application.public_id, today=TODAY)

    application.refresh_from_db()
    assert application.status == Status.SUBMITTED and application.submitted_at is not None
    assert application.equality_draft == {}
    response = EqualityResponse.objects.get()
    assert response.answers == {"gender": "non_binary", "care_experience": "yes"}
    assert not any(f.name == "application" for f in EqualityResponse._meta.fields)
    assert mail.outbox[-1].to == ["sam@example.org"]
    assert "/apply/withdraw/" in mail.outbox[-1].body
    audit = AuditEvent.objects.get(event_type="application.status_changed")
    assert audit.actor is None and audit.payload == {"by": "applicant", "from": "draft", "to": "submitted"}


def test_a_full_round_takes_no_more_applications(open_round):
    open_round.places = 1
    open_round.save()
    ApplicationFactory(round=open_round, status=Status.ACCEPTED)
    application = draft(open_round, date_of_birth=years_ago(17))
    with pytest.raises(ApplicationError, match=r"The place in .* is filled"):
        svc.application_submit(application_public_id=application.public_id, today=TODAY)


def test_a_sent_application_cannot_be_changed(open_round):
    application = ApplicationFactory(round=open_round)
    with pytest.raises(ApplicationError, match="already been sent"):
        svc.application_update(application_public_id=application.public_id, fields={"phone": "1"})


# --- links --------------------------------------------------------------------------------------------------------


def test_a_link_for_one_purpose_does_not_work_for_another(open_round):
    application = ApplicationFactory(round=open_round)
    token = tokens.make_token("resume", application.public_id)
    with pytest.raises(ApplicationError, match="not right"):
        svc.application_withdraw(token=token)


def test_an_expired_link_says_so(open_round, monkeypatch):
    application = ApplicationFactory(round=open_round)
    token = tokens.make_token("withdraw", application.public_id)
    monkeypatch.setitem(tokens.MAX_AGE_DAYS, "withdraw", -1)  # as if the link were older than its lifetime
    with pytest.raises(ApplicationError, match="expired"):
        svc.application_withdraw(token=token)
    assert Application.objects.get(pk=application.pk).status == Status.SUBMITTED


def test_the_applicant_withdraws_by_link(open_round, on_commit):
    application = ApplicationFactory(round=open_round, status=Status.SCREENING)
    on_commit(svc.application_withdraw, token=tokens.make_token("withdraw", application.public_id), reason="Exams")
    application.refresh_from_db()
    assert application.status == Status.WITHDRAWN and application.closed_at is not None
    assert ApplicationEvent.objects.get(application=application).reason == "Exams"
    assert "withdrawn" in mail.outbox[-1].subject


# --- the pipeline -------------------------------------------------------------------------------------------------


def test_a_draft_cannot_be_moved_by_staff(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round=open_round, status=Status.DRAFT)
    with pytest.raises(ApplicationError, match="not sent"):
        svc.application_move(actor=worker, application_id=application.pk, to=Status.SCREENING)


def test_staff_cannot_make_the_applicants_moves(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round=open_round, status=Status.OFFERED)
    with pytest.raises(ApplicationError, match="Only the applicant"):
        svc.application_move(actor=worker, application_id=application.pk, to=Status.ACCEPTED)


def test_unsuccessful_needs_a_reason_and_emails_the_applicant(member, open_round, on_commit):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round=open_round)
    with pytest.raises(ApplicationError) as error:
        svc.application_move(actor=worker, application_id=application.pk, to=Status.UNSUCCESSFUL)
    assert error.value.extra == {"field": "reason"}
    on_commit(
        svc.application_move,
        actor=worker,
        application_id=application.pk,
        to=Status.UNSUCCESSFUL,
        reason="Not eligible: lives outside the area",
    )
    assert Application.objects.get(pk=application.pk).status == Status.UNSUCCESSFUL
    assert mail.outbox[-1].to == [application.email]
    # the reason stays with the application, not in the audit log
    assert "Not eligible" not in str(AuditEvent.objects.filter(event_type="application.status_changed").values())


def test_an_interview_needs_slots_and_sends_the_choice_link(member, open_round, on_commit):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round=open_round, status=Status.SCREENING)
    with pytest.raises(ApplicationError, match="interview times"):
        svc.application_move(actor=worker, application_id=application.pk, to=Status.INTERVIEW)
    SlotFactory(round=open_round)
    on_commit(svc.application_move, actor=worker, application_id=application.pk, to=Status.INTERVIEW)
    assert "/apply/interview/" in mail.outbox[-1].body


def test_offers_stop_at_the_number_of_places(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    open_round.places = 1
    open_round.save()
    first, second = ApplicationFactory.create_batch(2, round=open_round, status=Status.SCREENING)
    svc.application_move(actor=worker, application_id=first.pk, to=Status.OFFERED)
    with pytest.raises(ApplicationError, match="places"):
        svc.application_move(actor=worker, application_id=second.pk, to=Status.OFFERED)


def test_bulk_moves_are_all_or_nothing(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    ready = ApplicationFactory(round=open_round, status=Status.SUBMITTED)
    not_sent = ApplicationFactory(round=open_round, status=Status.DRAFT, full_name="Drew Draft")
    with pytest.raises(ApplicationError) as error:
        svc.applications_bulk_move(actor=worker, application_ids=[ready.pk, not_sent.pk], to=Status.SCREENING)
    assert "Drew Draft" in error.value.message
    assert Application.objects.get(pk=ready.pk).status == Status.SUBMITTED

    more = ApplicationFactory(round=open_round)
    result = svc.applications_bulk_move(actor=worker, application_ids=[ready.pk, more.pk], to=Status.SCREENING)
    assert len(result.moved) == 2
    assert set(Application.objects.filter(pk__in=[ready.pk, more.pk]).values_list("status", flat=True)) == {
        Status.SCREENING
    }


def test_another_partnerships_application_is_not_found(member, other_partnership):
    from django.http import Http404

    worker = member(Role.PARTICIPATION_WORKER)
    theirs = ApplicationFactory(round=RoundFactory(partnership=other_partnership))
    with pytest.raises(Http404):
        svc.application_move(actor=worker, application_id=theirs.pk, to=Status.SCREENING)
    with pytest.raises(Http404):
        svc.applications_bulk_move(actor=worker, application_ids=[theirs.pk], to=Status.SCREENING)


def test_two_workers_score_separately(member, open_round):
    one, two = member(Role.PARTICIPATION_WORKER), member(Role.PARTNERSHIP_ADMIN)
    criterion = CriterionFactory(round=open_round, max_score=5)
    application = ApplicationFactory(round=open_round)
    svc.panel_score_set(actor=one, application_id=application.pk, scores={criterion.pk: 4})
    svc.panel_score_set(actor=two, application_id=application.pk, scores={criterion.pk: 2}, comment="Shy but sharp")
    svc.panel_score_set(actor=one, application_id=application.pk, scores={criterion.pk: 5})
    assert sorted(PanelScore.objects.values_list("score", flat=True)) == [2, 5]


def test_a_score_out_of_range_names_the_criterion(member, open_round):
    criterion = CriterionFactory(round=open_round, max_score=5)
    application = ApplicationFactory(round=open_round)
    with pytest.raises(ValidationError) as error:
        svc.panel_score_set(
            actor=member(Role.PARTICIPATION_WORKER), application_id=application.pk, scores={criterion.pk: 9}
        )
    assert f"criterion_{criterion.pk}" in error.value.message_dict


def test_a_scrutiny_lead_cannot_score(member, open_round):
    criterion = CriterionFactory(round=open_round)
    application = ApplicationFactory(round=open_round)
    with pytest.raises(PermissionDenied):
        svc.panel_score_set(actor=member(Role.SCRUTINY_LEAD), application_id=application.pk, scores={criterion.pk: 1})


# --- the applicant's answers --------------------------------------------------------------------------------------


def test_a_slot_holds_only_its_capacity(open_round):
    slot = SlotFactory(round=open_round, capacity=1)
    first, second = ApplicationFactory.create_batch(2, round=open_round, status=Status.INTERVIEW)
    svc.application_choose_slot(token=tokens.make_token("interview", first.public_id), slot_id=slot.pk)
    with pytest.raises(ValidationError) as error:
        svc.application_choose_slot(token=tokens.make_token("interview", second.public_id), slot_id=slot.pk)
    assert "slot" in error.value.message_dict


def test_accepting_an_offer_creates_the_account_and_checklist(open_round):
    application = ApplicationFactory(
        round=open_round, status=Status.OFFERED, date_of_birth=years_ago(14), email="new.person@example.org"
    )
    svc.application_respond_to_offer(token=tokens.make_token("offer", application.public_id), accept=True, today=TODAY)
    application.refresh_from_db()
    assert application.status == Status.ACCEPTED
    membership = application.membership
    assert membership.user.email == "new.person@example.org"
    assert membership.roles == {Role.YOUNG_PERSON}
    keys = set(OnboardingItem.objects.filter(membership=membership).values_list("key", flat=True))
    assert "consent.parent_carer" in keys and "payment.setup" in keys


def test_a_16_year_old_gets_no_parent_consent_item(open_round):
    application = ApplicationFactory(round=open_round, status=Status.OFFERED, date_of_birth=years_ago(16))
    svc.application_respond_to_offer(token=tokens.make_token("offer", application.public_id), accept=True, today=TODAY)
    keys = set(OnboardingItem.objects.filter(membership__application=application).values_list("key", flat=True))
    assert "consent.parent_carer" not in keys


def test_declining_creates_nothing(open_round):
    application = ApplicationFactory(round=open_round, status=Status.OFFERED)
    svc.application_respond_to_offer(token=tokens.make_token("offer", application.public_id), accept=False)
    assert Application.objects.get(pk=application.pk).status == Status.DECLINED
    assert not Membership.objects.filter(user__email=application.email).exists()


def test_an_offer_can_be_answered_once(open_round):
    application = ApplicationFactory(round=open_round, status=Status.OFFERED)
    token = tokens.make_token("offer", application.public_id)
    svc.application_respond_to_offer(token=token, accept=True)
    with pytest.raises(ApplicationError, match="no longer be answered"):
        svc.application_respond_to_offer(token=token, accept=True)
    assert Membership.objects.filter(user__email=application.email).count() == 1


# --- referrals ----------------------------------------------------------------------------------------------------


def test_a_young_scrutineer_refers_a_friend(member, open_round, on_commit):
    young = member(Role.YOUNG_PERSON)
    referral = on_commit(
        svc.referral_create, actor=young, round_id=open_round.pk, friend_name="Alex Friend", friend_email="A@x.org"
    )
    assert mail.outbox[-1].to == ["a@x.org"]
    assert f"/apply/invited/{referral.token}/" in mail.outbox[-1].body
    application = svc.application_start(
        round_public_id=open_round.public_id,
        full_name="Alex Friend",
        email="a@x.org",
        referral_token=referral.token,
        today=timezone.localdate(),
    )
    assert application.referral == referral and application.channel == "Referred by a friend"


def test_staff_cannot_refer(member, open_round):
    with pytest.raises(PermissionDenied):
        svc.referral_create(
            actor=member(Role.PARTICIPATION_WORKER), round_id=open_round.pk, friend_name="A", friend_email="a@x.org"
        )


# --- email wording ------------------------------------------------------------------------------------------------


def test_a_partnerships_own_wording_is_used_and_cannot_reach_objects(member, open_round, on_commit):
    worker = member(Role.PARTICIPATION_WORKER)
    svc.email_template_save(
        actor=worker, key="unsuccessful", subject="About {round}", body="Dear {name}, {name.__class__} {unknown}"
    )
    application = ApplicationFactory(round=open_round, full_name="Robin Hood")
    on_commit(svc.application_move, actor=worker, application_id=application.pk, to=Status.UNSUCCESSFUL, reason="r")
    assert mail.outbox[-1].subject == f"About {open_round.title}"
    assert mail.outbox[-1].body == "Dear Robin, {name.__class__} {unknown}"


# --- retention ----------------------------------------------------------------------------------------------------


def test_old_closed_applications_are_removed_leaving_counts(partnership, open_round):
    now = timezone.now()
    old = now - datetime.timedelta(days=partnership.applicant_retention_days + 1)
    link = OutreachLinkFactory(round=open_round)
    gone = ApplicationFactory(round=open_round, status=Status.UNSUCCESSFUL, closed_at=old, outreach_link=link)
    ApplicationFactory(round=open_round, status=Status.WITHDRAWN, closed_at=old)
    recent = ApplicationFactory(round=open_round, status=Status.UNSUCCESSFUL, closed_at=now)
    accepted = ApplicationFactory(round=open_round, status=Status.ACCEPTED, closed_at=old)
    stale_draft = ApplicationFactory(round=open_round, status=Status.DRAFT, updated_at=old)

    assert svc.applications_remove_expired(now=now) == 3
    assert svc.applications_remove_expired(now=now) == 0  # safe to run twice

    remaining = set(Application.objects.values_list("pk", flat=True))
    assert remaining == {recent.pk, accepted.pk}
    assert gone.pk not in remaining and stale_draft.pk not in remaining
    counts = {(c.outcome, c.channel): c.count for c in AnonymousOutcomeCount.objects.all()}
    assert counts == {("unsuccessful", "Youth council"): 1, ("withdrawn", "Direct"): 1}


def test_unknown_round_is_not_found():
    from django.http import Http404

    with pytest.raises(Http404):
        svc.application_start(round_public_id=uuid.uuid4(), full_name="A", email="a@x.org")


def test_accepting_keeps_the_date_of_birth_on_a_profile(open_round):
    application = ApplicationFactory(round=open_round, status=Status.OFFERED, date_of_birth=years_ago(15))
    svc.application_respond_to_offer(token=tokens.make_token("offer", application.public_id), accept=True)
    application.refresh_from_db()
    assert application.membership.profile.date_of_birth == years_ago(15)


# --- found in review ------------------------------------------------------------------------------------------------


def test_accepting_when_already_a_member_adds_the_role_and_reactivates(open_round, member, partnership):
    from participants.services import membership_suspend

    admin = member(Role.PARTNERSHIP_ADMIN)
    returning = member(Role.PARTICIPATION_WORKER)
    membership_suspend(actor=admin, membership_id=returning.membership.pk, reason="Left")
    application = ApplicationFactory(round=open_round, status=Status.OFFERED, email=returning.email)
    svc.application_respond_to_offer(token=tokens.make_token("offer", application.public_id), accept=True)
    membership = Membership.objects.get(pk=returning.membership.pk)
    assert membership.status == Membership.Status.ACTIVE
    assert membership.roles == {Role.PARTICIPATION_WORKER, Role.YOUNG_PERSON}
    assert Application.objects.get(pk=application.pk).membership == membership


def test_a_withdrawn_applicant_frees_their_interview_time(open_round):
    slot = SlotFactory(round=open_round, capacity=1)
    first, second = ApplicationFactory.create_batch(2, round=open_round, status=Status.INTERVIEW)
    svc.application_choose_slot(token=tokens.make_token("interview", first.public_id), slot_id=slot.pk)
    svc.application_withdraw(token=tokens.make_token("withdraw", first.public_id))
    svc.application_choose_slot(token=tokens.make_token("interview", second.public_id), slot_id=slot.pk)
    assert Application.objects.get(pk=second.pk).interview_slot == slot


def test_staff_can_close_an_offer_nobody_answered(member, open_round):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round=open_round, status=Status.OFFERED)
    svc.application_move(
        actor=worker, application_id=application.pk, to=Status.UNSUCCESSFUL, reason="No reply after 4 weeks"
    )
    assert Application.objects.get(pk=application.pk).status == Status.UNSUCCESSFUL


def test_retention_removes_the_referral_that_named_the_applicant(partnership, open_round, member):
    from participants.models import Referral

    young = member(Role.YOUNG_PERSON)
    referral = Referral.objects.create(
        partnership=partnership,
        round=open_round,
        referrer=young.membership,
        friend_name="Jo Friend",
        friend_email="jo@example.org",
        token="tok-1",
    )
    old = timezone.now() - datetime.timedelta(days=partnership.applicant_retention_days + 1)
    ApplicationFactory(round=open_round, status=Status.UNSUCCESSFUL, closed_at=old, referral=referral)
    Referral.objects.create(
        partnership=partnership,
        round=open_round,
        referrer=young.membership,
        friend_name="Never Applied",
        friend_email="never@example.org",
        token="tok-2",
        created_at=old,
    )
    svc.applications_remove_expired()
    assert not Referral.objects.exists()


def test_the_carry_on_email_cannot_be_sent_again_and_again(open_round, on_commit):
    from django.core.cache import cache

    cache.clear()
    application = draft(open_round)
    for _ in range(3):
        on_commit(svc.application_send_resume_link, application_public_id=application.public_id)
    with pytest.raises(ApplicationError, match="already emailed"):
        svc.application_send_resume_link(application_public_id=application.public_id)
    assert len(mail.outbox) == 3
    cache.clear()


@pytest.mark.django_db(transaction=True)
def test_two_offers_made_at_the_same_moment_cannot_both_take_the_last_place(member, partnership):
    import threading

    from django.db import close_old_connections, connection

    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", "row locks between two connections are what this test is about")
    round_ = RoundFactory(partnership=partnership, places=1)
    worker = member(Role.PARTICIPATION_WORKER)
    applications = ApplicationFactory.create_batch(2, round=round_, status=Status.SCREENING)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def offer(application_id: int) -> None:
        from core.tenancy import act_in

        try:
            act_in(worker, partnership)
            barrier.wait(timeout=10)
            svc.application_move(actor=worker, application_id=application_id, to=Status.OFFERED)
            outcomes.append("offered")
        except ApplicationError:
            outcomes.append("refused")
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=offer, args=(a.pk,)) for a in applications]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["offered", "refused"]
    assert Application.objects.filter(round=round_, status=Status.OFFERED).count() == 1
