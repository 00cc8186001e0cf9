"""Opportunity pages: engagements for staff (list, new, edit, detail, publish, cancel, complete), the types of
opportunity and their briefing packs, the young person's list and home page. Each page: what it shows, its
query count on enough data to show an N+1, and another partnership's record is a 404."""

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from engagements.models import Engagement, Interest, OpportunityType, OpportunityTypeSetting, Section11Standard
from frontend.views.opportunities import optional_url
from participants.models import Role
from tests.engagements.test_opportunities_services import PDF, confirm, published, with_check
from tests.factories.engagements import InterestFactory, OpportunityTypeSettingFactory
from tests.factories.safeguarding import EngagementFactory

pytestmark = pytest.mark.django_db

Status = Engagement.Status


@pytest.fixture
def worker(member):
    return with_check(member(Role.PARTICIPATION_WORKER))


@pytest.fixture
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


def day_boxes(day):
    """A date as typed in the GOV.UK date input's day, month and year boxes."""
    return {"day_0": str(day.day), "day_1": str(day.month), "day_2": str(day.year)}


def form_data(**overrides):
    day = timezone.localdate() + datetime.timedelta(days=10)
    data = {
        "title": "Deep dive: missing from education",
        "opportunity_type": OpportunityType.DEEP_DIVE,
        "topic": "Children missing education",
        "description": "We will read case summaries and say what we think.",
        "commissioned_by": "Quality assurance group",
        "scrutiny_lead": "",
        **day_boxes(day),
        "starts": "16:30",
        "ends": "18:30",
        "location": "Town hall, room 2",
        "is_online": "no",
        "online_link": "",
        "places": "5",
        "staff_lead": "",
        "preparation_minutes": "",
        "is_filmed": "usual",
        "content_warning": "",
        "pay_basis": "usual",
        "pay_note": "",
    }
    return {**data, **overrides}


def count_queries(client, url):
    client.get(url)  # warm up (sessions, content types)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- Creating and changing ----------------------------------------------------------------------------------------


def test_a_worker_creates_a_draft_with_the_types_usual_settings(worker, login, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership, opportunity_type=OpportunityType.DEEP_DIVE, pay_note="£12 an hour", is_filmed=True
    )
    client = login(worker)
    response = client.post("/staff/engagements/new/", form_data(staff_lead=str(worker.pk)))
    engagement = Engagement.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("engagement_detail", args=[engagement.pk])
    assert (engagement.status, engagement.pay_note, engagement.is_filmed) == (Status.DRAFT, "£12 an hour", True)
    assert engagement.staff_lead == worker and engagement.created_by == worker
    local = timezone.localtime(engagement.starts_at)
    assert (local.hour, local.minute) == (16, 30)


def test_a_section_11_panel_takes_one_agency_per_line_and_the_standards(worker, login):
    client = login(worker)
    client.post(
        "/staff/engagements/new/",
        form_data(
            opportunity_type=OpportunityType.SECTION_11_PANEL,
            agencies_under_review="North Shire Police\n\n  NHS North Shire  \n",
            section_11_standards=[Section11Standard.TRAINING, Section11Standard.LEADERSHIP],
        ),
    )
    engagement = Engagement.objects.get()
    assert engagement.agencies_under_review == ["North Shire Police", "NHS North Shire"]
    assert engagement.section_11_standards == ["leadership", "training"]


def test_answers_under_an_option_not_chosen_are_ignored(worker, login):
    login(worker).post(
        "/staff/engagements/new/",
        form_data(
            agencies_under_review="North Shire Police",
            section_11_standards=[Section11Standard.TRAINING],
            online_link="https://meet.example.org/abc",
        ),
    )
    engagement = Engagement.objects.get()  # a deep dive, in person
    assert (engagement.agencies_under_review, engagement.section_11_standards, engagement.online_link) == ([], [], "")


