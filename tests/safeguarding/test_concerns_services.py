"""Safeguarding concerns: the services and selectors (safeguarding.services.concerns, safeguarding.selectors.concerns).

Each test names one rule and fails when it breaks.
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import ProtectedError
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AppendOnlyError, AuditEvent
from participants.models import Role, YoungPersonProfile
from safeguarding.models import Concern, ConcernCategory, ConcernEntry, ConcernView, SafeguardingPolicy
from safeguarding.selectors import concerns as selectors
from safeguarding.services import concerns as services

pytestmark = pytest.mark.django_db

Kind = ConcernEntry.Kind
WORDS = "He said he'd hurt me if I told anyone. WORDS-7f3a"
HAPPENED = "Seen crying after the session. HAPPENED-91bc"
STAFF = [
    Role.PARTICIPATION_WORKER,
    Role.SAFEGUARDING_LEAD,
    Role.FINANCE_OFFICER,
    Role.SCRUTINY_LEAD,
    Role.PARTNERSHIP_ADMIN,
]


@pytest.fixture
def lead(member):
    """A safeguarding lead who passed their second factor in this session."""
    user = member(Role.SAFEGUARDING_LEAD)
    user.second_factor_this_session = True
    return user


@pytest.fixture
def young(member, partnership):
    person = member(Role.YOUNG_PERSON, user__full_name="Robin Example-Young")
    YoungPersonProfile.objects.create(
        partnership=partnership, membership=person.membership, date_of_birth=datetime.date(2008, 5, 17)
    )
    return person


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER, user__full_name="Sam Reporter")


def raise_about(actor, young, **kwargs):
    arguments = {
        "category": ConcernCategory.EXPLOITATION,
        "young_persons_words": WORDS,
        "what_happened": HAPPENED,
        "membership_id": young.membership.pk,
    }
    arguments.update(kwargs)
    return services.concern_raise(actor=actor, **arguments)


# --- Raising --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", STAFF)
def test_any_staff_member_can_raise_a_concern(role, member, young):
    reporter = member(role)
    concern = raise_about(reporter, young)
    assert concern.raised_by == reporter and concern.status == Concern.Status.OPEN
    report = concern.entries.get()
    assert report.kind == Kind.REPORT and report.author == reporter
    assert report.text == WORDS
    assert report.details == {"category": ConcernCategory.EXPLOITATION}


def test_a_young_person_cannot_raise_a_concern(young):
    with pytest.raises(PermissionDenied):
        raise_about(young, young)
    assert not Concern.objects.exists()


def test_the_review_date_is_the_young_persons_25th_birthday(worker, young):
    concern = raise_about(worker, young)
    assert concern.review_due_on == datetime.date(2033, 5, 17)


def test_the_review_age_comes_from_the_partnerships_policy(worker, young, partnership):
    SafeguardingPolicy.objects.create(partnership=partnership, concern_review_age=30)
    assert raise_about(worker, young).review_due_on == datetime.date(2038, 5, 17)


def test_a_concern_about_someone_else_or_without_a_profile_has_no_review_date(worker, member):
    no_profile = member(Role.YOUNG_PERSON)
    assert raise_about(worker, no_profile).review_due_on is None
    someone_else = services.concern_raise(
        actor=worker, category=ConcernCategory.NEGLECT, young_persons_words=WORDS, about_name="A sibling"
    )
    assert someone_else.review_due_on is None and someone_else.membership is None
    assert someone_else.about_name == "A sibling"


def test_a_concern_is_about_a_young_person_or_a_name_not_neither_nor_both(worker, young):
    with pytest.raises(ApplicationError) as neither:
        services.concern_raise(actor=worker, category=ConcernCategory.OTHER, young_persons_words=WORDS)
    assert neither.value.extra["field"] == "membership_id"
    with pytest.raises(ApplicationError) as both:
        raise_about(worker, young, about_name="Someone")
    assert both.value.extra["field"] == "about_name"


def test_bad_input_is_refused_naming_the_field(worker, young, member, other_partnership):
    with pytest.raises(ApplicationError) as words:
        raise_about(worker, young, young_persons_words="   ")
    assert words.value.extra["field"] == "young_persons_words"
    with pytest.raises(ApplicationError) as category:
        raise_about(worker, young, category="made-up")
    assert category.value.extra["field"] == "category"
    for not_a_young_person in (
        member(Role.FINANCE_OFFICER),
        member(Role.YOUNG_PERSON, in_partnership=other_partnership),
    ):
        with pytest.raises(ApplicationError) as chosen:
            raise_about(worker, not_a_young_person)
        assert chosen.value.extra["field"] == "membership_id"
    assert not Concern.objects.exists()


def test_the_leads_are_emailed_a_link_and_no_details(
    worker, young, member, other_partnership, django_capture_on_commit_callbacks
):
    leads = [member(Role.SAFEGUARDING_LEAD), member(Role.SAFEGUARDING_LEAD, Role.PARTICIPATION_WORKER)]
    member(Role.SAFEGUARDING_LEAD, status="suspended")
    member(Role.SAFEGUARDING_LEAD, in_partnership=other_partnership)
    with django_capture_on_commit_callbacks(execute=True):
        concern = raise_about(worker, young)
    assert sorted(message.to[0] for message in mail.outbox) == sorted(lead.email for lead in leads)
    assert all(len(message.to) == 1 for message in mail.outbox)
    for message in mail.outbox:
        everything = message.subject + message.body + "".join(str(a[0]) for a in message.alternatives)
        assert f"/staff/concerns/{concern.pk}/" in everything
        for secret in (
            WORDS,
            "WORDS-7f3a",
            "HAPPENED-91bc",
            young.full_name,
            "Robin",
            worker.full_name,
            ConcernCategory.EXPLOITATION.value,
            str(ConcernCategory.EXPLOITATION.label),
            "xploitation",
        ):
            assert secret not in everything, secret


def test_nothing_is_emailed_when_raising_fails(worker, young, member, django_capture_on_commit_callbacks):
    member(Role.SAFEGUARDING_LEAD)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError):
        raise_about(worker, young, young_persons_words="")
    assert mail.outbox == []


# --- Who can read -----------------------------------------------------------------------------------------------


@pytest.fixture
def concern(worker, young):
    return raise_about(worker, young)


@pytest.mark.parametrize(
    "who", ["finance officer", "participation worker", "lead without second factor", "young person"]
)
def test_only_a_lead_with_the_second_factor_can_read_a_concern(who, member, concern):
    role = {
        "finance officer": Role.FINANCE_OFFICER,
        "participation worker": Role.PARTICIPATION_WORKER,
        "lead without second factor": Role.SAFEGUARDING_LEAD,
        "young person": Role.YOUNG_PERSON,
    }[who]
    reader = member(role)
    with pytest.raises(Http404):
        services.concern_open(actor=reader, concern_id=concern.pk)
    with pytest.raises(Http404):
        selectors.concern_get_for_actor(reader, concern.pk)
    assert list(selectors.concerns_visible_to(reader)) == []
    with pytest.raises(Http404):
        services.concern_note_add(actor=reader, concern_id=concern.pk, text="x")
    assert not ConcernView.objects.exists()
    assert concern.entries.count() == 1


def test_a_second_factor_in_the_session_is_needed_even_for_a_lead(member, concern):
    lead = member(Role.SAFEGUARDING_LEAD)
    with pytest.raises(Http404):
        services.concern_open(actor=lead, concern_id=concern.pk)
    lead.second_factor_this_session = True
    assert services.concern_open(actor=lead, concern_id=concern.pk) == concern


def test_another_partnerships_concern_is_404_even_for_a_lead_with_the_second_factor(lead, member, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    theirs = raise_about(their_worker, stranger)
    for call in (
        lambda: services.concern_open(actor=lead, concern_id=theirs.pk),
        lambda: services.concern_note_add(actor=lead, concern_id=theirs.pk, text="x"),
        lambda: services.concern_legal_hold_set(actor=lead, concern_id=theirs.pk, on=True, text="x"),
        lambda: services.concern_delete_after_review(actor=lead, concern_id=theirs.pk),
    ):
        with pytest.raises(Http404):
            call()
    assert list(selectors.concerns_visible_to(lead)) == []
    assert theirs.entries.count() == 1


def test_every_read_is_recorded(lead, concern):
    services.concern_open(actor=lead, concern_id=concern.pk)
    services.concern_open(actor=lead, concern_id=concern.pk, via="api")
    views = list(ConcernView.objects.filter(concern=concern).order_by("pk"))
    assert [(v.viewer, v.via) for v in views] == [(lead, "page"), (lead, "api")]
    latest, total = selectors.concern_views_for(lead, concern)
    assert total == 2 and latest[0].via == "api"


def test_the_list_is_filtered_by_status_and_category(lead, worker, young, concern):
    other = raise_about(worker, young, category=ConcernCategory.ONLINE)
    services.concern_outcome_record(actor=lead, concern_id=other.pk, text="Resolved")
    services.concern_close(actor=lead, concern_id=other.pk)
    assert list(selectors.concerns_visible_to(lead, status="open")) == [concern]
    assert list(selectors.concerns_visible_to(lead, status="closed")) == [other]
    assert list(selectors.concerns_visible_to(lead, category=ConcernCategory.EXPLOITATION)) == [concern]


# --- The reporter ---------------------------------------------------------------------------------------------


def test_the_reporter_sees_their_report_as_they_wrote_it_and_nothing_else(worker, lead, young, concern, member):
    services.concern_category_change(
        actor=lead, concern_id=concern.pk, category=ConcernCategory.SEXUAL, text="Clearer now"
    )
    services.concern_note_add(actor=lead, concern_id=concern.pk, text="LATER-NOTE")
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="SECRET-OUTCOME")
    someone_elses = raise_about(member(Role.FINANCE_OFFICER), young, young_persons_words="NOT-YOURS")

    entries = list(selectors.reports_raised_by(worker))
    assert [entry.concern_id for entry in entries] == [concern.pk]
    report = selectors.own_report(worker, entries[0])
    assert report.category == str(ConcernCategory.EXPLOITATION.label)  # the category at the time
    assert report.young_persons_words == WORDS and report.what_happened == HAPPENED
    assert report.about == young.full_name
    assert "LATER-NOTE" not in repr(report) and "SECRET-OUTCOME" not in repr(report)
    assert not hasattr(report, "outcome") and not hasattr(report, "status")
    assert someone_elses.pk not in {e.concern_id for e in entries}
    with pytest.raises(Http404):  # the concern itself is still not theirs to read
        services.concern_open(actor=worker, concern_id=concern.pk)


def test_a_young_person_has_no_reports_page(young):
    with pytest.raises(PermissionDenied):
        selectors.reports_raised_by(young)


# --- The chronology is append-only ----------------------------------------------------------------------------


def test_an_entry_cannot_be_edited_or_deleted_through_the_orm(concern):
    entry = concern.entries.get()
    entry.text = "rewritten"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.save(update_fields=["text"])
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        ConcernEntry.objects.filter(pk=entry.pk).update(text="rewritten")
    with pytest.raises(AppendOnlyError):
        ConcernEntry.objects.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError):
        ConcernEntry._base_manager.filter(pk=entry.pk).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        ConcernEntry.objects.bulk_update([entry], ["text"])
    with pytest.raises(ProtectedError):
        Concern.objects.get(pk=concern.pk).delete()  # a concern cannot take its chronology with it
    assert ConcernEntry.objects.get(pk=entry.pk).text == WORDS


def test_the_service_layer_has_no_way_to_edit_or_delete_an_entry():
    names = [name for name in dir(services) if callable(getattr(services, name)) and name.startswith("concern_")]
    editing = [n for n in names if re.search(r"edit|update|amend|rewrite|(entry|note)_(change|delete|remove)", n)]
    assert editing == []
    deleting = [n for n in names if "delete" in n or "remove" in n]
    assert deleting == ["concern_delete_after_review"]


def test_a_correction_is_a_new_entry_and_the_original_stays(lead, concern):
    report = concern.entries.get()
    correction = services.concern_correction_add(
        actor=lead, concern_id=concern.pk, corrects_id=report.pk, text="It was on Tuesday, not Monday."
    )
    assert correction.kind == Kind.CORRECTION and correction.corrects == report
    assert ConcernEntry.objects.get(pk=report.pk).text == WORDS
    chronology = selectors.concern_chronology(lead, concern)
    assert [e.pk for e in chronology.entries] == [report.pk, correction.pk]
    assert chronology.corrected_ids == {report.pk}


def test_a_correction_must_point_at_an_entry_of_the_same_concern(lead, worker, young, concern):
    other = raise_about(worker, young)
    with pytest.raises(ApplicationError) as refused:
        services.concern_correction_add(actor=lead, concern_id=concern.pk, corrects_id=other.entries.get().pk, text="x")
    assert refused.value.extra["field"] == "corrects"


def test_a_change_of_category_is_recorded(lead, concern):
    entry = services.concern_category_change(
        actor=lead, concern_id=concern.pk, category=ConcernCategory.ONLINE, text="It happened online"
    )
    concern.refresh_from_db()
    assert concern.category == ConcernCategory.ONLINE
    assert entry.kind == Kind.CATEGORY_CHANGE
    assert entry.details == {"from": ConcernCategory.EXPLOITATION, "to": ConcernCategory.ONLINE}
    assert concern.entries.get(kind=Kind.REPORT).details["category"] == ConcernCategory.EXPLOITATION
    with pytest.raises(ApplicationError) as same:
        services.concern_category_change(actor=lead, concern_id=concern.pk, category=ConcernCategory.ONLINE, text="x")
    assert same.value.extra["field"] == "category"


def test_an_action_has_a_staff_owner_and_a_due_date_and_done_is_a_new_entry(
    lead, concern, member, young, other_partnership
):
    owner = member(Role.PARTICIPATION_WORKER)
    today = datetime.date(2026, 6, 1)
    due = datetime.date(2026, 6, 8)
    action = services.concern_action_add(
        actor=lead, concern_id=concern.pk, text="Call school DSL", owner_id=owner.pk, due_on=due, today=today
    )
    assert (action.kind, action.action_owner, action.action_due_on) == (Kind.ACTION, owner, due)
    for not_staff in (young, member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)):
        with pytest.raises(ApplicationError) as refused:
            services.concern_action_add(
                actor=lead, concern_id=concern.pk, text="x", owner_id=not_staff.pk, due_on=due, today=today
            )
        assert refused.value.extra["field"] == "owner"
    with pytest.raises(ApplicationError) as past:
        services.concern_action_add(
            actor=lead, concern_id=concern.pk, text="x", owner_id=owner.pk, due_on=today - datetime.timedelta(1)
        )
    assert past.value.extra["field"] == "due_on"

    assert [a.pk for a in selectors.concern_chronology(lead, concern).open_actions] == [action.pk]
    done = services.concern_action_done(actor=lead, concern_id=concern.pk, action_id=action.pk, text="Spoke to DSL")
    assert done.kind == Kind.ACTION_DONE and done.details == {"action": action.pk}
    assert ConcernEntry.objects.get(pk=action.pk).text == "Call school DSL"
    assert selectors.concern_chronology(lead, concern).open_actions == []
    with pytest.raises(ApplicationError):
        services.concern_action_done(actor=lead, concern_id=concern.pk, action_id=action.pk)
    with pytest.raises(ApplicationError) as not_an_action:
        services.concern_action_done(actor=lead, concern_id=concern.pk, action_id=concern.entries.first().pk)
    assert not_an_action.value.extra["field"] == "action"


def test_a_referral_names_the_agency(lead, concern):
    entry = services.concern_referral_add(
        actor=lead, concern_id=concern.pk, agency=ConcernEntry.Agency.FRONT_DOOR, text="Ref 1234, spoke to duty SW"
    )
    assert entry.kind == Kind.REFERRAL and entry.agency == ConcernEntry.Agency.FRONT_DOOR
    with pytest.raises(ApplicationError) as bad:
        services.concern_referral_add(actor=lead, concern_id=concern.pk, agency="pigeon", text="x")
    assert bad.value.extra["field"] == "agency"


def test_closing_needs_an_outcome_and_close_and_reopen_are_recorded(lead, concern):
    with pytest.raises(ApplicationError) as no_outcome:
        services.concern_close(actor=lead, concern_id=concern.pk)
    assert no_outcome.value.extra["field"] == "text"
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="No further action")
    closed = services.concern_close(actor=lead, concern_id=concern.pk, text="Agreed with MASH")
    assert closed.details == {"from": "open", "to": "closed"}
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.CLOSED
    with pytest.raises(ApplicationError):
        services.concern_close(actor=lead, concern_id=concern.pk)
    with pytest.raises(ApplicationError) as no_reason:
        services.concern_reopen(actor=lead, concern_id=concern.pk, text=" ")
    assert no_reason.value.extra["field"] == "text"
    reopened = services.concern_reopen(actor=lead, concern_id=concern.pk, text="New disclosure")
    assert reopened.details == {"from": "closed", "to": "open"}
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.OPEN
    changes = AuditEvent.objects.filter(event_type="concern.status_changed").order_by("pk")
    assert [(e.payload["from"], e.payload["to"]) for e in changes] == [("open", "closed"), ("closed", "open")]


def test_legal_hold_on_and_off_are_recorded(lead, concern):
    on = services.concern_legal_hold_set(actor=lead, concern_id=concern.pk, on=True, text="Police investigation")
    assert Concern.objects.get(pk=concern.pk).legal_hold is True
    assert (on.kind, on.details) == (Kind.LEGAL_HOLD, {"on": True})
    with pytest.raises(ApplicationError) as again:
        services.concern_legal_hold_set(actor=lead, concern_id=concern.pk, on=True, text="x")
    assert again.value.extra["field"] == "legal_hold"
    off = services.concern_legal_hold_set(actor=lead, concern_id=concern.pk, on=False, text="Case closed")
    assert off.details == {"on": False} and Concern.objects.get(pk=concern.pk).legal_hold is False


def test_audit_payloads_never_hold_concern_text_names_or_category(lead, concern, member, young):
    owner = member(Role.PARTICIPATION_WORKER)
    report = concern.entries.get()
    services.concern_open(actor=lead, concern_id=concern.pk)
    services.concern_note_add(actor=lead, concern_id=concern.pk, text="NOTE-SECRET")
    services.concern_correction_add(actor=lead, concern_id=concern.pk, corrects_id=report.pk, text="CORR-SECRET")
    services.concern_category_change(
        actor=lead, concern_id=concern.pk, category=ConcernCategory.SELF_HARM, text="CAT-SECRET"
    )
    action = services.concern_action_add(
        actor=lead,
        concern_id=concern.pk,
        text="ACTION-SECRET",
        owner_id=owner.pk,
        due_on=timezone.localdate() + datetime.timedelta(days=3),
    )
    services.concern_action_done(actor=lead, concern_id=concern.pk, action_id=action.pk, text="DONE-SECRET")
    services.concern_referral_add(actor=lead, concern_id=concern.pk, agency="lado", text="REF-SECRET")
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="OUTCOME-SECRET")
    services.concern_close(actor=lead, concern_id=concern.pk, text="CLOSE-SECRET")
    services.concern_legal_hold_set(actor=lead, concern_id=concern.pk, on=True, text="HOLD-SECRET")
    events = AuditEvent.objects.filter(subject_id=str(concern.pk), event_type__startswith="concern.")
    assert {e.event_type for e in events} >= {
        "concern.raised",
        "concern.entry_added",
        "concern.category_changed",
        "concern.status_changed",
        "concern.legal_hold_changed",
    }
    payloads = json.dumps([e.payload for e in AuditEvent.objects.all()])
    for secret in (
        "SECRET",
        "WORDS-7f3a",
        "HAPPENED-91bc",
        young.full_name,
        ConcernCategory.EXPLOITATION.value,
        ConcernCategory.SELF_HARM.value,
    ):
        assert secret not in payloads, secret


# --- Retention ------------------------------------------------------------------------------------------------


def _closed(lead, concern):
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="No further action")
    services.concern_close(actor=lead, concern_id=concern.pk)


def test_concerns_due_for_review_are_those_past_their_date_and_not_on_hold(lead, worker, young, member, partnership):
    later = member(Role.YOUNG_PERSON)
    YoungPersonProfile.objects.create(
        partnership=partnership, membership=later.membership, date_of_birth=datetime.date(2012, 1, 1)
    )
    due = raise_about(worker, young)  # 17 May 2033
    held = raise_about(worker, young)
    services.concern_legal_hold_set(actor=lead, concern_id=held.pk, on=True, text="Court")
    not_yet = raise_about(worker, later)  # 1 Jan 2037
    raise_about(worker, young, membership_id=None, about_name="No date")
    on_the_day = datetime.date(2033, 5, 17)
    assert list(selectors.concerns_due_for_review(lead, on_the_day)) == [due]
    assert list(selectors.concerns_due_for_review(lead, on_the_day - datetime.timedelta(days=1))) == []
    assert set(selectors.concerns_due_for_review(lead, datetime.date(2040, 1, 1))) == {due, not_yet}
    assert list(selectors.concerns_due_for_review(worker, datetime.date(2040, 1, 1))) == []


def test_legal_hold_blocks_deletion(lead, concern):
    _closed(lead, concern)
    services.concern_legal_hold_set(actor=lead, concern_id=concern.pk, on=True, text="Inquiry")
    with pytest.raises(ApplicationError) as refused:
        services.concern_delete_after_review(actor=lead, concern_id=concern.pk, today=datetime.date(2099, 1, 1))
    assert refused.value.extra["field"] == "legal_hold"
    assert Concern.objects.filter(pk=concern.pk).exists()
    assert ConcernEntry.objects.filter(concern_id=concern.pk).count() == 4
    assert not AuditEvent.objects.filter(event_type="concern.deleted_after_review").exists()


def test_nothing_is_deleted_before_the_review_date_or_while_open(lead, concern):
    with pytest.raises(ApplicationError) as open_:
        services.concern_delete_after_review(actor=lead, concern_id=concern.pk, today=datetime.date(2099, 1, 1))
    assert open_.value.extra["field"] == "status"
    _closed(lead, concern)
    with pytest.raises(ApplicationError) as early:
        services.concern_delete_after_review(actor=lead, concern_id=concern.pk, today=datetime.date(2033, 5, 16))
    assert early.value.extra["field"] == "review_due_on"
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_a_concern_without_a_review_date_is_kept(lead, worker):
    concern = services.concern_raise(
        actor=worker, category=ConcernCategory.OTHER, young_persons_words=WORDS, about_name="A neighbour"
    )
    _closed(lead, concern)
    with pytest.raises(ApplicationError):
        services.concern_delete_after_review(actor=lead, concern_id=concern.pk, today=datetime.date(2099, 1, 1))


def test_only_a_lead_with_the_second_factor_can_delete(member, lead, concern):
    _closed(lead, concern)
    for role in (Role.PARTNERSHIP_ADMIN, Role.SAFEGUARDING_LEAD):
        with pytest.raises(Http404):
            services.concern_delete_after_review(
                actor=member(role), concern_id=concern.pk, today=datetime.date(2099, 1, 1)
            )
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_after_review_the_concern_goes_with_its_entries_and_views_and_leaves_an_audit_row(lead, young, concern):
    _closed(lead, concern)
    report = concern.entries.get(kind=Kind.REPORT)
    services.concern_correction_add(actor=lead, concern_id=concern.pk, corrects_id=report.pk, text="Fix")
    services.concern_open(actor=lead, concern_id=concern.pk)
    keep = raise_about(lead, young)
    pk = concern.pk
    assert services.concern_delete_after_review(actor=lead, concern_id=pk, today=datetime.date(2033, 5, 17)) == pk
    assert not Concern.objects.filter(pk=pk).exists()
    assert not ConcernEntry.objects.filter(concern_id=pk).exists()
    assert not ConcernView.objects.filter(concern_id=pk).exists()
    assert keep.entries.count() == 1  # other concerns untouched
    event = AuditEvent.objects.get(event_type="concern.deleted_after_review")
    assert event.subject_id == str(pk) and event.actor == lead
    assert event.payload == {"entries": 4, "views": 1}
