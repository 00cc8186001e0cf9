"""Outputs: who may be named as making one, the media consent each contributor needs, links and files, hiding and
showing again, and what a withdrawn media consent does (flags and hides, tells the staff who hold it)."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.http import Http404
from django.utils import timezone

from core.models import AuditEvent
from core.tenancy import act_in
from engagements.models import Attendance, Engagement, Output
from engagements.selectors.outputs import output_get_for_actor, outputs_visible_to, own_outputs
from engagements.services.outputs import (
    MAX_FILE_BYTES,
    output_create,
    output_hide,
    output_restore,
    output_update,
    outputs_flag_for_withdrawn_consent,
)
from participants.models import Role, YoungPersonProfile
from participants.models.profile import birthday_in
from safeguarding.models import Consent, ConsentType
from safeguarding.services.consent import (
    WITHDRAW,
    consent_token_make,
    consent_withdraw,
    consent_withdraw_by_link,
)
from tests.factories import MembershipFactory
from tests.factories.engagements import AttendanceFactory
from tests.factories.safeguarding import ConsentFactory, EngagementFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


# --- Helpers (the pages and API tests import these) ---------------------------------------------------------------


def born(age: int) -> datetime.date:
    """A date of birth that makes someone `age` today, their birthday 30 days ago."""
    last = timezone.localdate() - datetime.timedelta(days=30)
    return birthday_in(last, last.year - age)


def young(partnership, *, age: int | None = 17, media: bool = True, by_parent: bool = False):
    """A young person (membership) of `partnership` with a date of birth and, by default, media consent given."""
    membership = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON])
    if age is not None:
        YoungPersonProfile.objects.create(membership=membership, partnership=partnership, date_of_birth=born(age))
    if media:
        media_consent(membership, by_parent=by_parent)
    act_in(membership.user, partnership)
    return membership


def media_consent(membership, *, by_parent: bool = False, status: str = Consent.Status.GIVEN, **extra):
    fields = {"given_by_name": "Grace Okafor", "relationship": "Mother"} if by_parent else {}
    fields.setdefault("given_at", timezone.now() - datetime.timedelta(minutes=5))
    return ConsentFactory(membership=membership, consent_type=ConsentType.MEDIA, status=status, **{**fields, **extra})


def engagement_with(partnership, *people, **fields) -> Engagement:
    engagement = EngagementFactory(partnership=partnership, status=Engagement.Status.COMPLETED, **fields)
    engagement.attendees.add(*people)
    return engagement


def make_output(worker, engagement, people, **fields) -> Output:
    values = {"title": "Our film about online safety", "kind": Output.Kind.FILM}
    values.update(fields)
    return output_create(actor=worker, engagement_id=engagement.pk, contributor_ids=[p.pk for p in people], **values)


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


def refusal(callable_, **kwargs):
    from core.exceptions import ApplicationError

    with pytest.raises(ApplicationError) as caught:
        callable_(**kwargs)
    return caught.value


# --- Creating an output --------------------------------------------------------------------------------------------


def test_an_output_rests_on_each_contributors_media_consent_and_is_audited(partnership, worker):
    sam, ada = young(partnership), young(partnership, age=15, by_parent=True)
    engagement = engagement_with(partnership, sam, ada)
    output = make_output(worker, engagement, [sam, ada], summary="  What we found  ", link="https://example.org/film")
    assert set(output.contributors.all()) == {sam, ada}
    assert set(output.consents.all()) == set(Consent.objects.filter(consent_type=ConsentType.MEDIA))
    assert (output.summary, output.created_by, output.is_hidden) == ("What we found", worker, False)
    event = AuditEvent.objects.get(event_type="output.created")
    assert event.actor == worker and sorted(event.payload["contributors"]) == sorted([sam.pk, ada.pk])


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD, Role.FINANCE_OFFICER, Role.YOUNG_PERSON])
def test_only_organisers_add_outputs(partnership, member, role):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    with pytest.raises(PermissionDenied):
        make_output(member(role), engagement, [sam])
    assert not Output.objects.exists()


def test_a_partnership_admin_may_add_an_output(partnership, member):
    sam = young(partnership)
    make_output(member(Role.PARTNERSHIP_ADMIN), engagement_with(partnership, sam), [sam])
    assert Output.objects.count() == 1


def test_at_least_one_contributor_is_needed(partnership, worker):
    engagement = engagement_with(partnership, young(partnership))
    error = refusal(make_output, worker=worker, engagement=engagement, people=[])
    assert error.extra["field"] == "contributor_ids"
    assert "at least one" in error.message


def test_a_contributor_must_have_been_confirmed_or_attended(partnership, worker):
    on_it, not_on_it = young(partnership), young(partnership)
    engagement = engagement_with(partnership, on_it)
    error = refusal(make_output, worker=worker, engagement=engagement, people=[on_it, not_on_it])
    assert error.extra["field"] == "contributor_ids"
    assert "confirmed for or attended" in error.message
    assert not Output.objects.exists()


def test_someone_whose_attendance_was_marked_may_be_a_contributor_but_not_someone_absent(partnership, worker):
    came, absent = young(partnership), young(partnership)
    engagement = engagement_with(partnership)
    AttendanceFactory(engagement=engagement, membership=came, status=Attendance.Status.LEFT_EARLY)
    AttendanceFactory(engagement=engagement, membership=absent, status=Attendance.Status.ABSENT)
    assert list(make_output(worker, engagement, [came]).contributors.all()) == [came]
    refusal(make_output, worker=worker, engagement=engagement, people=[absent])


def test_a_staff_member_cannot_be_named_as_a_contributor(partnership, worker, member):
    staff = member(Role.PARTICIPATION_WORKER).membership
    engagement = engagement_with(partnership, staff)
    refusal(make_output, worker=worker, engagement=engagement, people=[staff])


def test_another_partnerships_engagement_is_a_404(partnership, other_partnership, worker):
    theirs = young(other_partnership)
    engagement = engagement_with(other_partnership, theirs)
    with pytest.raises(Http404):
        make_output(worker, engagement, [theirs])


def test_a_cancelled_engagement_has_no_outputs(partnership, worker):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    Engagement.objects.filter(pk=engagement.pk).update(status=Engagement.Status.CANCELLED)
    assert "cancelled" in refusal(make_output, worker=worker, engagement=engagement, people=[sam]).message


@pytest.mark.parametrize(
    ("link", "ok"),
    [
        ("https://www.youtube.com/watch?v=abc", True),
        ("http://www.example.org/film", False),
        ("javascript:alert(1)", False),
        ("www.example.org", False),
        ("", True),
    ],
)
def test_a_link_must_be_an_https_address(partnership, worker, link, ok):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    if ok:
        assert make_output(worker, engagement, [sam], link=link).link == link
    else:
        assert refusal(make_output, worker=worker, engagement=engagement, people=[sam], link=link).extra == {
            "field": "link"
        }


def test_a_title_and_a_known_kind_are_needed(partnership, worker):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    assert (
        refusal(make_output, worker=worker, engagement=engagement, people=[sam], title="  ").extra["field"] == "title"
    )
    assert (
        refusal(make_output, worker=worker, engagement=engagement, people=[sam], kind="mural").extra["field"] == "kind"
    )


def test_a_pdf_or_image_is_stored_under_a_random_name(partnership, worker, private_storage):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    output = make_output(worker, engagement, [sam], file=ContentFile(PDF, name="Sam Jones film notes.pdf"))
    assert output.file.name.endswith(".pdf") and "Sam" not in output.file.name
    image = make_output(worker, engagement, [sam], file=ContentFile(PNG, name="poster.png"))
    assert image.file.name.endswith(".png")


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"MZ\x90\x00 a program renamed", "photo (JPG or PNG) or a PDF"),
        (b"", "empty"),
    ],
)
def test_a_file_that_is_not_a_pdf_or_image_is_refused(partnership, worker, private_storage, content, words):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    error = refusal(make_output, worker=worker, engagement=engagement, people=[sam], file=ContentFile(content, "x.pdf"))
    assert error.extra["field"] == "file" and words in error.message
    assert not Output.objects.exists()


def test_a_file_over_25_mb_is_refused_and_25_mb_is_allowed(partnership, worker, private_storage):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    exactly = PDF + b"\x00" * (MAX_FILE_BYTES - len(PDF))
    assert make_output(worker, engagement, [sam], file=ContentFile(exactly, "a.pdf")).file
    error = refusal(
        make_output, worker=worker, engagement=engagement, people=[sam], file=ContentFile(exactly + b"\x00", "b.pdf")
    )
    assert error.extra["field"] == "file" and "25 MB" in error.message


# --- Media consent --------------------------------------------------------------------------------------------


def _refused_for(partnership, worker, person):
    engagement = engagement_with(partnership, person)
    error = refusal(make_output, worker=worker, engagement=engagement, people=[person])
    assert error.extra["field"] == "contributor_ids"
    assert person.user.full_name in error.message
    assert error.extra["people"][0]["membership_id"] == person.pk
    assert not Output.objects.exists()
    return error.message


def test_a_contributor_without_media_consent_is_refused_by_name(partnership, worker):
    assert "no media consent" in _refused_for(partnership, worker, young(partnership, media=False))


def test_a_contributor_who_said_no_is_refused(partnership, worker):
    person = young(partnership, media=False)
    media_consent(person, status=Consent.Status.REFUSED)
    assert "said no" in _refused_for(partnership, worker, person)


def test_a_contributor_whose_media_consent_was_withdrawn_is_refused(partnership, worker):
    person = young(partnership)
    consent_withdraw(actor=person.user, consent_id=Consent.objects.get(membership=person).pk)
    assert "withdrawn" in _refused_for(partnership, worker, person)


def test_an_expired_media_consent_does_not_count(partnership, worker):
    person = young(partnership, media=False)
    media_consent(person, expires_on=timezone.localdate() - datetime.timedelta(days=1))
    assert "expired" in _refused_for(partnership, worker, person)


def test_an_under_16_needs_a_parent_or_carers_media_consent(partnership, worker):
    own_only = young(partnership, age=14)
    assert "under 16" in _refused_for(partnership, worker, own_only)
    with_parent = young(partnership, age=14, by_parent=True)
    assert make_output(worker, engagement_with(partnership, with_parent), [with_parent])


def test_a_parents_media_consent_stops_counting_at_18(partnership, worker):
    person = young(partnership, age=18, media=False)
    media_consent(person, by_parent=True, given_at=timezone.now() - datetime.timedelta(days=400))
    assert "stopped counting when they turned 18" in _refused_for(partnership, worker, person)


def test_media_consent_given_before_turning_16_is_asked_again(partnership, worker):
    person = young(partnership, age=16, media=False)
    media_consent(person, by_parent=True, given_at=timezone.now() - datetime.timedelta(days=200))
    assert "before they turned 16" in _refused_for(partnership, worker, person)


def test_no_date_of_birth_means_no_answer(partnership, worker):
    assert "no date of birth" in _refused_for(partnership, worker, young(partnership, age=None))


def test_every_refused_contributor_is_named_at_once(partnership, worker):
    fine, missing, refused = young(partnership), young(partnership, media=False), young(partnership, media=False)
    media_consent(refused, status=Consent.Status.REFUSED)
    engagement = engagement_with(partnership, fine, missing, refused)
    error = refusal(make_output, worker=worker, engagement=engagement, people=[fine, missing, refused])
    assert missing.user.full_name in error.message and refused.user.full_name in error.message
    assert fine.user.full_name not in error.message
    assert {row["membership_id"] for row in error.extra["people"]} == {missing.pk, refused.pk}


# --- Changing, hiding and showing again ---------------------------------------------------------------------------


def test_changing_an_output_is_audited_and_new_contributors_are_checked(partnership, worker):
    sam, ada, no_consent = young(partnership), young(partnership), young(partnership, media=False)
    engagement = engagement_with(partnership, sam, ada, no_consent)
    output = make_output(worker, engagement, [sam])
    output_update(actor=worker, output_id=output.pk, title="A new title", summary="More words")
    event = AuditEvent.objects.filter(event_type="output.updated").get()
    assert event.payload["fields"] == ["title", "summary"]
    error = refusal(output_update, actor=worker, output_id=output.pk, contributor_ids=[sam.pk, no_consent.pk])
    assert no_consent.user.full_name in error.message
    output_update(actor=worker, output_id=output.pk, contributor_ids=[sam.pk, ada.pk])
    output.refresh_from_db()
    assert set(output.contributors.all()) == {sam, ada}
    assert set(output.consents.values_list("membership_id", flat=True)) == {sam.pk, ada.pk}


def test_changing_only_the_title_of_a_flagged_output_keeps_it_hidden(partnership, worker):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    consent_withdraw(actor=sam.user, consent_id=output.consents.get().pk)
    output_update(actor=worker, output_id=output.pk, title="Renamed")
    output.refresh_from_db()
    assert output.title == "Renamed" and output.is_hidden and output.flagged_at


def test_hiding_needs_a_reason_and_hides_it_from_young_people(partnership, worker):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    assert refusal(output_hide, actor=worker, output_id=output.pk, reason=" ").extra["field"] == "reason"
    output_hide(actor=worker, output_id=output.pk, reason="Wrong version uploaded")
    assert Output.objects.get().is_hidden
    assert AuditEvent.objects.get(event_type="output.hidden").payload == {"reason": "Wrong version uploaded"}
    assert not own_outputs(sam.user).exists()
    with pytest.raises(Http404):
        output_get_for_actor(sam.user, output.pk)
    assert "already hidden" in refusal(output_hide, actor=worker, output_id=output.pk, reason="again").message


def test_showing_again_needs_everyones_media_consent_and_rests_on_the_new_consents(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam, ada])
    old = Consent.objects.get(membership=sam)
    consent_withdraw(actor=sam.user, consent_id=old.pk)
    output.refresh_from_db()
    assert output.is_hidden and output.flagged_at

    error = refusal(output_restore, actor=worker, output_id=output.pk)
    assert sam.user.full_name in error.message and "withdrawn" in error.message
    assert Output.objects.get().is_hidden

    new = media_consent(sam)
    Consent.objects.filter(pk=new.pk).update(given_at=timezone.now())  # after the withdrawal
    output_restore(actor=worker, output_id=output.pk)
    output.refresh_from_db()
    assert (output.is_hidden, output.flagged_at, output.flag_reason) == (False, None, "")
    assert new in output.consents.all() and old not in output.consents.all()
    event = AuditEvent.objects.get(event_type="output.restored")
    assert event.payload["was_flagged"] is True


def test_a_worker_can_take_someone_off_a_flagged_output_and_then_show_it_again(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam, ada])
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    output_update(actor=worker, output_id=output.pk, contributor_ids=[ada.pk])
    output_restore(actor=worker, output_id=output.pk)
    output.refresh_from_db()
    assert not output.is_hidden and list(output.contributors.all()) == [ada]
    assert list(output.consents.values_list("membership_id", flat=True)) == [ada.pk]


def test_showing_an_output_that_is_not_hidden_is_refused(partnership, worker):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    assert "not hidden" in refusal(output_restore, actor=worker, output_id=output.pk).message


@pytest.mark.parametrize("role", [Role.SAFEGUARDING_LEAD, Role.YOUNG_PERSON])
def test_only_organisers_hide_and_show_again(partnership, worker, member, role):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    with pytest.raises(PermissionDenied):
        output_hide(actor=member(role), output_id=output.pk, reason="No")
    output_hide(actor=worker, output_id=output.pk, reason="Checking")
    with pytest.raises(PermissionDenied):
        output_restore(actor=member(role), output_id=output.pk)


def test_another_partnerships_output_cannot_be_changed(partnership, other_partnership, worker, member):
    theirs = young(other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    output = make_output(their_worker, engagement_with(other_partnership, theirs), [theirs])
    for service, extra in ((output_hide, {"reason": "x"}), (output_restore, {}), (output_update, {"title": "x"})):
        with pytest.raises(Http404):
            service(actor=worker, output_id=output.pk, **extra)


# --- Media consent withdrawn ----------------------------------------------------------------------------------


def test_withdrawing_media_consent_flags_and_hides_the_outputs_and_tells_who_holds_them(
    partnership, member, django_capture_on_commit_callbacks
):
    worker, lead = member(Role.PARTICIPATION_WORKER), member(Role.PARTICIPATION_WORKER)
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada, staff_lead=lead)
    film = make_output(worker, engagement, [sam, ada], title="The film")
    poem = make_output(worker, engagement, [ada], title="Ada's poem")
    consent = Consent.objects.get(membership=sam)

    with django_capture_on_commit_callbacks(execute=True):
        consent_withdraw(actor=sam.user, consent_id=consent.pk, reason="I have a private reason")

    film.refresh_from_db()
    poem.refresh_from_db()
    assert film.is_hidden and film.flagged_at is not None
    assert film.flag_reason == (
        f"Media consent for {sam.user.full_name} withdrawn by {sam.user.full_name} on {timezone.localdate():%-d %B %Y}"
    )
    assert not poem.is_hidden and poem.flagged_at is None
    flagged = AuditEvent.objects.get(event_type="output.flagged")
    assert (flagged.subject_id, flagged.actor, flagged.payload["consent"]) == (str(film.pk), sam.user, consent.pk)
    assert film not in outputs_visible_to(ada.user)

    about = [m for m in mail.outbox if "Output hidden" in m.subject]
    assert sorted(m.to[0] for m in about) == sorted([worker.email, lead.email])
    body = about[0].body
    assert "The film" in body and f"/staff/outputs/{film.pk}/" in body
    assert "Ada's poem" not in body
    assert "private reason" not in body and sam.user.full_name not in body  # no more personal data than needed


def test_an_output_resting_on_the_consent_is_flagged_even_if_they_were_taken_off_it(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam, ada])
    output.contributors.remove(sam)  # the consent it rested on is still recorded
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    assert Output.objects.get().is_hidden


def test_withdrawing_another_kind_of_consent_does_not_flag_outputs(partnership, worker):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    taking_part = ConsentFactory(membership=sam, consent_type=ConsentType.TAKING_PART)
    consent_withdraw(actor=sam.user, consent_id=taking_part.pk)
    output.refresh_from_db()
    assert not output.is_hidden and output.flagged_at is None
    assert not AuditEvent.objects.filter(event_type="output.flagged").exists()
    assert outputs_flag_for_withdrawn_consent(consent=taking_part, actor=None) == []


def test_withdrawing_media_consent_with_no_outputs_still_works(partnership, member, django_capture_on_commit_callbacks):
    member(Role.PARTICIPATION_WORKER)
    sam = young(partnership)
    with django_capture_on_commit_callbacks(execute=True):
        consent = consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    assert consent.status == Consent.Status.WITHDRAWN
    assert [m.subject for m in mail.outbox] == [f"Media consent withdrawn: {sam.user.full_name}"]


def test_a_parent_withdrawing_by_link_flags_the_outputs(partnership, worker):
    ada = young(partnership, age=14, by_parent=True)
    output = make_output(worker, engagement_with(partnership, ada), [ada])
    consent_withdraw_by_link(token=consent_token_make(WITHDRAW, output.consents.get().pk))
    output.refresh_from_db()
    assert output.is_hidden
    assert "withdrawn by a parent or carer" in output.flag_reason
    assert "Grace Okafor" not in output.flag_reason


def test_a_worker_withdrawing_is_named_in_the_flag(partnership, worker):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    consent_withdraw(actor=worker, consent_id=output.consents.get().pk, reason="Phoned to say stop")
    output.refresh_from_db()
    assert f"withdrawn by {worker.full_name}" in output.flag_reason


def test_a_second_withdrawal_adds_to_the_flag(partnership, worker):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam, ada])
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    consent_withdraw(actor=ada.user, consent_id=Consent.objects.get(membership=ada).pk)
    output.refresh_from_db()
    assert sam.user.full_name in output.flag_reason and ada.user.full_name in output.flag_reason


# --- Who sees what --------------------------------------------------------------------------------------------


def test_staff_see_hidden_outputs_and_young_people_only_their_own_shown_ones(partnership, worker, member):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    shown = make_output(worker, engagement, [sam], title="Shown")
    hidden = make_output(worker, engagement, [sam], title="Hidden")
    theirs = make_output(worker, engagement, [ada], title="Ada's")
    output_hide(actor=worker, output_id=hidden.pk, reason="Checking")
    for role in (Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN):
        assert set(outputs_visible_to(member(role))) == {shown, hidden, theirs}
    assert set(outputs_visible_to(worker, include_hidden=False)) == {shown, theirs}
    assert list(outputs_visible_to(sam.user)) == [shown]
    assert list(outputs_visible_to(sam.user, include_hidden=True)) == [shown]
    assert list(own_outputs(sam.user)) == [shown]
    with pytest.raises(Http404):
        output_get_for_actor(sam.user, theirs.pk)  # not a contributor
    with pytest.raises(Http404):
        output_get_for_actor(sam.user, hidden.pk)
    with pytest.raises(PermissionDenied):
        outputs_visible_to(member(Role.FINANCE_OFFICER))


def test_another_partnerships_output_is_a_404(partnership, other_partnership, worker, member):
    theirs = young(other_partnership)
    their_worker = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    output = make_output(their_worker, engagement_with(other_partnership, theirs), [theirs])
    assert not outputs_visible_to(worker).exists()
    with pytest.raises(Http404):
        output_get_for_actor(worker, output.pk)


@pytest.mark.django_db(transaction=True)
def test_a_withdrawal_while_an_output_is_being_saved_still_flags_it(partnership):
    """The output's write locks the contributors' media consents, so a withdrawal at the same moment waits for it
    and then finds (and hides) the new output; it is never left resting on a withdrawn consent."""
    import threading
    import time

    from django.db import close_old_connections, connection, transaction

    if connection.vendor != "postgresql":
        from tests.conftest import require_service

        require_service("PostgreSQL", "row locks between two connections are what this test is about")
    worker = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER]).user
    act_in(worker, partnership)
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    consent = Consent.objects.get(membership=sam)
    done: list[str] = []

    def withdraw() -> None:
        try:
            act_in(sam.user, partnership)
            consent_withdraw(actor=sam.user, consent_id=consent.pk)
            done.append("withdrawn")
        finally:
            close_old_connections()
            connection.close()

    with transaction.atomic():
        output = make_output(worker, engagement, [sam])
        thread = threading.Thread(target=withdraw)
        thread.start()
        time.sleep(0.5)  # the withdrawal is now waiting for the consent this write locked
        assert done == []
    thread.join(timeout=30)
    assert done == ["withdrawn"]
    output.refresh_from_db()
    assert output.is_hidden and output.flagged_at is not None