def test_the_new_page_starts_from_a_types_settings(worker, login, partnership):
    OpportunityTypeSettingFactory(
        partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP, pay_note="£30 for the session"
    )
    body = login(worker).get("/staff/engagements/new/?type=focus_group").content.decode()
    assert 'value="£30 for the session"' in body
    assert re.search(r'value="focus_group"\s+checked>', body)


def test_a_refusal_names_the_field_links_to_it_and_keeps_what_was_typed(worker, login):
    client = login(worker)
    response = client.post("/staff/engagements/new/", form_data(is_online="yes", location=""))
    body = response.content.decode()
    assert response.status_code == 200
    assert 'href="#id_online_link"' in body
    assert "Enter the online link" in body
    assert "Deep dive: missing from education" in body  # nothing typed is lost
    assert not Engagement.objects.exists()
    response = client.post("/staff/engagements/new/", form_data(opportunity_type="", places="0"))
    body = response.content.decode()
    assert 'href="#id_opportunity_type"' in body and "Choose the type of opportunity" in body
    assert 'id="id_opportunity_type"' in body  # the first radio: where the link lands
    assert 'href="#id_places"' in body


def test_changing_the_time_of_an_engagement_with_a_confirmed_person_is_refused_on_the_page(
    worker, member, login, partnership
):
    # At 10:00 in a fortnight: the factory's default starts at this time of day, and after 22:00 its two hours would
    # cross midnight, which a form of one day and two times cannot hold (the test failed every evening).
    day = timezone.localdate() + datetime.timedelta(days=14)
    starts_at = timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))
    engagement = published(partnership, lead=worker, starts_at=starts_at)
    confirm(engagement, member(Role.YOUNG_PERSON))
    client = login(worker)
    page = client.get(f"/staff/engagements/{engagement.pk}/edit/")
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["section_11_standards"] = []
    data.update(day_boxes(data.pop("day")))
    data["starts"] = "09:00"
    data["ends"] = "11:00"
    response = client.post(f"/staff/engagements/{engagement.pk}/edit/", data)
    body = response.content.decode()
    assert 'href="#id_starts"' in body
    assert "withdraw their places first" in body
    data["starts"], data["ends"] = form.initial["starts"].strftime("%H:%M"), form.initial["ends"].strftime("%H:%M")
    data["title"] = "A better title"
    assert client.post(f"/staff/engagements/{engagement.pk}/edit/", data).status_code == 302
    engagement.refresh_from_db()
    assert engagement.title == "A better title"


def test_a_cancelled_engagement_cannot_be_edited(worker, login, partnership):
    engagement = published(partnership, lead=worker, status=Status.CANCELLED)
    response = login(worker).get(f"/staff/engagements/{engagement.pk}/edit/")
    assert response.status_code == 302


def test_the_form_shows_every_question_with_no_conditional_reveal(worker, login):
    """GOV.UK's conditional reveal puts aria-expanded on radios and crispy-forms-gds pointed aria-controls at ids
    that were not there (axe: aria-allowed-attr, aria-valid-attr-value). Every question is shown, with a hint."""
    page = login(worker).get("/staff/engagements/new/").content.decode()
    body = page[page.index('<form method="post"') :]
    assert "aria-controls" not in body and "govuk-radios__conditional" not in body
    assert "Only for a section 11 challenge panel" in body
    assert "Only if it is online" in body
    for name in ("opportunity_type", "agencies_under_review", "section_11_standards", "is_online", "online_link"):
        assert body.count(f'id="id_{name}"') == 1, name


def test_the_date_is_the_gov_uk_date_input_and_times_are_text_boxes_like_their_hint(worker, login):
    body = login(worker).get("/staff/engagements/new/").content.decode()
    assert 'type="date"' not in body and 'type="time"' not in body
    assert 'class="govuk-date-input"' in body
    for box in ("day_0", "day_1", "day_2"):
        assert f'name="{box}"' in body
    assert 'id="id_day"' in body  # the day box carries the field's own id: the error summary links there
    assert "for example 16:30" in body


