"""Responses: recording one (once), the decision's reasons, changing it (checked before anything is written; one
timeline entry per call; status moves by the workflow; Done means 100%), written updates, evidence; and the audit."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import RecommendationResponse, ResponseEvidence, TimelineEntry
from engagements.services import feedback
from engagements.services.feedback import (
    evidence_add,
    evidence_remove,
    response_changes_check,
    response_update,
    timeline_entry_add,
)
from participants.models import Role
from tests.engagements.feedback.test_services_recommendations import (
    engagement_with,
    field_errors,
    recommend,
    respond,
    young,
)
from tests.factories.feedback import RecommendationResponseFactory

pytestmark = pytest.mark.django_db

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision
PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def recommendation(partnership, lead):
    sam = young(partnership)
    return recommend(lead, engagement_with(partnership, sam), [sam])


@pytest.fixture
def response(lead, recommendation):
    return respond(lead, recommendation, decision=Decision.ACCEPTED)


def update(lead, response, happened_on=None, note="", **changes):
    return response_update(actor=lead, response_id=response.pk, changes=changes, happened_on=happened_on, note=note)


def at(response, **fields) -> RecommendationResponse:
    """Put a response straight into a state (not through the services) for a test to start from."""
    RecommendationResponse.objects.filter(pk=response.pk).update(**fields)
    response.refresh_from_db()
    return response


def entries(response, kind=None):
    found = TimelineEntry.objects.filter(response=response)
    return list(found.filter(kind=kind) if kind else found)


# --- Recording the response -------------------------------------------------------------------------------------


def test_recording_a_response_writes_its_timeline_entry_in_plain_words(lead, recommendation):
    response = respond(
        lead,
        recommendation,
        owner_agency=" Police ",
        owner_name="Sam Jones",
        decision=Decision.ACCEPTED,
        due_on=datetime.date(2027, 3, 1),
    )
    assert (response.owner_agency, response.status, response.progress, response.created_by) == (
        "Police",
        Status.NOT_STARTED,
        0,
        lead,
    )
    [entry] = entries(response)
    assert entry.kind == TimelineEntry.Kind.RESPONSE
    assert entry.text == "The partnership responded: Accepted. Owner: Police, Sam Jones. Due by 1 March 2027."
    assert entry.happened_on == timezone.localdate() and entry.created_by == lead
    event = AuditEvent.objects.get(event_type="response.recorded")
    assert event.payload["entry"] == entry.pk and event.payload["decision"] == Decision.ACCEPTED


def test_a_recommendation_has_one_response(lead, response):
    with pytest.raises(ApplicationError) as caught:
        respond(lead, response.recommendation, owner_name="Someone else")
    assert caught.value.extra == {"field": "recommendation_id", "response_id": response.pk}
    assert "already has a response" in caught.value.message
    assert RecommendationResponse.objects.count() == 1 and len(entries(response)) == 1


@pytest.mark.parametrize("decision", [Decision.PARTLY_ACCEPTED, Decision.NOT_ACCEPTED])
def test_partly_and_not_accepted_need_a_reason(lead, recommendation, decision):
    with pytest.raises(ValidationError) as caught:
        respond(lead, recommendation, decision=decision, decision_reason="  ")
    assert list(field_errors(caught.value)) == ["decision_reason"]
    assert not RecommendationResponse.objects.exists() and not TimelineEntry.objects.exists()


def test_we_did_not_and_here_is_why_is_told(lead, recommendation):
    response = respond(lead, recommendation, decision=Decision.NOT_ACCEPTED, decision_reason="There is no money")
    assert entries(response)[0].text == (
        "The partnership responded: Not accepted. Why: There is no money. Owner: Police, Sam Jones."
    )


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"owner_agency": ""}, "owner_agency"),
        ({"owner_name": "  "}, "owner_name"),
        ({"decision": "maybe"}, "decision"),
        ({"due_on": "next week"}, "due_on"),
        ({"owner_email": "not an address"}, "owner_email"),
    ],
)
def test_a_response_names_the_field_that_is_wrong(lead, recommendation, fields, named):
    with pytest.raises(ValidationError) as caught:
        respond(lead, recommendation, **fields)
    assert list(field_errors(caught.value)) == [named]
    assert not RecommendationResponse.objects.exists()


def test_a_response_cannot_be_dated_in_the_future(lead, recommendation):
    with pytest.raises(ValidationError) as caught:
        respond(lead, recommendation, happened_on=timezone.localdate() + datetime.timedelta(days=1))
    assert list(field_errors(caught.value)) == ["happened_on"]


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.PARTNERSHIP_ADMIN, Role.YOUNG_PERSON])
def test_only_the_scrutiny_lead_responds(member, recommendation, role):
    with pytest.raises(PermissionDenied):
        respond(member(role), recommendation)
    assert not RecommendationResponse.objects.exists()


def test_another_partnerships_recommendation_is_not_found(lead, other_partnership, member):
    theirs = recommend(member(Role.SCRUTINY_LEAD, in_partnership=other_partnership), engagement_with(other_partnership))
    with pytest.raises(Http404):
        respond(lead, theirs)


# --- Changing it: one entry per call ----------------------------------------------------------------------------


def test_a_change_of_progress_is_one_change_entry(lead, response):
    at(response, progress=40, status=Status.IN_PROGRESS)
    before = response.updated_at
    update(lead, response, progress=60)
    response.refresh_from_db()
    assert response.progress == 60 and response.updated_at > before
    [entry] = entries(response, TimelineEntry.Kind.CHANGE)
    assert entry.text == "Progress went from 40% to 60%."
    assert entry.changes == [{"field": "progress", "from": 40, "to": 60}]


def test_many_changes_in_one_call_are_one_entry_in_plain_words(lead, response):
    at(response, progress=40, status=Status.IN_PROGRESS)
    update(
        lead,
        response,
        status=Status.DONE,
        due_on=datetime.date(2027, 3, 1),
        note="The new youth forum met for the first time.",
    )
    [entry] = entries(response, TimelineEntry.Kind.CHANGE)
    assert entry.text == (
        "Progress went from 40% to 100%. The status changed from In progress to Done. "
        "It is now due by 1 March 2027.\n\nThe new youth forum met for the first time."
    )
    assert {change["field"]: (change["from"], change["to"]) for change in entry.changes} == {
        "status": (Status.IN_PROGRESS, Status.DONE),
        "progress": (40, 100),
        "due_on": (None, "2027-03-01"),
    }


def test_the_entry_is_dated_as_told(lead, response):
    day = timezone.localdate() - datetime.timedelta(days=3)
    update(lead, response, progress=10, happened_on=day)
    assert entries(response, TimelineEntry.Kind.CHANGE)[0].happened_on == day


def test_changing_nothing_writes_nothing(lead, response):
    at(response, progress=40, status=Status.IN_PROGRESS, due_on=datetime.date(2027, 3, 1))
    before = (response.updated_at, TimelineEntry.objects.count(), AuditEvent.objects.count())
    update(lead, response, progress="40", status="In progress", due_on="2027-03-01", owner_name="Sam Jones")
    response.refresh_from_db()
    assert (response.updated_at, TimelineEntry.objects.count(), AuditEvent.objects.count()) == before


def test_a_change_of_owner_alone_is_audited_but_not_an_entry(lead, response):
    update(lead, response, owner_name="Alex Smith", owner_email="alex@agency.example")
    response.refresh_from_db()
    assert (response.owner_name, response.owner_email) == ("Alex Smith", "alex@agency.example")
    assert len(entries(response)) == 1  # only the RESPONSE entry
    event = AuditEvent.objects.get(event_type="response.changed")
    assert event.payload["changes"]["owner_name"] == {"from": "Sam Jones", "to": "Alex Smith"}
    assert event.payload["entry"] is None


def test_a_note_with_no_change_they_are_told_of_is_an_update(lead, response):
    update(lead, response, owner_name="Alex Smith", note="Alex now looks after this.")
    [entry] = entries(response, TimelineEntry.Kind.UPDATE)
    assert entry.text == "Alex now looks after this."
    assert not entries(response, TimelineEntry.Kind.CHANGE)


def test_a_note_alone_is_an_update_entry(lead, response):
    update(lead, response, note="We wrote to every school.")
    [entry] = entries(response, TimelineEntry.Kind.UPDATE)
    assert entry.text == "We wrote to every school."
    assert AuditEvent.objects.get(event_type="response.update_added").payload == {"entry": entry.pk}
    assert not AuditEvent.objects.filter(event_type="response.changed").exists()


def test_a_change_that_does_not_touch_progress_is_not_held_up_by_it(lead, response):
    at(response, status=Status.DONE, progress=80)  # recorded before the rule, or by hand
    update(lead, response, owner_name="Alex Smith")
    response.refresh_from_db()
    assert (response.owner_name, response.progress) == ("Alex Smith", 80)


def test_a_decision_change_says_why(lead, response):
    update(lead, response, decision=Decision.PARTLY_ACCEPTED, decision_reason="We can only do it in two schools")
    [entry] = entries(response, TimelineEntry.Kind.CHANGE)
    assert entry.text == (
        "The decision changed from Accepted to Partly accepted. Why: We can only do it in two schools."
    )


def test_due_dates_moved_and_taken_away_are_told(lead, response):
    at(response, due_on=datetime.date(2027, 3, 1))
    update(lead, response, due_on=datetime.date(2027, 4, 1))
    update(lead, response, due_on=None)
    texts = [entry.text for entry in entries(response, TimelineEntry.Kind.CHANGE)]
    assert sorted(texts) == sorted(
        [
            "The due date changed from 1 March 2027 to 1 April 2027.",
            "It no longer has a due date (it was 1 April 2027).",
        ]
    )


# --- Checking every change before writing ---------------------------------------------------------------------


@pytest.mark.parametrize("progress", [140, -1, "abc", 60.5, True, None])
def test_progress_is_a_whole_number_from_0_to_100(lead, response, progress):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, progress=progress)
    assert list(field_errors(caught.value)) == ["progress"]


@pytest.mark.parametrize(
    "due_on", ["1/3/2027", "soon", 20270301, datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)]
)
def test_the_due_date_must_be_a_date(lead, response, due_on):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, due_on=due_on)
    assert list(field_errors(caught.value)) == ["due_on"]


def test_an_unknown_field_is_named_and_nothing_is_written(lead, response):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, progress=50, colour="blue")
    assert list(field_errors(caught.value)) == ["colour"]
    response.refresh_from_db()
    assert response.progress == 0 and len(entries(response)) == 1


def test_every_wrong_field_is_named_at_once(lead, response):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, progress=140, status="finished", owner_name="")
    assert set(field_errors(caught.value)) == {"progress", "status", "owner_name"}


def test_a_refused_change_inside_a_larger_transaction_leaves_that_response_untouched(lead, response):
    """The spreadsheet import applies many rows in one transaction and stops at the first refusal."""
    with pytest.raises(ValidationError), transaction.atomic():
        update(lead, response, progress=30)
        with pytest.raises(ValidationError):
            update(lead, response, progress=80, status=Status.IN_PROGRESS, decision=Decision.NOT_ACCEPTED)
        response.refresh_from_db()
        assert (response.progress, response.status, response.decision) == (30, Status.NOT_STARTED, Decision.ACCEPTED)
        assert len(entries(response, TimelineEntry.Kind.CHANGE)) == 1
        raise ValidationError("the import stops")


def test_a_refused_change_is_refused_before_anything_is_written(lead, response):
    with CaptureQueriesContext(connection) as queries, pytest.raises(ValidationError):
        update(lead, response, progress=80, status=Status.IN_PROGRESS, decision=Decision.NOT_ACCEPTED)
    writes = [
        q["sql"] for q in queries.captured_queries if q["sql"].split()[0].upper() in {"INSERT", "UPDATE", "DELETE"}
    ]
    assert writes == []


def test_checking_a_change_writes_nothing(response):
    count = TimelineEntry.objects.count(), AuditEvent.objects.count()
    diff = response_changes_check(response, {"status": "done", "owner_name": "Sam Jones"})
    assert diff == {"status": (Status.NOT_STARTED, Status.DONE), "progress": (0, 100)}
    response.refresh_from_db()
    assert response.status == Status.NOT_STARTED
    assert (TimelineEntry.objects.count(), AuditEvent.objects.count()) == count


def test_only_the_scrutiny_lead_changes_a_response(member, response):
    with pytest.raises(PermissionDenied):
        update(member(Role.PARTICIPATION_WORKER), response, progress=50)


def test_another_partnerships_response_is_not_found(lead, other_partnership):
    theirs = RecommendationResponseFactory(recommendation__engagement__partnership=other_partnership)
    with pytest.raises(Http404):
        update(lead, theirs, progress=50)


# --- Status moves -----------------------------------------------------------------------------------------------


ALLOWED = [(before, after) for before, afters in RecommendationResponse.TRANSITIONS.items() for after in sorted(afters)]
REFUSED = [
    (before, after)
    for before in Status.values
    for after in Status.values
    if after != before and after not in RecommendationResponse.TRANSITIONS.get(before, set())
]


@pytest.mark.parametrize(("before", "after"), ALLOWED)
def test_allowed_status_moves(lead, response, before, after):
    at(response, status=before, progress=100 if before == Status.DONE else 20)
    update(lead, response, status=after, status_reason="The service closed")
    response.refresh_from_db()
    assert response.status == after
    event = AuditEvent.objects.get(event_type="recommendationresponse.status_changed")
    assert event.payload == {"from": before, "to": after}


@pytest.mark.parametrize(("before", "after"), REFUSED)
def test_refused_status_moves_change_nothing(lead, response, before, after):
    assert REFUSED, "the workflow refuses some moves"
    at(response, status=before, progress=100 if before == Status.DONE else 20)
    with pytest.raises(ValidationError) as caught:
        update(lead, response, status=after, status_reason="The service closed", progress=100)
    assert list(field_errors(caught.value)) == ["status"]
    response.refresh_from_db()
    assert response.status == before and len(entries(response)) == 1


def test_done_means_progress_100(lead, response):
    at(response, status=Status.IN_PROGRESS, progress=30)
    update(lead, response, status=Status.DONE, progress=70)
    response.refresh_from_db()
    assert (response.status, response.progress) == (Status.DONE, 100)


def test_progress_of_something_done_stays_100(lead, response):
    at(response, status=Status.DONE, progress=100)
    with pytest.raises(ValidationError) as caught:
        update(lead, response, progress=80)
    assert list(field_errors(caught.value)) == ["progress"]


def test_not_going_ahead_needs_a_reason(lead, response):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, status=Status.NOT_GOING_AHEAD)
    assert list(field_errors(caught.value)) == ["status_reason"]
    update(lead, response, status=Status.NOT_GOING_AHEAD, status_reason="The funding stopped")
    [entry] = entries(response, TimelineEntry.Kind.CHANGE)
    assert entry.text == "The status changed from Not started to Not going ahead. Why: The funding stopped."


def test_the_reason_cannot_be_taken_away_while_it_is_not_going_ahead(lead, response):
    at(response, status=Status.NOT_GOING_AHEAD, status_reason="The funding stopped")
    with pytest.raises(ValidationError) as caught:
        update(lead, response, status_reason="")
    assert list(field_errors(caught.value)) == ["status_reason"]


@pytest.mark.parametrize("decision", [Decision.PARTLY_ACCEPTED, Decision.NOT_ACCEPTED])
def test_changing_to_partly_or_not_accepted_needs_a_reason(lead, response, decision):
    with pytest.raises(ValidationError) as caught:
        update(lead, response, decision=decision)
    assert list(field_errors(caught.value)) == ["decision_reason"]


def test_status_and_decision_may_be_given_by_their_labels(lead, response):
    update(lead, response, status="in progress", decision="Partly accepted", decision_reason="Only some")
    response.refresh_from_db()
    assert (response.status, response.decision) == (Status.IN_PROGRESS, Decision.PARTLY_ACCEPTED)


def test_a_status_move_is_audited_once_and_the_rest_in_one_row(lead, response):
    at(response, status=Status.IN_PROGRESS, progress=30)
    update(lead, response, status=Status.DONE)
    assert AuditEvent.objects.filter(event_type="recommendationresponse.status_changed").count() == 1
    [changed] = AuditEvent.objects.filter(event_type="response.changed")
    assert changed.payload["changes"] == {"progress": {"from": 30, "to": 100}}
    assert changed.payload["entry"] == entries(response, TimelineEntry.Kind.CHANGE)[0].pk


def test_a_status_move_alone_is_not_audited_twice(lead, response):
    update(lead, response, status=Status.IN_PROGRESS)
    assert AuditEvent.objects.filter(event_type="recommendationresponse.status_changed").count() == 1
    assert not AuditEvent.objects.filter(event_type="response.changed").exists()


# --- Written updates --------------------------------------------------------------------------------------------


def test_a_written_update_is_an_update_entry(lead, response):
    day = timezone.localdate() - datetime.timedelta(days=1)
    entry = timeline_entry_add(
        actor=lead, response_id=response.pk, text="  We met the school heads.  ", happened_on=day
    )
    assert (entry.kind, entry.text, entry.happened_on) == (TimelineEntry.Kind.UPDATE, "We met the school heads.", day)
    assert AuditEvent.objects.get(event_type="response.update_added").payload == {"entry": entry.pk}


def test_an_update_needs_words(lead, response):
    with pytest.raises(ValidationError) as caught:
        timeline_entry_add(actor=lead, response_id=response.pk, text="   ")
    assert list(field_errors(caught.value)) == ["text"]


def test_an_update_cannot_be_dated_in_the_future(lead, response):
    with pytest.raises(ValidationError) as caught:
        timeline_entry_add(
            actor=lead, response_id=response.pk, text="Soon", happened_on=timezone.localdate() + datetime.timedelta(1)
        )
    assert list(field_errors(caught.value)) == ["happened_on"]


def test_a_worker_does_not_write_updates(member, response):
    with pytest.raises(PermissionDenied):
        timeline_entry_add(actor=member(Role.PARTICIPATION_WORKER), response_id=response.pk, text="Hello")


# --- Evidence ---------------------------------------------------------------------------------------------------


def test_a_link_is_evidence_with_its_entry(lead, response):
    evidence = evidence_add(
        actor=lead, response_id=response.pk, title="The new leaflet", link="https://www.example.org/leaflet"
    )
    assert (evidence.link, evidence.file.name, evidence.added_by) == ("https://www.example.org/leaflet", "", lead)
    [entry] = entries(response, TimelineEntry.Kind.EVIDENCE)
    assert entry.text == "We added evidence of what was done: The new leaflet."
    assert AuditEvent.objects.get(event_type="response.evidence_added").payload["evidence"] == evidence.pk


@pytest.mark.parametrize("link", ["http://www.example.org/leaflet", "www.example.org", "javascript:alert(1)"])
def test_a_link_must_be_https(lead, response, link):
    with pytest.raises(ValidationError) as caught:
        evidence_add(actor=lead, response_id=response.pk, title="Leaflet", link=link)
    assert list(field_errors(caught.value)) == ["link"]
    assert not ResponseEvidence.objects.exists()


def test_evidence_needs_a_link_or_a_file_and_a_title(lead, response):
    with pytest.raises(ValidationError) as caught:
        evidence_add(actor=lead, response_id=response.pk, title="Leaflet")
    assert list(field_errors(caught.value)) == ["link"]
    with pytest.raises(ValidationError) as caught:
        evidence_add(actor=lead, response_id=response.pk, title=" ", link="https://example.org")
    assert list(field_errors(caught.value)) == ["title"]


def test_a_file_is_kept_under_a_random_name(lead, response, private_storage):
    evidence = evidence_add(
        actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="minutes-sam-jones.pdf")
    )
    assert evidence.file_kind == "pdf"
    assert evidence.file.name.startswith("evidence/") and evidence.file.name.endswith(".pdf")
    assert "minutes" not in evidence.file.name
    assert (private_storage / evidence.file.name).read_bytes() == PDF


def test_a_plain_byte_stream_is_taken_too(lead, response, private_storage):
    evidence = evidence_add(actor=lead, response_id=response.pk, title="Minutes", file=io.BytesIO(PDF))
    assert evidence.file_kind == "pdf"


def test_a_file_must_be_a_pdf_or_a_photo_by_its_content(lead, response, private_storage):
    with pytest.raises(ValidationError) as caught:
        evidence_add(
            actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(b"MZ\x90\x00", name="minutes.pdf")
        )
    assert list(field_errors(caught.value)) == ["file"]
    assert not ResponseEvidence.objects.exists() and not any(private_storage.rglob("*.*"))


def test_a_file_must_be_at_most_25_mb(lead, response, private_storage, monkeypatch):
    assert feedback.MAX_FILE_BYTES == 25 * 1024 * 1024
    monkeypatch.setattr(feedback, "MAX_FILE_BYTES", len(PDF) - 1)
    with pytest.raises(ValidationError) as caught:
        evidence_add(actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="m.pdf"))
    assert "smaller than" in field_errors(caught.value)["file"][0]


def test_removing_evidence_deletes_its_file_after_commit_and_is_audited(
    lead, response, private_storage, django_capture_on_commit_callbacks
):
    evidence = evidence_add(actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="m.pdf"))
    stored = private_storage / evidence.file.name
    entries_before = TimelineEntry.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        evidence_remove(actor=lead, evidence_id=evidence.pk)
    assert not ResponseEvidence.objects.exists() and not stored.exists()
    assert TimelineEntry.objects.count() == entries_before
    assert AuditEvent.objects.get(event_type="response.evidence_removed").payload["evidence"] == evidence.pk


def test_another_partnerships_evidence_is_not_found(lead, other_partnership):
    theirs = ResponseEvidence.objects.create(
        partnership=other_partnership,
        response=RecommendationResponseFactory(recommendation__engagement__partnership=other_partnership),
        title="Theirs",
        link="https://example.org",
    )
    with pytest.raises(Http404):
        evidence_remove(actor=lead, evidence_id=theirs.pk)
    assert ResponseEvidence.objects.filter(pk=theirs.pk).exists()


class RolledBack(Exception):
    pass


def test_evidence_left_by_a_rolled_back_transaction_is_swept_after_an_hour_and_named_files_are_kept(
    lead, response, private_storage
):
    """The file is saved before its row; when the caller's transaction rolls back after evidence_add returned, the
    row is gone and the file stays, with a young person's data no record reaches (core/files.py)."""
    from core.files import GRACE, unreferenced_files_sweep
    from tests.core.test_files import age

    kept = evidence_add(actor=lead, response_id=response.pk, title="Minutes", file=ContentFile(PDF, name="m.pdf"))
    with pytest.raises(RolledBack), transaction.atomic():
        lost = evidence_add(actor=lead, response_id=response.pk, title="Notes", file=ContentFile(PDF, name="n.pdf"))
        raise RolledBack  # the caller's transaction fails after the service returned
    assert list(ResponseEvidence.objects.values_list("pk", flat=True)) == [kept.pk]
    orphan = private_storage / lost.file.name
    assert orphan.exists()  # what the sweep is for

    # Younger than an hour: its transaction might still be open, so it stays.
    assert unreferenced_files_sweep(now=timezone.now()) == []
    assert orphan.exists()

    age(orphan, GRACE + datetime.timedelta(minutes=1))
    age(private_storage / kept.file.name, datetime.timedelta(days=400))
    assert unreferenced_files_sweep(now=timezone.now()) == [lost.file.name]
    assert not orphan.exists()
    assert (private_storage / kept.file.name).read_bytes() == PDF
