"""Opportunities: the rules of creating, changing, publishing, cancelling and completing an engagement, the
defaults per type of opportunity (and their briefing pack), calendar feed addresses, and what the selectors let
each person see."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.utils import timezone

from core.exceptions import ApplicationError
from core.models import AuditEvent
from engagements.models import (
    CalendarFeed,
    Engagement,
    Interest,
    OpportunityType,
    OpportunityTypeSetting,
    PayBasis,
    Section11Standard,
)
from engagements.selectors.opportunities import (
    briefing_pack_for_actor,
    engagements_visible_to,
    next_engagement_for_young_person,
    opportunities_for_young_person,
    opportunity_get_for_young_person,
    opportunity_types_for_actor,
)
from engagements.services.opportunities import (
    calendar_feed_get_or_create,
    calendar_feed_reset,
    engagement_cancel,
    engagement_complete,
    engagement_create,
    engagement_publish,
    engagement_update,
    opportunity_type_setting_save,
)
from participants.models import Membership, Role, TrainingModule
from safeguarding.models import RiskAssessmentTemplate
from tests.factories.engagements import InterestFactory, OpportunityFactory, OpportunityTypeSettingFactory
from tests.factories.safeguarding import EngagementFactory, StaffCheckFactory

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
S11 = OpportunityType.SECTION_11_PANEL
Status = Engagement.Status


# --- Helpers (other opportunity test modules import these) ------------------------------------------------------


def when(days_from_now, hours=2):
    starts = (timezone.now() + datetime.timedelta(days=days_from_now)).replace(second=0, microsecond=0)
    return starts, starts + datetime.timedelta(hours=hours)


def with_check(user):
    """Give a member of staff a current enhanced DBS check, so they can be a staff lead."""
    issued_on = timezone.localdate() - datetime.timedelta(days=100)
    StaffCheckFactory(
        membership=user.membership,
        partnership=user.membership.partnership,
        issued_on=issued_on,
        renewal_due_on=issued_on + datetime.timedelta(days=3 * 365),
    )
    return user


def confirm(engagement, user):
    """A confirmed place, as the selection services record it: a CONFIRMED interest and the confirmed set."""
    membership = user.membership if hasattr(user, "membership") and not isinstance(user, Membership) else user
    InterestFactory(
        engagement=engagement,
        membership=membership,
        partnership=engagement.partnership,
        status=Interest.Status.CONFIRMED,
    )
    engagement.attendees.add(membership)
    return membership


def basic(**overrides):
    starts, ends = when(10)
    values = {
        "title": "Focus group: feeling safe online",
        "opportunity_type": OpportunityType.FOCUS_GROUP,
        "starts_at": starts,
        "ends_at": ends,
        "location": "Youth centre, Northtown",
    }
    return {**values, **overrides}


@pytest.fixture
def worker(member):
    return with_check(member(Role.PARTICIPATION_WORKER))


def published(partnership, lead=None, **kwargs):
    """A published opportunity (a focus group unless told otherwise: a section 11 panel needs its agencies)."""
    kwargs.setdefault("opportunity_type", OpportunityType.FOCUS_GROUP)
    return OpportunityFactory(partnership=partnership, staff_lead=lead, **kwargs)


# --- Creating -----------------------------------------------------------------------------------------------------


def test_the_old_call_still_works_and_records_who_created_it(worker):
    engagement = engagement_create(actor=worker, **basic(), is_online=False, is_filmed=False, staff_lead_id=worker.pk)
    assert engagement.status == Status.DRAFT
    assert engagement.created_by == worker
    assert engagement.staff_lead == worker
    assert AuditEvent.objects.filter(event_type="engagement.created", subject_id=str(engagement.pk)).exists()


def test_unset_pay_filming_and_preparation_come_from_the_types_settings(worker, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership,
        opportunity_type=OpportunityType.FOCUS_GROUP,
        pay_basis=PayBasis.SESSION,
        pay_note="£40 for the session",
        is_filmed=True,
        preparation_minutes=45,
    )
    engagement = engagement_create(actor=worker, **basic())
    assert (engagement.pay_basis, engagement.pay_note, engagement.is_filmed, engagement.preparation_minutes) == (
        PayBasis.SESSION,
        "£40 for the session",
        True,
        45,
    )
    given = engagement_create(
        actor=worker, **basic(), pay_basis=PayBasis.HOURLY, pay_note="", is_filmed=False, preparation_minutes=0
    )
    assert (given.pay_basis, given.pay_note, given.is_filmed, given.preparation_minutes) == (
        PayBasis.HOURLY,
        "",
        False,
        0,
    )


def test_without_settings_the_built_in_defaults_apply(worker):
    film = engagement_create(actor=worker, **basic(opportunity_type=OpportunityType.MEDIA_PRODUCTION))
    assert film.is_filmed is True
    group = engagement_create(actor=worker, **basic())
    assert (group.is_filmed, group.pay_basis, group.preparation_minutes) == (False, PayBasis.HOURLY, 0)


def test_another_partnerships_settings_are_not_used(worker, other_partnership):
    OpportunityTypeSettingFactory(
        partnership=other_partnership, opportunity_type=OpportunityType.FOCUS_GROUP, preparation_minutes=90
    )
    assert engagement_create(actor=worker, **basic()).preparation_minutes == 0


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"opportunity_type": "party"}, "opportunity_type"),
        ({"location": "", "is_online": False}, "location"),
        ({"location": "", "is_online": True}, "online_link"),
        ({"is_online": True, "online_link": "http://meet.example.org/abc"}, "online_link"),
        ({"is_online": True, "online_link": "meet.example.org/abc"}, "online_link"),
        ({"places": 0}, "places"),
        ({"preparation_minutes": -5}, "preparation_minutes"),
        ({"pay_basis": "piecework"}, "pay_basis"),
        ({"agencies_under_review": ["North Shire Police"]}, "agencies_under_review"),
        ({"section_11_standards": [Section11Standard.TRAINING]}, "section_11_standards"),
        ({"opportunity_type": S11, "agencies_under_review": ["Police", " "]}, "agencies_under_review"),
        ({"opportunity_type": S11, "section_11_standards": ["bravery"]}, "section_11_standards"),
        ({"title": "x" * 201}, "title"),
    ],
)
def test_bad_input_is_refused_naming_the_field(worker, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        engagement_create(actor=worker, **basic(**overrides))
    assert refused.value.extra["field"] == field
    assert not Engagement.objects.exists()


def test_an_online_engagement_keeps_its_https_link(worker):
    engagement = engagement_create(
        actor=worker, **basic(location="", is_online=True, online_link=" https://meet.example.org/abc ")
    )
    assert engagement.online_link == "https://meet.example.org/abc"


def test_section_11_agencies_are_tidied_and_standards_kept_in_order(worker):
    engagement = engagement_create(
        actor=worker,
        **basic(opportunity_type=S11),
        agencies_under_review=[" North Shire Police ", "north shire police", "NHS North Shire"],
        section_11_standards=[Section11Standard.TRAINING, Section11Standard.LEADERSHIP],
    )
    assert engagement.agencies_under_review == ["North Shire Police", "NHS North Shire"]
    assert engagement.section_11_standards == [Section11Standard.LEADERSHIP, Section11Standard.TRAINING]


def test_the_scrutiny_lead_must_be_an_active_scrutiny_lead_of_the_partnership(worker, member, other_partnership):
    scrutiny = member(Role.SCRUTINY_LEAD)
    elsewhere = member(Role.SCRUTINY_LEAD, in_partnership=other_partnership)
    suspended = member(Role.SCRUTINY_LEAD)
    Membership.objects.filter(pk=suspended.membership.pk).update(status=Membership.Status.SUSPENDED)
    for wrong in (worker, elsewhere, suspended):
        with pytest.raises(ApplicationError) as refused:
            engagement_create(actor=worker, **basic(), scrutiny_lead_id=wrong.pk)
        assert refused.value.extra["field"] == "scrutiny_lead"
    assert engagement_create(actor=worker, **basic(), scrutiny_lead_id=scrutiny.pk).scrutiny_lead == scrutiny


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD, Role.SCRUTINY_LEAD])
def test_only_organisers_create_engagements(member, role):
    with pytest.raises(PermissionDenied):
        engagement_create(actor=member(role), **basic())


# --- Publishing ---------------------------------------------------------------------------------------------------


def test_publishing_sets_the_time_and_records_the_change(worker):
    engagement = engagement_create(actor=worker, **basic(), staff_lead_id=worker.pk)
    engagement_publish(actor=worker, engagement_id=engagement.pk)
    engagement.refresh_from_db()
    assert engagement.status == Status.PUBLISHED
    assert engagement.published_at is not None
    event = AuditEvent.objects.get(event_type="engagement.status_changed", subject_id=str(engagement.pk))
    assert event.payload == {"from": "draft", "to": "published"}
    with pytest.raises(ApplicationError):
        engagement_publish(actor=worker, engagement_id=engagement.pk)


def test_publishing_needs_a_staff_lead(worker):
    engagement = engagement_create(actor=worker, **basic())
    with pytest.raises(ApplicationError) as refused:
        engagement_publish(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "staff_lead"
    engagement.refresh_from_db()
    assert engagement.status == Status.DRAFT and engagement.published_at is None


def test_an_engagement_that_has_started_cannot_be_published(worker, partnership):
    starts = timezone.now() - datetime.timedelta(minutes=1)
    engagement = EngagementFactory(
        partnership=partnership,
        opportunity_type=OpportunityType.FOCUS_GROUP,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        staff_lead=worker,
    )
    with pytest.raises(ApplicationError) as refused:
        engagement_publish(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "starts_at"


def test_a_section_11_panel_needs_agencies_and_standards_to_be_published(worker):
    engagement = engagement_create(actor=worker, **basic(opportunity_type=S11), staff_lead_id=worker.pk)
    with pytest.raises(ApplicationError) as refused:
        engagement_publish(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "agencies_under_review"
    engagement_update(actor=worker, engagement_id=engagement.pk, agencies_under_review=["North Shire Police"])
    with pytest.raises(ApplicationError) as refused:
        engagement_publish(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "section_11_standards"
    engagement_update(
        actor=worker, engagement_id=engagement.pk, section_11_standards=[Section11Standard.INFORMATION_SHARING]
    )
    assert engagement_publish(actor=worker, engagement_id=engagement.pk).status == Status.PUBLISHED


def test_publishing_checks_the_staff_leads_dbs_again(worker, partnership):
    engagement = engagement_create(actor=worker, **basic(), staff_lead_id=worker.pk)
    worker.membership.staff_checks.update(renewal_due_on=timezone.localdate())
    with pytest.raises(ApplicationError) as refused:
        engagement_publish(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "staff_lead"


def test_another_partnerships_engagement_is_a_404_for_every_transition(worker, other_partnership):
    theirs = published(other_partnership)
    for call in (
        lambda: engagement_publish(actor=worker, engagement_id=theirs.pk),
        lambda: engagement_cancel(actor=worker, engagement_id=theirs.pk, reason="x"),
        lambda: engagement_complete(actor=worker, engagement_id=theirs.pk),
        lambda: engagement_update(actor=worker, engagement_id=theirs.pk, title="Mine now"),
    ):
        with pytest.raises(Http404):
            call()
    theirs.refresh_from_db()
    assert theirs.status == Status.PUBLISHED and theirs.title != "Mine now"


# --- Changing -----------------------------------------------------------------------------------------------------


def test_a_change_is_saved_and_recorded_with_the_fields_changed(worker):
    engagement = engagement_create(actor=worker, **basic())
    engagement_update(actor=worker, engagement_id=engagement.pk, title="New title", places=8, topic="Online safety")
    engagement.refresh_from_db()
    assert (engagement.title, engagement.places, engagement.topic) == ("New title", 8, "Online safety")
    event = AuditEvent.objects.get(event_type="engagement.updated")
    assert event.payload == {"fields": ["places", "title", "topic"]}


def test_nothing_changed_writes_nothing(worker):
    engagement = engagement_create(actor=worker, **basic())
    engagement_update(actor=worker, engagement_id=engagement.pk, title=engagement.title)
    assert not AuditEvent.objects.filter(event_type="engagement.updated").exists()


def test_times_and_type_cannot_change_once_someone_is_confirmed(worker, member, partnership):
    engagement = published(partnership, lead=worker)
    confirm(engagement, member(Role.YOUNG_PERSON))
    later = engagement.starts_at + datetime.timedelta(days=1)
    for change, field in (
        ({"starts_at": later, "ends_at": later + datetime.timedelta(hours=2)}, "starts_at"),
        ({"ends_at": engagement.ends_at + datetime.timedelta(minutes=30)}, "ends_at"),
        ({"opportunity_type": OpportunityType.DEEP_DIVE}, "opportunity_type"),
    ):
        with pytest.raises(ApplicationError) as refused:
            engagement_update(actor=worker, engagement_id=engagement.pk, **change)
        assert refused.value.extra["field"] == field
        assert "withdraw their places" in refused.value.message
    # The same times sent back (as a page's form does) are not a change.
    engagement_update(
        actor=worker,
        engagement_id=engagement.pk,
        starts_at=engagement.starts_at,
        ends_at=engagement.ends_at,
        title="Still on",
    )


def test_times_can_change_while_nobody_is_confirmed(worker, partnership):
    engagement = published(partnership, lead=worker)
    InterestFactory(engagement=engagement)  # interested, not confirmed
    later = engagement.starts_at + datetime.timedelta(days=1)
    engagement_update(
        actor=worker, engagement_id=engagement.pk, starts_at=later, ends_at=later + datetime.timedelta(hours=3)
    )
    engagement.refresh_from_db()
    assert engagement.starts_at == later


def test_places_cannot_go_below_those_confirmed(worker, member, partnership):
    engagement = published(partnership, lead=worker, places=4)
    confirm(engagement, member(Role.YOUNG_PERSON))
    confirm(engagement, member(Role.YOUNG_PERSON))
    with pytest.raises(ApplicationError) as refused:
        engagement_update(actor=worker, engagement_id=engagement.pk, places=1)
    assert refused.value.extra["field"] == "places"
    engagement_update(actor=worker, engagement_id=engagement.pk, places=2)
    engagement.refresh_from_db()
    assert engagement.places == 2


def test_filming_cannot_be_turned_on_once_someone_is_confirmed(worker, member, partnership):
    engagement = published(partnership, lead=worker, is_filmed=False)
    confirm(engagement, member(Role.YOUNG_PERSON))
    with pytest.raises(ApplicationError) as refused:
        engagement_update(actor=worker, engagement_id=engagement.pk, is_filmed=True)
    assert refused.value.extra["field"] == "is_filmed"


def test_a_published_engagement_keeps_a_staff_lead_and_a_future_start(worker, partnership):
    engagement = published(partnership, lead=worker)
    with pytest.raises(ApplicationError) as refused:
        engagement_update(actor=worker, engagement_id=engagement.pk, staff_lead_id=None)
    assert refused.value.extra["field"] == "staff_lead"
    past = timezone.now() - datetime.timedelta(hours=1)
    with pytest.raises(ApplicationError) as refused:
        engagement_update(
            actor=worker, engagement_id=engagement.pk, starts_at=past, ends_at=past + datetime.timedelta(hours=2)
        )
    assert refused.value.extra["field"] == "starts_at"


def test_a_published_engagement_under_way_can_still_be_corrected(worker, partnership):
    starts = timezone.now() - datetime.timedelta(minutes=30)
    engagement = published(partnership, lead=worker, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2))
    engagement_update(actor=worker, engagement_id=engagement.pk, location="Room 4, not room 3")
    engagement.refresh_from_db()
    assert engagement.location == "Room 4, not room 3"


def test_moving_the_dates_checks_the_staff_leads_dbs_on_the_new_dates(worker, partnership):
    engagement = published(partnership, lead=worker)
    worker.membership.staff_checks.update(renewal_due_on=timezone.localdate() + datetime.timedelta(days=30))
    later = timezone.now() + datetime.timedelta(days=40)
    with pytest.raises(ApplicationError) as refused:
        engagement_update(
            actor=worker, engagement_id=engagement.pk, starts_at=later, ends_at=later + datetime.timedelta(hours=2)
        )
    assert refused.value.extra["field"] == "staff_lead"


def test_cancelled_and_completed_engagements_cannot_be_changed(worker, partnership):
    for status in (Status.CANCELLED, Status.COMPLETED):
        engagement = published(partnership, lead=worker, status=status)
        with pytest.raises(ApplicationError) as refused:
            engagement_update(actor=worker, engagement_id=engagement.pk, title="Changed")
        assert refused.value.extra["field"] == "status"


def test_unknown_fields_are_a_programming_error(worker, partnership):
    engagement = published(partnership, lead=worker)
    with pytest.raises(TypeError):
        engagement_update(actor=worker, engagement_id=engagement.pk, status=Status.COMPLETED)


# --- Cancelling and completing ------------------------------------------------------------------------------------


def test_cancelling_needs_a_reason(worker, partnership):
    engagement = published(partnership, lead=worker)
    with pytest.raises(ApplicationError) as refused:
        engagement_cancel(actor=worker, engagement_id=engagement.pk, reason="   ")
    assert refused.value.extra["field"] == "reason"
    engagement.refresh_from_db()
    assert engagement.status == Status.PUBLISHED


def test_cancelling_emails_each_confirmed_young_person_and_the_staff_lead_after_commit(
    worker, member, partnership, django_capture_on_commit_callbacks
):
    lead = with_check(member(Role.PARTICIPATION_WORKER))
    engagement = published(partnership, lead=lead)
    going = [member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)]
    for person in going:
        confirm(engagement, person)
    waiting = InterestFactory(engagement=engagement, status=Interest.Status.WAITING)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        engagement_cancel(actor=worker, engagement_id=engagement.pk, reason="The venue flooded.")
    assert mail.outbox == []  # nothing is sent until the transaction commits
    for callback in callbacks:
        callback()
    recipients = sorted(message.to[0] for message in mail.outbox)
    assert recipients == sorted([going[0].email, going[1].email, lead.email])
    assert all(len(message.to) == 1 for message in mail.outbox)  # nobody sees who else was going
    young_email = next(m for m in mail.outbox if m.to == [going[0].email])
    assert "The venue flooded." in young_email.body
    assert going[1].full_name not in young_email.body
    engagement.refresh_from_db()
    assert engagement.status == Status.CANCELLED and engagement.cancelled_reason == "The venue flooded."
    waiting.refresh_from_db()
    assert waiting.status == Interest.Status.WAITING  # interests are left as they were
    assert Interest.objects.filter(engagement=engagement, status=Interest.Status.CONFIRMED).count() == 2


def test_the_staff_lead_is_not_emailed_about_their_own_cancellation(
    worker, partnership, django_capture_on_commit_callbacks
):
    engagement = published(partnership, lead=worker)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_cancel(actor=worker, engagement_id=engagement.pk, reason="Not needed.")
    assert mail.outbox == []


def test_a_completed_engagement_cannot_be_cancelled(worker, partnership):
    engagement = published(partnership, lead=worker, status=Status.COMPLETED)
    with pytest.raises(ApplicationError):
        engagement_cancel(actor=worker, engagement_id=engagement.pk, reason="Too late")


def test_completing_is_only_possible_once_it_has_ended(worker, partnership):
    engagement = published(partnership, lead=worker)
    with pytest.raises(ApplicationError) as refused:
        engagement_complete(actor=worker, engagement_id=engagement.pk)
    assert refused.value.extra["field"] == "status"
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert engagement_complete(actor=worker, engagement_id=engagement.pk).status == Status.COMPLETED


def test_a_draft_cannot_be_completed(worker, partnership):
    starts = timezone.now() - datetime.timedelta(days=2)
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=1)
    )
    with pytest.raises(ApplicationError):
        engagement_complete(actor=worker, engagement_id=engagement.pk)


# --- Defaults per type and briefing packs -------------------------------------------------------------------------


def setting_args(**overrides):
    values = {
        "opportunity_type": OpportunityType.DEEP_DIVE,
        "pay_basis": PayBasis.SESSION,
        "pay_note": "£50 for the day",
        "is_filmed": False,
        "preparation_minutes": 60,
        "briefing_notes": "You will read a few case summaries.",
    }
    return {**values, **overrides}


def test_saving_a_types_settings_creates_then_updates_one_row(worker, partnership):
    opportunity_type_setting_save(actor=worker, **setting_args())
    opportunity_type_setting_save(actor=worker, **setting_args(preparation_minutes=90))
    setting = OpportunityTypeSetting.objects.get(partnership=partnership)
    assert (setting.preparation_minutes, setting.updated_by) == (90, worker)
    assert list(
        AuditEvent.objects.filter(subject_id=str(setting.pk)).order_by("pk").values_list("event_type", flat=True)
    ) == [
        "opportunitytypesetting.created",
        "opportunitytypesetting.updated",
    ]


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.SAFEGUARDING_LEAD, Role.FINANCE_OFFICER])
def test_only_organisers_change_a_types_settings(member, role):
    with pytest.raises(PermissionDenied):
        opportunity_type_setting_save(actor=member(role), **setting_args())


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"opportunity_type": "party"}, "opportunity_type"),
        ({"pay_basis": "piecework"}, "pay_basis"),
        ({"preparation_minutes": -1}, "preparation_minutes"),
        ({"pay_note": "x" * 201}, "pay_note"),
        ({"pay_note": "£12 an hour\nBcc: someone@example.org"}, "pay_note"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(worker, overrides, field):
    with pytest.raises(ApplicationError) as refused:
        opportunity_type_setting_save(actor=worker, **setting_args(**overrides))
    assert refused.value.extra["field"] == field


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "must be a PDF"),
        (b"", "is empty"),
        (b"%PDF-" + b"0" * (10 * 1024 * 1024), "smaller than 10 MB"),
    ],
)
def test_a_briefing_pack_must_be_a_pdf_of_10_mb_or_less(worker, private_storage, content, message):
    upload = SimpleUploadedFile("pack.pdf", content, content_type="application/pdf")
    with pytest.raises(ApplicationError) as refused:
        opportunity_type_setting_save(actor=worker, **setting_args(), briefing_pack=upload)
    assert refused.value.extra["field"] == "briefing_pack"
    assert message in refused.value.message
    assert not OpportunityTypeSetting.objects.exists()


def test_a_new_briefing_pack_replaces_the_old_file_after_commit(
    worker, private_storage, django_capture_on_commit_callbacks
):
    first = SimpleUploadedFile("first.pdf", PDF, content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        setting = opportunity_type_setting_save(actor=worker, **setting_args(), briefing_pack=first)
    old_name = setting.briefing_pack.name
    assert setting.briefing_pack.storage.exists(old_name)
    second = SimpleUploadedFile("second.pdf", PDF + b"2", content_type="application/pdf")
    with django_capture_on_commit_callbacks(execute=True):
        setting = opportunity_type_setting_save(actor=worker, **setting_args(), briefing_pack=second)
    assert setting.briefing_pack.name != old_name
    assert not setting.briefing_pack.storage.exists(old_name)
    with django_capture_on_commit_callbacks(execute=True):
        setting = opportunity_type_setting_save(actor=worker, **setting_args(), remove_briefing_pack=True)
    assert not setting.briefing_pack


def test_the_types_list_shows_each_type_with_its_training_and_risk_template(worker, partnership, other_partnership):
    TrainingModule.objects.create(
        partnership=partnership, title="Section 11 basics", duration_minutes=60, required_for=[S11]
    )
    TrainingModule.objects.create(
        partnership=other_partnership, title="Theirs", duration_minutes=60, required_for=[S11]
    )
    RiskAssessmentTemplate.objects.create(partnership=partnership, opportunity_type=S11, hazards=[])
    OpportunityTypeSettingFactory(partnership=partnership, opportunity_type=S11, preparation_minutes=30)
    rows = {row.opportunity_type: row for row in opportunity_types_for_actor(worker)}
    assert list(rows) == list(OpportunityType.values)
    assert [m.title for m in rows[S11].training_modules] == ["Section 11 basics"]
    assert rows[S11].has_risk_template and not rows[OpportunityType.FOCUS_GROUP].has_risk_template
    assert rows[S11].defaults.preparation_minutes == 30
    assert rows[OpportunityType.MEDIA_PRODUCTION].defaults.is_filmed is True


def test_briefing_packs_are_for_staff_and_young_people_confirmed_on_that_type(worker, member, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP, briefing_pack="briefing-packs/x.pdf"
    )
    kind = OpportunityType.FOCUS_GROUP  # the type with the pack
    finance = member(Role.FINANCE_OFFICER)
    assert briefing_pack_for_actor(finance, kind).opportunity_type == kind
    young = member(Role.YOUNG_PERSON)
    with pytest.raises(Http404):
        briefing_pack_for_actor(young, kind)
    engagement = published(partnership, lead=worker, opportunity_type=kind)
    confirm(engagement, young)
    assert briefing_pack_for_actor(young, kind).opportunity_type == kind
    with pytest.raises(Http404):
        briefing_pack_for_actor(young, OpportunityType.DEEP_DIVE)  # no pack, and not confirmed on one
    Engagement.objects.filter(pk=engagement.pk).update(status=Status.CANCELLED)
    with pytest.raises(Http404):
        briefing_pack_for_actor(young, kind)


# --- What each person sees ----------------------------------------------------------------------------------------


def test_young_people_see_published_future_opportunities_of_their_partnership_only(
    worker, member, partnership, other_partnership
):
    young = member(Role.YOUNG_PERSON)
    visible = published(partnership, lead=worker)
    EngagementFactory(partnership=partnership)  # draft
    published(partnership, lead=worker, status=Status.CANCELLED)
    past = timezone.now() - datetime.timedelta(days=1)
    published(partnership, starts_at=past, ends_at=past + datetime.timedelta(hours=1))
    published(other_partnership)
    assert [e.pk for e in opportunities_for_young_person(young)] == [visible.pk]


def test_a_young_person_sees_their_own_interest_and_the_link_only_once_confirmed(worker, member, partnership):
    young = member(Role.YOUNG_PERSON)
    engagement = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/p")
    InterestFactory(engagement=engagement, membership=young.membership, status=Interest.Status.WAITING)
    other = member(Role.YOUNG_PERSON)
    confirm(engagement, other)
    mine = opportunities_for_young_person(young).get()
    assert (mine.my_interest, mine.my_confirmed, mine.link_for_me, mine.places_left) == ("waiting", False, "", 3)
    theirs = opportunity_get_for_young_person(other, engagement.pk)
    assert (theirs.my_interest, theirs.my_confirmed) == ("confirmed", True)
    assert theirs.link_for_me == "https://meet.example.org/p"


def test_a_draft_or_another_partnerships_opportunity_is_a_404_for_a_young_person(
    member, partnership, other_partnership
):
    young = member(Role.YOUNG_PERSON)
    for engagement in (EngagementFactory(partnership=partnership), OpportunityFactory(partnership=other_partnership)):
        with pytest.raises(Http404):
            opportunity_get_for_young_person(young, engagement.pk)


def test_a_cancelled_one_stays_visible_to_those_who_had_a_place_or_were_interested(worker, member, partnership):
    had_place, interested, stranger = (member(Role.YOUNG_PERSON) for _ in range(3))
    engagement = published(partnership, lead=worker)
    confirm(engagement, had_place)
    InterestFactory(engagement=engagement, membership=interested.membership)
    Engagement.objects.filter(pk=engagement.pk).update(status=Status.CANCELLED)
    assert opportunity_get_for_young_person(had_place, engagement.pk).status == Status.CANCELLED
    assert opportunity_get_for_young_person(interested, engagement.pk).link_for_me == ""
    with pytest.raises(Http404):
        opportunity_get_for_young_person(stranger, engagement.pk)


def test_staff_cannot_use_young_peoples_selectors_and_young_people_cannot_list_engagements(worker, member):
    with pytest.raises(PermissionDenied):
        opportunities_for_young_person(worker)
    with pytest.raises(PermissionDenied):
        engagements_visible_to(member(Role.YOUNG_PERSON))


def test_the_next_engagement_is_the_soonest_confirmed_one_not_yet_ended(worker, member, partnership):
    young = member(Role.YOUNG_PERSON)
    later = published(partnership, lead=worker, starts_at=timezone.now() + datetime.timedelta(days=20))
    sooner = published(partnership, lead=worker, starts_at=timezone.now() + datetime.timedelta(days=5))
    published(partnership, lead=worker, starts_at=timezone.now() + datetime.timedelta(days=2))  # not confirmed
    assert next_engagement_for_young_person(young) is None
    confirm(later, young)
    confirm(sooner, young)
    assert next_engagement_for_young_person(young) == sooner


def test_the_staff_list_filters_and_counts_places(worker, member, partnership):
    draft = EngagementFactory(partnership=partnership, title="Draft deep dive")
    upcoming = published(partnership, lead=worker, title="Upcoming panel")
    confirm(upcoming, member(Role.YOUNG_PERSON))
    past_start = timezone.now() - datetime.timedelta(days=3)
    past = published(partnership, starts_at=past_start, ends_at=past_start + datetime.timedelta(hours=1))
    assert {e.pk for e in engagements_visible_to(worker, status=Status.DRAFT)} == {draft.pk}
    assert [e.pk for e in engagements_visible_to(worker, upcoming=False)] == [past.pk]
    assert {e.pk for e in engagements_visible_to(worker, upcoming=True)} == {draft.pk, upcoming.pk}
    found = engagements_visible_to(worker, search="upcoming").get()
    assert found.places_filled == 1


# --- Calendar feed addresses --------------------------------------------------------------------------------------


def test_a_feed_is_made_once_and_a_new_address_replaces_the_old(member):
    young = member(Role.YOUNG_PERSON)
    feed = calendar_feed_get_or_create(actor=young)
    assert len(feed.token) >= 40
    assert calendar_feed_get_or_create(actor=young).token == feed.token
    old = feed.token
    calendar_feed_reset(actor=young)
    feed.refresh_from_db()
    assert feed.token != old
    assert CalendarFeed.objects.count() == 1
    events = list(
        AuditEvent.objects.filter(subject_id=str(feed.pk)).order_by("pk").values_list("event_type", "payload")
    )
    assert events == [("calendarfeed.created", {}), ("calendarfeed.reset", {})]  # never the token itself


def test_staff_have_no_calendar_feed(worker):
    with pytest.raises(PermissionDenied):
        calendar_feed_get_or_create(actor=worker)


def test_confirmed_people_are_told_when_the_place_or_link_changes(
    worker, member, partnership, django_capture_on_commit_callbacks
):
    engagement = published(partnership, lead=worker)
    going = confirm(engagement, member(Role.YOUNG_PERSON))
    interested = member(Role.YOUNG_PERSON)
    InterestFactory(engagement=engagement, membership=interested.membership, partnership=partnership)
    with django_capture_on_commit_callbacks(execute=True):
        engagement_update(
            actor=worker, engagement_id=engagement.pk, location="Town hall, room 1", content_warning="Self-harm."
        )
    assert [message.to for message in mail.outbox] == [[going.user.email]]
    assert "Town hall, room 1" in mail.outbox[0].body and "Self-harm." in mail.outbox[0].body

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        engagement_update(actor=worker, engagement_id=engagement.pk, description="A clearer description.")
    assert mail.outbox == []  # nothing they need to act on


# --- Single-line fields -------------------------------------------------------------------------------------------

SINGLE_LINE_FIELDS = ["title", "topic", "commissioned_by", "location", "pay_note"]
BREAKS = ["\n", "\r", "\r\n", "\t", "\x00", "\x1b", "\u2028", "\u0085"]


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
@pytest.mark.parametrize("bad", BREAKS, ids=repr)
def test_single_line_fields_with_line_breaks_or_control_characters_are_refused_on_create(worker, field, bad):
    with pytest.raises(ApplicationError) as refused:
        engagement_create(actor=worker, **basic(**{field: f"Part one{bad}Bcc: someone@example.org"}))
    assert refused.value.extra["field"] == field
    assert "one line" in refused.value.message
    assert not Engagement.objects.exists()


@pytest.mark.parametrize("field", SINGLE_LINE_FIELDS)
def test_single_line_fields_with_line_breaks_are_refused_on_update(worker, partnership, field):
    engagement = published(partnership, lead=worker, title="Panel", location="Town hall")
    with pytest.raises(ApplicationError) as refused:
        engagement_update(actor=worker, engagement_id=engagement.pk, **{field: "First line\r\nSecond line"})
    assert refused.value.extra["field"] == field
    engagement.refresh_from_db()
    assert (engagement.title, engagement.location) == ("Panel", "Town hall")


def test_surrounding_white_space_and_emoji_are_still_fine_in_a_title(worker):
    emoji = "\U0001f469\U0001f3fd\u200d\U0001f9b1"  # joined by a zero-width joiner: a format character, allowed
    engagement = engagement_create(actor=worker, **basic(title=f"  \n Young people's panel {emoji} \n"))
    assert engagement.title == f"Young people's panel {emoji}"


# --- A change must not leave a confirmed person unable to take part -------------------------------------------------


def _eligible_online_place(worker, member, partnership):
    """An online engagement and a young person confirmed on it who has every consent but emergency medical (which
    only an in-person engagement needs)."""
    from safeguarding.models import Consent, ConsentType
    from safeguarding.services.eligibility import can_take_part
    from tests.engagements.helpers import make_eligible

    engagement = published(
        partnership, lead=worker, is_online=True, online_link="https://meet.example.org/room", location=""
    )
    young = member(Role.YOUNG_PERSON, user__full_name="Robin Example")
    make_eligible(young.membership, engagement)
    Consent.objects.filter(membership=young.membership, consent_type=ConsentType.EMERGENCY_MEDICAL).delete()
    assert can_take_part(young.membership, engagement).allowed
    confirm(engagement, young)
    return engagement, young


def test_switching_online_to_in_person_is_refused_when_a_confirmed_person_could_no_longer_take_part(
    worker, member, partnership, django_capture_on_commit_callbacks
):
    engagement, young = _eligible_online_place(worker, member, partnership)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ApplicationError) as refused:
        engagement_update(
            actor=worker, engagement_id=engagement.pk, is_online=False, online_link="", location="Town hall"
        )
    assert refused.value.extra["field"] == "is_online"
    assert refused.value.extra["reason"] == "not_eligible"
    assert "Robin Example" in refused.value.message
    assert "emergency" in refused.value.message.lower()
    assert refused.value.extra["people"][0]["membership"] == young.membership.pk
    engagement.refresh_from_db()
    assert (engagement.is_online, engagement.location) == (True, "")
    assert not AuditEvent.objects.filter(event_type="engagement.updated").exists()
    assert mail.outbox == []


def test_switching_online_to_in_person_is_allowed_once_everyone_confirmed_can_take_part(worker, member, partnership):
    from tests.factories.safeguarding import ConsentFactory

    engagement, young = _eligible_online_place(worker, member, partnership)
    ConsentFactory(
        membership=young.membership,
        consent_type="emergency_medical",
        given_at=timezone.now() - datetime.timedelta(days=1),
    )
    engagement_update(actor=worker, engagement_id=engagement.pk, is_online=False, online_link="", location="Hall")
    engagement.refresh_from_db()
    assert engagement.is_online is False


def test_a_reason_someone_already_had_does_not_block_an_unrelated_change(worker, member, partnership):
    """The confirmed person's risk assessment is not approved (nothing was given here): the title can still be
    corrected, since the change is not what stops them."""
    engagement = published(partnership, lead=worker, title="Panle")
    confirm(engagement, member(Role.YOUNG_PERSON))
    engagement_update(actor=worker, engagement_id=engagement.pk, title="Panel")
    engagement.refresh_from_db()
    assert engagement.title == "Panel"


# --- Invited before publishing ------------------------------------------------------------------------------------


def test_a_young_person_with_a_place_on_a_draft_sees_it_and_it_is_their_next_engagement(worker, member, partnership):
    young, stranger = member(Role.YOUNG_PERSON), member(Role.YOUNG_PERSON)
    draft = EngagementFactory(partnership=partnership, staff_lead=worker, opportunity_type=OpportunityType.FOCUS_GROUP)
    confirm(draft, young)
    found = opportunity_get_for_young_person(young, draft.pk)
    assert (found.status, found.my_confirmed) == (Status.DRAFT, True)
    assert next_engagement_for_young_person(young) == draft
    with pytest.raises(Http404):
        opportunity_get_for_young_person(stranger, draft.pk)
    assert list(opportunities_for_young_person(young)) == []  # never listed as an opportunity


def test_the_briefing_pack_is_there_for_a_place_on_a_draft(worker, member, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP, briefing_pack="briefing-packs/x.pdf"
    )
    young = member(Role.YOUNG_PERSON)
    draft = EngagementFactory(partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP)
    with pytest.raises(Http404):
        briefing_pack_for_actor(young, OpportunityType.FOCUS_GROUP)
    confirm(draft, young)
    assert briefing_pack_for_actor(young, OpportunityType.FOCUS_GROUP).opportunity_type == OpportunityType.FOCUS_GROUP


def test_the_online_link_is_hidden_once_the_engagement_is_cancelled(worker, member, partnership):
    young = member(Role.YOUNG_PERSON)
    engagement = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/gone")
    confirm(engagement, young)
    assert opportunity_get_for_young_person(young, engagement.pk).link_for_me == "https://meet.example.org/gone"
    Engagement.objects.filter(pk=engagement.pk).update(status=Status.CANCELLED)
    assert opportunity_get_for_young_person(young, engagement.pk).link_for_me == ""