def test_the_edit_page_fills_in_the_date_boxes_and_the_times(worker, login, partnership):
    day = timezone.localdate() + datetime.timedelta(days=12)
    starts = timezone.make_aware(datetime.datetime.combine(day, datetime.time(16, 30)))
    engagement = EngagementFactory(
        partnership=partnership, starts_at=starts, ends_at=starts + datetime.timedelta(hours=2)
    )
    body = login(worker).get(f"/staff/engagements/{engagement.pk}/edit/").content.decode()
    for box, value in (("id_day", day.day), ("id_day_1", day.month), ("id_day_2", day.year)):
        assert re.search(rf'id="{box}"[^>]*value="{value}"', body), box
    assert 'value="16:30"' in body and 'value="18:30"' in body


def test_a_date_typed_wrongly_says_what_is_wrong_and_links_to_the_day_box(worker, login):
    client = login(worker)
    body = client.post("/staff/engagements/new/", form_data(day_1="")).content.decode()
    assert "Date must include a month" in body and 'href="#id_day"' in body
    body = client.post("/staff/engagements/new/", form_data(day_0="", day_1="", day_2="")).content.decode()
    assert "Enter the date" in body
    body = client.post("/staff/engagements/new/", form_data(day_0="31", day_1="2")).content.decode()
    assert "Date must be a real date" in body
    assert not Engagement.objects.exists()


def test_times_may_be_typed_as_on_a_clock(worker, login):
    assert login(worker).post("/staff/engagements/new/", form_data(starts="4:30pm", ends="18.45")).status_code == 302
    engagement = Engagement.objects.get()
    starts, ends = timezone.localtime(engagement.starts_at), timezone.localtime(engagement.ends_at)
    assert ((starts.hour, starts.minute), (ends.hour, ends.minute)) == ((16, 30), (18, 45))


# --- The detail page and its buttons ------------------------------------------------------------------------------


def test_the_detail_page_shows_the_facts_and_the_buttons_a_worker_may_use(worker, member, login, partnership):
    engagement = EngagementFactory(
        partnership=partnership,
        opportunity_type=OpportunityType.FOCUS_GROUP,
        staff_lead=worker,
        content_warning="Talks about self-harm",
    )
    young = member(Role.YOUNG_PERSON)
    confirm(engagement, young)
    body = login(worker).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    assert "Talks about self-harm" in body
    assert "1 of 6" in body
    assert escape(young.full_name) in body
    assert reverse("engagement_publish", args=[engagement.pk]) in body
    assert reverse("engagement_cancel", args=[engagement.pk]) in body
    assert reverse("engagement_edit", args=[engagement.pk]) in body
    assert reverse("engagement_complete", args=[engagement.pk]) not in body


def test_finance_officers_see_the_facts_but_no_buttons(member, login, partnership):
    engagement = EngagementFactory(partnership=partnership)
    body = login(member(Role.FINANCE_OFFICER)).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    assert engagement.title in body
    assert reverse("engagement_publish", args=[engagement.pk]) not in body
    assert reverse("engagement_edit", args=[engagement.pk]) not in body
    assert reverse("risk_assessment_page", args=[engagement.pk]) not in body  # no safeguarding data for finance


def test_safeguarding_leads_get_the_risk_assessment_link_and_admins_the_history(member, login, partnership):
    engagement = EngagementFactory(partnership=partnership)
    body = login(member(Role.SAFEGUARDING_LEAD)).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    assert reverse("risk_assessment_page", args=[engagement.pk]) in body
    admin = member(Role.PARTNERSHIP_ADMIN)
    assert (
        "What happened to this engagement" in login(admin).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    )


