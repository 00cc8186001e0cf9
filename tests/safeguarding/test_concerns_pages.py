"""Safeguarding concern pages (frontend/views/concerns.py) and the read-only Django admin for concerns."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from participants.models import Role, YoungPersonProfile
from safeguarding.models import Concern, ConcernCategory, ConcernEntry, ConcernView
from safeguarding.services import concerns as services
from tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db

WORDS = "I don't want to go home tonight. WORDS-5d1e"


@pytest.fixture
def lead(member):
    user = member(Role.SAFEGUARDING_LEAD, user__full_name="Lee Lead")
    user.second_factor_this_session = True  # for the services called directly in these tests
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


@pytest.fixture
def concern(worker, young):
    return services.concern_raise(
        actor=worker,
        category=ConcernCategory.NEGLECT,
        young_persons_words=WORDS,
        what_happened="Hungry at every session.",
        membership_id=young.membership.pk,
    )


def _subpages(concern):
    report = concern.entries.get(kind=ConcernEntry.Kind.REPORT)
    base = f"/staff/concerns/{concern.pk}"
    return [
        f"{base}/",
        f"{base}/note/",
        f"{base}/entries/{report.pk}/correct/",
        f"{base}/category/",
        f"{base}/actions/new/",
        f"{base}/referral/",
        f"{base}/outcome/",
        f"{base}/close/",
        f"{base}/reopen/",
        f"{base}/legal-hold/",
        f"{base}/delete/",
    ]


# --- Who can read a concern -----------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_a_concern_is_404_for_anyone_but_a_lead_with_the_second_factor_this_session(role, member, login, concern):
    # A safeguarding lead signed in without the second factor this session is refused like everyone else.
    client = login(member(role))
    for url in _subpages(concern):
        assert client.get(url).status_code == 404, url
        if url != f"/staff/concerns/{concern.pk}/":  # the concern's own page takes no POST at all (405)
            assert client.post(url, {"text": "x", "legal_hold": "on", "confirm": "on"}).status_code == 404, url
    assert not ConcernView.objects.exists()
    assert concern.entries.count() == 1
    assert Concern.objects.get(pk=concern.pk).legal_hold is False


def test_the_reporter_cannot_open_the_concern_they_raised(worker, login, concern):
    assert login(worker).get(f"/staff/concerns/{concern.pk}/").status_code == 404


def test_a_lead_with_the_second_factor_reads_it_and_each_read_is_recorded(lead, login_with_second_factor, concern):
    client = login_with_second_factor(lead)
    first = client.get(f"/staff/concerns/{concern.pk}/")
    assert first.status_code == 200
    body = first.content.decode()
    assert WORDS.replace("'", "&#x27;") in body and "Robin Example-Young" in body
    assert ConcernView.objects.filter(concern=concern, viewer=lead, via="page").count() == 1
    second = client.get(f"/staff/concerns/{concern.pk}/").content.decode()
    assert ConcernView.objects.filter(concern=concern, viewer=lead).count() == 2
    assert "Who has read this concern" in second and "Lee Lead" in second and "2 reads" in second


def test_another_partnerships_concern_is_404_even_for_a_lead_with_the_second_factor(
    lead, member, login_with_second_factor, other_partnership
):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    theirs = services.concern_raise(
        actor=member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
        category=ConcernCategory.OTHER,
        young_persons_words="THEIRS",
        membership_id=stranger.membership.pk,
    )
    client = login_with_second_factor(lead)
    for url in _subpages(theirs):
        assert client.get(url).status_code == 404, url
        if url != f"/staff/concerns/{theirs.pk}/":
            assert client.post(url, {"text": "x", "legal_hold": "on"}).status_code == 404, url
    assert "THEIRS" not in client.get("/staff/concerns/").content.decode()
    assert not ConcernView.objects.exists()


def test_young_people_have_no_concern_pages(young, login):
    client = login(young)
    for url in ("/staff/concerns/", "/staff/concerns/new/", "/staff/concerns/my-reports/"):
        assert client.get(url).status_code == 403


# --- Lists ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.PARTICIPATION_WORKER, Role.SAFEGUARDING_LEAD])
def test_the_list_shows_nothing_to_those_who_cannot_read(role, member, login, concern):
    body = login(member(role)).get("/staff/concerns/").content.decode()
    assert f"/staff/concerns/{concern.pk}/" not in body
    assert "Robin Example-Young" not in body
    assert "Raise a concern" in body
    if role == Role.SAFEGUARDING_LEAD:
        assert "authentication app" in body


def test_the_list_for_a_lead_filters_by_status_and_category(lead, login_with_second_factor, worker, young, concern):
    other = services.concern_raise(
        actor=worker, category=ConcernCategory.ONLINE, young_persons_words="x", about_name="Someone Else"
    )
    services.concern_outcome_record(actor=lead, concern_id=other.pk, text="done")
    services.concern_close(actor=lead, concern_id=other.pk)
    client = login_with_second_factor(lead)
    body = client.get("/staff/concerns/").content.decode()
    assert f"/staff/concerns/{concern.pk}/" in body and f"/staff/concerns/{other.pk}/" in body
    open_only = client.get("/staff/concerns/?status=open").content.decode()
    assert f"/staff/concerns/{concern.pk}/" in open_only and f"/staff/concerns/{other.pk}/" not in open_only
    online = client.get("/staff/concerns/?category=online").content.decode()
    assert f"/staff/concerns/{other.pk}/" in online and f"/staff/concerns/{concern.pk}/" not in online
    # what a list shows (who, category) is a read: one view per concern shown
    assert ConcernView.objects.filter(via="list").exists()


def test_the_reporter_sees_what_they_reported_and_nothing_after(worker, lead, login, concern, member):
    services.concern_category_change(
        actor=lead, concern_id=concern.pk, category=ConcernCategory.EMOTIONAL, text="RECAT-REASON"
    )
    services.concern_note_add(actor=lead, concern_id=concern.pk, text="LATER-NOTE")
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="THE-OUTCOME")
    services.concern_close(actor=lead, concern_id=concern.pk)
    services.concern_raise(
        actor=member(Role.FINANCE_OFFICER),
        category=ConcernCategory.OTHER,
        young_persons_words="SOMEONE-ELSES",
        about_name="X",
    )
    body = login(worker).get("/staff/concerns/my-reports/").content.decode()
    assert "WORDS-5d1e" in body and "Hungry at every session." in body
    assert "Neglect" in body  # the category when reported
    for later in ("Emotional abuse", "RECAT-REASON", "LATER-NOTE", "THE-OUTCOME", "Closed", "SOMEONE-ELSES"):
        assert later not in body, later


# --- Raising --------------------------------------------------------------------------------------------------


def test_raising_a_concern_from_the_page_tells_the_leads(
    worker, young, member, login, django_capture_on_commit_callbacks
):
    the_lead = member(Role.SAFEGUARDING_LEAD)
    client = login(worker)
    page = client.get("/staff/concerns/new/").content.decode()
    assert "Robin Example-Young" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/staff/concerns/new/",
            {
                "about": "young_person",
                "membership_id": young.membership.pk,
                "category": "online",
                "young_persons_words": "They keep sending me pictures",
                "what_happened": "",
            },
        )
    assert response.status_code == 302 and response["Location"] == "/staff/concerns/my-reports/"
    concern = Concern.objects.get()
    assert concern.membership == young.membership and concern.review_due_on == datetime.date(2033, 5, 17)
    assert [m.to for m in mail.outbox] == [[the_lead.email]]
    assert "pictures" not in mail.outbox[0].body and "Robin" not in mail.outbox[0].body


def test_raising_with_mistakes_shows_the_error_summary_and_keeps_what_was_typed(worker, login):
    response = login(worker).post(
        "/staff/concerns/new/",
        {"about": "someone_else", "about_name": "", "category": "", "young_persons_words": "", "what_happened": "KEEP"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "<title>\n      Error: Raise a safeguarding concern" in body
    assert "There is a problem" in body
    assert 'href="#id_about_name"' in body and "Enter the name of the person the concern is about" in body
    assert 'href="#id_category"' in body and 'href="#id_young_persons_words"' in body
    assert "KEEP" in body
    assert not Concern.objects.exists()


def test_a_young_person_from_another_partnership_cannot_be_chosen(worker, login, member, other_partnership):
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    response = login(worker).post(
        "/staff/concerns/new/",
        {
            "about": "young_person",
            "membership_id": stranger.membership.pk,
            "category": "other",
            "young_persons_words": "x",
        },
    )
    assert response.status_code == 200 and "Choose a young person from the list" in response.content.decode()
    assert not Concern.objects.exists()


# --- Adding to the chronology ---------------------------------------------------------------------------------


def test_a_lead_adds_a_note_a_correction_and_a_category_change(lead, login_with_second_factor, concern):
    client = login_with_second_factor(lead)
    report = concern.entries.get()
    base = f"/staff/concerns/{concern.pk}"
    assert client.post(f"{base}/note/", {"text": "Spoke to YP"}).status_code == 302
    assert client.post(f"{base}/entries/{report.pk}/correct/", {"text": "Date was 3 May"}).status_code == 302
    assert client.post(f"{base}/category/", {"category": "emotional", "text": "On reflection"}).status_code == 302
    body = client.get(f"{base}/").content.decode()
    assert "Corrected below" in body and "Date was 3 May" in body and "Spoke to YP" in body
    assert "From Neglect to Emotional abuse" in body
    assert ConcernEntry.objects.get(pk=report.pk).text == WORDS
    assert Concern.objects.get(pk=concern.pk).category == ConcernCategory.EMOTIONAL


def test_an_empty_note_is_an_error_on_the_page(lead, login_with_second_factor, concern):
    response = login_with_second_factor(lead).post(f"/staff/concerns/{concern.pk}/note/", {"text": " "})
    body = response.content.decode()
    assert response.status_code == 200 and "Error: Add a note" in body and "Enter the note" in body
    assert concern.entries.count() == 1


def test_an_action_is_added_and_marked_done(lead, login_with_second_factor, concern, worker):
    client = login_with_second_factor(lead)
    base = f"/staff/concerns/{concern.pk}"
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    assert (
        client.post(f"{base}/actions/new/", {"text": "Call GP", "owner": worker.pk, "due_on": due}).status_code == 302
    )
    action = concern.entries.get(kind=ConcernEntry.Kind.ACTION)
    assert action.action_owner == worker
    assert client.post(f"{base}/actions/{action.pk}/done/", {"text": "Called"}).status_code == 302
    assert concern.entries.filter(kind=ConcernEntry.Kind.ACTION_DONE, details__action=action.pk).exists()
    report = concern.entries.get(kind=ConcernEntry.Kind.REPORT)
    assert client.get(f"{base}/actions/{report.pk}/done/").status_code == 404  # not an action


def test_an_action_for_someone_outside_the_staff_is_refused_on_the_owner_field(
    lead, login_with_second_factor, concern, young
):
    due = (timezone.localdate() + datetime.timedelta(days=7)).isoformat()
    response = login_with_second_factor(lead).post(
        f"/staff/concerns/{concern.pk}/actions/new/", {"text": "x", "owner": young.pk, "due_on": due}
    )
    assert response.status_code == 200 and 'href="#id_owner"' in response.content.decode()


def test_referral_outcome_close_and_reopen(lead, login_with_second_factor, concern):
    client = login_with_second_factor(lead)
    base = f"/staff/concerns/{concern.pk}"
    assert client.post(f"{base}/referral/", {"agency": "lado", "text": "Ref 77"}).status_code == 302
    refused = client.post(f"{base}/close/", {"text": ""})
    assert refused.status_code == 200 and "Record the outcome before you close" in refused.content.decode()
    assert client.post(f"{base}/outcome/", {"text": "Support plan"}).status_code == 302
    assert client.post(f"{base}/close/", {"text": ""}).status_code == 302
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.CLOSED
    assert client.post(f"{base}/reopen/", {"text": "New information"}).status_code == 302
    assert Concern.objects.get(pk=concern.pk).status == Concern.Status.OPEN
    kinds = list(concern.entries.values_list("kind", flat=True))
    assert kinds == ["report", "referral", "outcome", "status_change", "status_change"]


def test_legal_hold_blocks_deletion_on_the_page(lead, login_with_second_factor, concern):
    services.concern_outcome_record(actor=lead, concern_id=concern.pk, text="NFA")
    services.concern_close(actor=lead, concern_id=concern.pk)
    Concern.objects.filter(pk=concern.pk).update(review_due_on=datetime.date(2000, 1, 1))
    client = login_with_second_factor(lead)
    base = f"/staff/concerns/{concern.pk}"
    assert client.post(f"{base}/legal-hold/", {"legal_hold": "on", "text": "Court case"}).status_code == 302
    assert Concern.objects.get(pk=concern.pk).legal_hold is True
    # A resubmitted "put on hold" is refused, never turned into lifting the hold.
    again = client.post(f"{base}/legal-hold/", {"legal_hold": "on", "text": "Court case"})
    assert again.status_code == 200 and "already on legal hold" in again.content.decode()
    response = client.post(f"{base}/delete/", {"confirm": "on"})
    assert response.status_code == 200 and "on legal hold, so it cannot be deleted" in response.content.decode()
    assert Concern.objects.filter(pk=concern.pk).exists()
    assert concern.pk not in [c.pk for c in client.get("/staff/concerns/review/").context["page"]]

    assert client.post(f"{base}/legal-hold/", {"legal_hold": "off", "text": "Case over"}).status_code == 302
    review = client.get("/staff/concerns/review/").content.decode()
    assert f"/staff/concerns/{concern.pk}/" in review
    assert "Delete after review" in client.get(f"{base}/").content.decode()
    assert client.post(f"{base}/delete/", {"confirm": "on"}).status_code == 302
    assert not Concern.objects.filter(pk=concern.pk).exists()


# --- The Django admin is read-only ----------------------------------------------------------------------------


@pytest.fixture
def operator_client(admin_client, admin_user):
    from allauth.mfa.totp.internal.auth import TOTP

    from tests.factories import STAFF_TOTP_SECRET

    TOTP.activate(admin_user, STAFF_TOTP_SECRET)
    return admin_client


def test_the_admin_cannot_edit_or_delete_an_entry_and_shows_no_concern_text(operator_client, concern):
    entry = concern.entries.get()
    change = f"/django-admin/safeguarding/concernentry/{entry.pk}/change/"
    page = operator_client.get(change)
    assert page.status_code == 200
    assert "WORDS-5d1e" not in page.content.decode() and "<textarea" not in page.content.decode()
    assert operator_client.post(change, {"text": "rewritten", "kind": "note"}).status_code == 403
    delete = operator_client.post(f"/django-admin/safeguarding/concernentry/{entry.pk}/delete/", {"post": "yes"})
    assert delete.status_code == 403
    assert operator_client.get("/django-admin/safeguarding/concernentry/add/").status_code == 403
    bulk = operator_client.post(
        "/django-admin/safeguarding/concernentry/", {"action": "delete_selected", "_selected_action": [entry.pk]}
    )
    assert bulk.status_code in (200, 302)
    assert ConcernEntry.objects.get(pk=entry.pk).text == WORDS


def test_the_admin_lists_concerns_without_their_text(operator_client, concern):
    for url in (
        "/django-admin/safeguarding/concern/",
        f"/django-admin/safeguarding/concern/{concern.pk}/change/",
        "/django-admin/safeguarding/concernentry/",
    ):
        body = operator_client.get(url).content.decode()
        for secret in ("WORDS-5d1e", "Hungry at every session", "Robin Example-Young", "Neglect"):
            assert secret not in body, (url, secret)
    change = f"/django-admin/safeguarding/concern/{concern.pk}/change/"
    assert operator_client.post(change, {"legal_hold": "on"}).status_code == 403
    assert (
        operator_client.post(f"/django-admin/safeguarding/concern/{concern.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert Concern.objects.filter(pk=concern.pk).exists()


def test_the_admin_shows_concerns_to_no_one_but_superusers(client, member, concern):
    operator = member(Role.SAFEGUARDING_LEAD)  # even a lead: the admin is not scoped to a partnership
    operator.is_staff = True
    operator.save()  # a staff membership already comes with a TOTP authenticator (the factory adds one)
    client.force_login(operator, backend="allauth.account.auth_backends.AuthenticationBackend")
    for url in ("/django-admin/safeguarding/concern/", f"/django-admin/safeguarding/concern/{concern.pk}/change/"):
        assert client.get(url).status_code == 403, url


# --- Query counts do not grow ---------------------------------------------------------------------------------


def _count(client, url):
    client.get(url)  # warm up: the first request after sign-in also writes the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(queries)


def _concerns(worker, young, how_many):
    for _ in range(how_many):
        services.concern_raise(
            actor=worker, category=ConcernCategory.OTHER, young_persons_words="w", membership_id=young.membership.pk
        )


@pytest.mark.parametrize("url", ["/staff/concerns/", "/staff/concerns/review/"])
def test_the_lists_make_the_same_queries_for_5_and_50_concerns(url, lead, worker, young, login_with_second_factor):
    client = login_with_second_factor(lead)
    _concerns(worker, young, 5)
    Concern.objects.update(review_due_on=datetime.date(2000, 1, 1))
    small = _count(client, url)
    _concerns(worker, young, 45)
    Concern.objects.update(review_due_on=datetime.date(2000, 1, 1))
    large = _count(client, url)
    assert len(client.get(url).context["page"].object_list) == 50
    assert large == small, f"{url}: {small} queries for 5 concerns, {large} for 50"


def test_my_reports_makes_the_same_queries_for_5_and_50_reports(worker, young, login):
    client = login(worker)
    _concerns(worker, young, 5)
    small = _count(client, "/staff/concerns/my-reports/")
    _concerns(worker, young, 45)
    large = _count(client, "/staff/concerns/my-reports/")
    assert large == small


def test_the_raise_page_makes_the_same_queries_for_5_and_50_young_people(worker, login, partnership):
    client = login(worker)
    MembershipFactory.create_batch(5, partnership=partnership, roles=[Role.YOUNG_PERSON])
    small = _count(client, "/staff/concerns/new/")
    MembershipFactory.create_batch(45, partnership=partnership, roles=[Role.YOUNG_PERSON])
    large = _count(client, "/staff/concerns/new/")
    assert large == small


def _add_entries(lead, concern, owner, how_many):
    report = concern.entries.get(kind=ConcernEntry.Kind.REPORT)
    due = timezone.localdate() + datetime.timedelta(days=5)
    for n in range(how_many):
        kind = n % 5
        if kind == 0:
            services.concern_note_add(actor=lead, concern_id=concern.pk, text=f"note {n}")
        elif kind == 1:
            services.concern_correction_add(actor=lead, concern_id=concern.pk, corrects_id=report.pk, text=f"c {n}")
        elif kind == 2:
            action = services.concern_action_add(
                actor=lead, concern_id=concern.pk, text=f"a {n}", owner_id=owner.pk, due_on=due
            )
            services.concern_action_done(actor=lead, concern_id=concern.pk, action_id=action.pk)
        elif kind == 3:
            services.concern_referral_add(actor=lead, concern_id=concern.pk, agency="police", text=f"r {n}")
        else:
            services.concern_open(actor=lead, concern_id=concern.pk)


def test_the_concern_pages_make_the_same_queries_for_5_and_50_entries(
    lead, worker, login_with_second_factor, concern, member
):
    client = login_with_second_factor(lead)
    urls = _subpages(concern)
    _add_entries(lead, concern, worker, 5)
    small = {url: _count(client, url) for url in urls}
    _add_entries(lead, concern, worker, 45)
    for _ in range(5):
        member(Role.PARTICIPATION_WORKER)  # more staff to choose an action's owner from
    large = {url: _count(client, url) for url in urls}
    assert concern.entries.count() > 50
    assert large == small
    assert max(large.values()) <= 20


def test_the_audit_log_says_a_concern_was_raised_and_nothing_of_what_it_says(member, login, lead, concern):
    services.concern_note_add(actor=lead, concern_id=concern.pk, text="NOTE-TEXT")
    body = login(member(Role.PARTNERSHIP_ADMIN)).get("/staff/audit-log/").content.decode()
    assert "concern" in body
    for secret in ("WORDS-5d1e", "Hungry at every session", "NOTE-TEXT", "Robin Example-Young", "Neglect", "neglect"):
        assert secret not in body, secret


def test_an_error_on_radios_links_to_the_first_radio(worker, login):
    body = (
        login(worker).post("/staff/concerns/new/", {"category": "other", "young_persons_words": "x"}).content.decode()
    )
    assert 'href="#id_about_1"' in body and 'id="id_about_1"' in body


def test_seeing_a_concern_in_the_list_is_recorded_as_a_read(member, login_with_second_factor):
    from safeguarding.models import ConcernView
    from tests.factories.safeguarding import ConcernFactory

    lead = member(Role.SAFEGUARDING_LEAD)
    concern = ConcernFactory(membership=member(Role.YOUNG_PERSON).membership)
    login_with_second_factor(lead).get("/staff/concerns/")
    assert ConcernView.objects.filter(concern=concern, viewer=lead, via="list").count() == 1