def _next_steps(engagement):
    pk = engagement.pk
    return {
        "selection": f'href="/staff/engagements/{pk}/selection/"',
        "attendance": f'href="/staff/engagements/{pk}/attendance/"',
        "work_logs": f'href="/staff/work-logs/?engagement={pk}"',
        "outputs": f'href="/staff/outputs/?engagement={pk}"',
        "output_new": f'href="/staff/engagements/{pk}/outputs/new/"',
        "risk_assessment": f'href="{reverse("risk_assessment_page", args=[pk])}"',
    }


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        (
            Role.PARTICIPATION_WORKER,
            {"selection", "attendance", "work_logs", "outputs", "output_new", "risk_assessment"},
        ),
        (Role.FINANCE_OFFICER, {"work_logs"}),
        (Role.SAFEGUARDING_LEAD, {"outputs", "risk_assessment"}),
        (Role.SCRUTINY_LEAD, {"outputs"}),
        (Role.PARTNERSHIP_ADMIN, {"work_logs", "outputs", "output_new", "risk_assessment"}),
    ],
)
def test_next_steps_show_only_the_links_the_person_may_use(role, expected, worker, member, login, partnership):
    engagement = published(partnership, lead=worker)
    body = login(member(role)).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    shown = {name for name, link in _next_steps(engagement).items() if link in body}
    assert shown == expected


def test_the_staff_lead_may_mark_attendance_and_gets_a_button_on_the_day(member, login, partnership):
    lead = with_check(member(Role.SAFEGUARDING_LEAD))
    now = timezone.now()
    today = published(
        partnership,
        lead=lead,
        starts_at=now - datetime.timedelta(minutes=10),
        ends_at=now + datetime.timedelta(hours=2),
    )
    later = published(partnership, lead=lead, starts_at=now + datetime.timedelta(days=3))
    client = login(lead)
    body = client.get(f"/staff/engagements/{today.pk}/").content.decode()
    button = re.search(
        r'<a href="(?P<href>[^"]+)"\s+role="button"[^>]*class="govuk-button[^"]*"[^>]*>Mark attendance</a>', body
    )
    assert button and button["href"] == f"/staff/engagements/{today.pk}/attendance/"
    body = client.get(f"/staff/engagements/{later.pk}/").content.decode()
    assert ">Mark attendance</a>" not in body
    assert _next_steps(later)["attendance"] in body  # the link, without the button
    finance = client = login(member(Role.FINANCE_OFFICER))
    assert ">Mark attendance</a>" not in finance.get(f"/staff/engagements/{today.pk}/").content.decode()


def test_staff_get_the_online_link_as_a_link(worker, login, partnership):
    engagement = published(partnership, lead=worker, is_online=True, online_link="https://meet.example.org/abc")
    body = login(worker).get(f"/staff/engagements/{engagement.pk}/").content.decode()
    assert '<a class="govuk-link" href="https://meet.example.org/abc"' in body


def test_optional_links_are_left_out_until_their_pages_exist():
    assert optional_url("no_such_page_anywhere", 1) is None
    assert optional_url("engagement_detail", 1) == "/staff/engagements/1/"


def test_publish_then_complete_from_the_detail_page(worker, login, partnership):
    engagement = EngagementFactory(
        partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP, staff_lead=worker
    )
    client = login(worker)
    assert client.post(f"/staff/engagements/{engagement.pk}/publish/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Status.PUBLISHED
    response = client.post(f"/staff/engagements/{engagement.pk}/complete/")
    assert response.status_code == 400
    assert "once it has ended" in response.content.decode()
    Engagement.objects.filter(pk=engagement.pk).update(
        starts_at=timezone.now() - datetime.timedelta(hours=3), ends_at=timezone.now() - datetime.timedelta(hours=1)
    )
    assert client.post(f"/staff/engagements/{engagement.pk}/complete/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.status == Status.COMPLETED


def test_a_refused_publish_says_why_in_an_error_summary_linking_to_the_field(worker, login, partnership):
    engagement = EngagementFactory(partnership=partnership, opportunity_type=OpportunityType.FOCUS_GROUP)
    client = login(worker)
    response = client.post(f"/staff/engagements/{engagement.pk}/publish/")
    body = response.content.decode()
    assert response.status_code == 400
    summary = body[body.index('class="govuk-error-summary"') :]
    edit = f"/staff/engagements/{engagement.pk}/edit/"
    assert f'<a href="{edit}#id_staff_lead">Name a staff lead before publishing.</a>' in summary
    assert 'id="id_staff_lead"' in client.get(edit).content.decode()  # where the link lands


@pytest.mark.parametrize(
    ("change", "anchor"),
    [
        ({"agencies_under_review": []}, "id_agencies_under_review"),
        ({"section_11_standards": []}, "id_section_11_standards"),
    ],
)
def test_a_section_11_publish_refusal_links_to_its_question(change, anchor, worker, login, partnership):
    ready = {"agencies_under_review": ["North Shire Police"], "section_11_standards": [Section11Standard.TRAINING]}
    engagement = EngagementFactory(partnership=partnership, staff_lead=worker, **{**ready, **change})
    client = login(worker)
    body = client.post(f"/staff/engagements/{engagement.pk}/publish/").content.decode()
    edit = f"/staff/engagements/{engagement.pk}/edit/"
    assert f'href="{edit}#{anchor}"' in body
    assert f'id="{anchor}"' in client.get(edit).content.decode()


def test_a_publish_refusal_for_the_start_links_to_the_date(worker, login, partnership):
    now = timezone.now()
    engagement = EngagementFactory(
        partnership=partnership,
        opportunity_type=OpportunityType.FOCUS_GROUP,
        staff_lead=worker,
        starts_at=now - datetime.timedelta(minutes=5),
        ends_at=now + datetime.timedelta(hours=1),
    )
    body = login(worker).post(f"/staff/engagements/{engagement.pk}/publish/").content.decode()
    assert f'href="/staff/engagements/{engagement.pk}/edit/#id_day"' in body


def test_cancelling_asks_for_a_reason_first(worker, member, login, partnership):
    engagement = published(partnership, lead=worker)
    confirm(engagement, member(Role.YOUNG_PERSON))
    client = login(worker)
    page = client.get(f"/staff/engagements/{engagement.pk}/cancel/").content.decode()
    assert "1 young person has a confirmed place" in page
    response = client.post(f"/staff/engagements/{engagement.pk}/cancel/", {"reason": ""})
    assert 'href="#id_reason"' in response.content.decode()
    engagement.refresh_from_db()
    assert engagement.status == Status.PUBLISHED
    client.post(f"/staff/engagements/{engagement.pk}/cancel/", {"reason": "The speaker is ill."})
    engagement.refresh_from_db()
    assert (engagement.status, engagement.cancelled_reason) == (Status.CANCELLED, "The speaker is ill.")


def test_young_people_cannot_use_staff_pages(member, login, partnership):
    engagement = published(partnership)
    client = login(member(Role.YOUNG_PERSON))
    for url in (
        "/staff/engagements/",
        "/staff/engagements/new/",
        f"/staff/engagements/{engagement.pk}/",
        "/staff/opportunity-types/",
    ):
        assert client.get(url).status_code == 403, url


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN])
def test_another_partnerships_engagement_is_a_404_on_every_page(role, member, login, other_partnership):
    theirs = published(other_partnership)
    client = login(with_check(member(role)))
    for suffix in ("", "edit/", "cancel/"):
        assert client.get(f"/staff/engagements/{theirs.pk}/{suffix}").status_code == 404, suffix
    for suffix in ("publish/", "complete/", "cancel/"):
        assert client.post(f"/staff/engagements/{theirs.pk}/{suffix}", {"reason": "x"}).status_code == 404, suffix
    theirs.refresh_from_db()
    assert theirs.status == Status.PUBLISHED


# --- The list -----------------------------------------------------------------------------------------------------


def test_the_list_filters_by_status_and_time_and_shows_places_filled(
    worker, member, login, partnership, other_partnership
):
    draft = EngagementFactory(partnership=partnership, title="A draft one")
    going = published(partnership, lead=worker, title="A published one", places=4)
    confirm(going, member(Role.YOUNG_PERSON))
    published(other_partnership, title="Not ours")
    client = login(worker)
    body = client.get("/staff/engagements/").content.decode()
    assert "A draft one" in body and "A published one" in body and "Not ours" not in body
    assert "1 of 4" in body
    body = client.get("/staff/engagements/?status=draft").content.decode()
    assert draft.title in body and going.title not in body
    assert "A draft one" not in client.get("/staff/engagements/?when=past").content.decode()


def test_the_lists_query_count_does_not_grow_with_engagements(worker, member, login, partnership):
    client = login(worker)
    lead = with_check(member(Role.PARTICIPATION_WORKER))

    def grow(n):
        for _ in range(n):
            engagement = published(partnership, lead=lead)
            confirm(engagement, member(Role.YOUNG_PERSON))

    grow(3)
    small = count_queries(client, "/staff/engagements/")
    grow(12)
    assert count_queries(client, "/staff/engagements/") == small


def test_the_detail_pages_query_count_does_not_grow_with_people(worker, member, login, partnership):
    engagement = published(partnership, lead=worker, places=30)
    client = login(member(Role.PARTNERSHIP_ADMIN))
    confirm(engagement, member(Role.YOUNG_PERSON))
    url = f"/staff/engagements/{engagement.pk}/"
    small = count_queries(client, url)
    for _ in range(14):
        confirm(engagement, member(Role.YOUNG_PERSON))
    assert count_queries(client, url) == small


# --- Types of opportunity and briefing packs ----------------------------------------------------------------------


def test_the_types_page_lists_every_type_and_its_query_count_is_fixed(worker, login, partnership):
    from participants.models import TrainingModule

    client = login(worker)
    body = client.get("/staff/opportunity-types/").content.decode()
    for label in OpportunityType.labels:
        assert escape(label) in body
    small = count_queries(client, "/staff/opportunity-types/")
    for number in range(15):
        TrainingModule.objects.create(
            partnership=partnership,
            title=f"Module {number}",
            duration_minutes=30,
            required_for=[OpportunityType.SECTION_11_PANEL, OpportunityType.DEEP_DIVE],
        )
    for value in OpportunityType.values:
        OpportunityTypeSettingFactory(partnership=partnership, opportunity_type=value)
    assert count_queries(client, "/staff/opportunity-types/") == small
    assert "Module 14" in client.get("/staff/opportunity-types/").content.decode()


def test_a_worker_saves_a_types_settings_with_a_pdf_briefing_pack(worker, login, partnership, private_storage):
    client = login(worker)
    url = "/staff/opportunity-types/focus_group/"
    fields = {"pay_basis": "session", "pay_note": "£30", "is_filmed": "no", "preparation_minutes": "20"}
    response = client.post(url, {**fields, "briefing_pack": SimpleUploadedFile("p.png", b"\x89PNG\r\n\x1a\n0000")})
    assert 'href="#id_briefing_pack"' in response.content.decode()
    assert "must be a PDF" in response.content.decode()
    assert not OpportunityTypeSetting.objects.exists()
    response = client.post(url, {**fields, "briefing_pack": SimpleUploadedFile("pack.pdf", PDF)})
    assert response.status_code == 302
    setting = OpportunityTypeSetting.objects.get()
    assert (setting.pay_note, setting.preparation_minutes, bool(setting.briefing_pack)) == ("£30", 20, True)
    download = client.get("/opportunity-types/focus_group/briefing-pack/")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert "no-store" in download["Cache-Control"]
    assert b"".join(download.streaming_content) == PDF


def test_a_young_person_downloads_the_pack_only_once_confirmed_on_that_type(
    worker, member, login, partnership, private_storage
):
    client = login(worker)
    client.post(
        "/staff/opportunity-types/focus_group/",
        {
            "pay_basis": "hourly",
            "is_filmed": "no",
            "preparation_minutes": "0",
            "briefing_pack": SimpleUploadedFile("p.pdf", PDF),
        },
    )
    young = member(Role.YOUNG_PERSON)
    client = login(young)
    assert client.get("/opportunity-types/focus_group/briefing-pack/").status_code == 404
    confirm(published(partnership, lead=worker, opportunity_type=OpportunityType.FOCUS_GROUP), young)
    assert client.get("/opportunity-types/focus_group/briefing-pack/").status_code == 200


def test_only_organisers_change_a_types_settings(member, login):
    assert login(member(Role.SAFEGUARDING_LEAD)).get("/staff/opportunity-types/deep_dive/").status_code == 403
    assert login(member(Role.PARTICIPATION_WORKER)).get("/staff/opportunity-types/party/").status_code == 404


# --- Young people: the list and home page -------------------------------------------------------------------------


def test_a_young_person_sees_published_opportunities_with_warnings_and_no_one_elses_names(
    worker, member, login, partnership, other_partnership
):
    young = member(Role.YOUNG_PERSON)
    other = member(Role.YOUNG_PERSON)
    shown = published(
        partnership,
        lead=worker,
        title="Focus group on youth clubs",
        content_warning="We will talk about bullying",
        pay_note="£12.21 an hour",
        is_online=True,
        online_link="https://meet.example.org/secret-room",
    )
    confirm(shown, other)
    InterestFactory(engagement=shown, membership=young.membership, status=Interest.Status.INTERESTED)
    EngagementFactory(partnership=partnership, title="A draft nobody sees")
    published(other_partnership, title="Another partnership's")
    body = login(young).get("/opportunities/").content.decode()
    assert "Focus group on youth clubs" in body
    assert "We will talk about bullying" in body
    assert "£12.21 an hour" in body
    assert "You said you are interested" in body
    assert "3 of 4" in body  # places left
    assert "A draft nobody sees" not in body and "Another partnership" not in body
    assert escape(other.full_name) not in body
    assert "secret-room" not in body


def test_the_young_persons_list_query_count_does_not_grow(worker, member, login, partnership):
    young = member(Role.YOUNG_PERSON)
    client = login(young)

    def grow(n):
        for _ in range(n):
            engagement = published(partnership, lead=worker)
            InterestFactory(engagement=engagement, membership=young.membership)
            confirm(engagement, member(Role.YOUNG_PERSON))

    grow(3)
    small = count_queries(client, "/opportunities/")
    grow(12)
    assert count_queries(client, "/opportunities/") == small


def test_the_young_persons_home_shows_their_next_engagement_and_new_opportunities(worker, member, login, partnership):
    young = member(Role.YOUNG_PERSON)
    going = published(
        partnership,
        lead=worker,
        title="Panel I am going to",
        is_online=True,
        online_link="https://meet.example.org/my-room",
        starts_at=timezone.now() + datetime.timedelta(days=3),
    )
    confirm(going, young)
    for number in range(4):
        published(partnership, lead=worker, title=f"Open opportunity {number}")
    client = login(young)
    body = client.get("/me/").content.decode()
    assert "Your next engagement" in body and "Panel I am going to" in body
    assert "https://meet.example.org/my-room" in body  # confirmed: they get the link
    assert "Opportunities for you" in body
    assert sum(f"Open opportunity {n}" in body for n in range(4)) == 3
    small = count_queries(client, "/me/")
    for number in range(12):
        confirm(published(partnership, lead=worker, title=f"More {number}"), young)
    assert count_queries(client, "/me/") == small


def test_the_staff_home_shows_whats_coming_up(worker, login, partnership):
    published(partnership, lead=worker, title="Coming soon panel")
    body = login(worker).get("/staff/").content.decode()
    assert "Coming up" in body and "Coming soon panel" in body
