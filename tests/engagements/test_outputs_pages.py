"""Output pages: the staff list (flagged ones tagged in red), adding one (who can and cannot be included, and why),
an output's page (consents, flag, hide and show again, history), the file download, and a young person's own list.
"""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from engagements.models import Output
from engagements.services.outputs import output_hide, output_restore
from participants.models import Role
from safeguarding.models import Consent
from safeguarding.services.consent import consent_withdraw
from tests.engagements.test_outputs import PDF, engagement_with, make_output, media_consent, young

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture(autouse=True)
def private_storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "private"), "base_url": "/no-public-address/"},
        },
    }


def many_outputs(partnership, worker, count, *, people=4):
    """`count` outputs, each made by `people` young people, each resting on their media consents."""
    made = []
    for _ in range(count):
        makers = [young(partnership) for _ in range(people)]
        made.append(make_output(worker, engagement_with(partnership, *makers), makers))
    return made


def words(response):
    """The page's text with runs of spaces and new lines made single spaces (templates wrap long sentences)."""
    return " ".join(response.content.decode().split())


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


# --- The list ---------------------------------------------------------------------------------------------------


def test_the_list_tags_flagged_outputs_in_red_and_filters(partnership, worker, login):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    film = make_output(worker, engagement, [sam], title="The film")
    make_output(worker, engagement_with(partnership, ada), [ada], title="The poem", kind=Output.Kind.POEM)
    consent_withdraw(actor=sam.user, consent_id=film.consents.get().pk)
    client = login(worker)

    page = client.get("/staff/outputs/").content.decode()
    assert "The film" in page and "The poem" in page
    assert '<strong class="govuk-tag govuk-tag--red">Hidden: consent withdrawn</strong>' in page
    assert sam.user.full_name in page

    by_kind = client.get("/staff/outputs/", {"kind": "poem"}).content.decode()
    assert "The poem" in by_kind and "The film" not in by_kind
    by_engagement = client.get("/staff/outputs/", {"engagement": engagement.pk}).content.decode()
    assert "The film" in by_engagement and "The poem" not in by_engagement


def test_the_list_makes_the_same_number_of_queries_however_many_outputs(partnership, worker, login):
    many_outputs(partnership, worker, 3)
    client = login(worker)
    client.get("/staff/outputs/")  # warm-up: sessions, content types
    few = queries(client, "/staff/outputs/")
    many_outputs(partnership, worker, 12)
    assert Output.objects.count() == 15
    assert queries(client, "/staff/outputs/") == few


@pytest.mark.parametrize("role", [Role.FINANCE_OFFICER, Role.YOUNG_PERSON])
def test_the_staff_list_is_refused_to_those_who_do_not_see_outputs(member, login, role):
    assert login(member(role)).get("/staff/outputs/").status_code == 403


def test_the_list_does_not_show_another_partnerships_outputs(partnership, other_partnership, worker, member, login):
    theirs = young(other_partnership)
    make_output(
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
        engagement_with(other_partnership, theirs),
        [theirs],
        title="Their secret film",
    )
    assert "Their secret film" not in login(worker).get("/staff/outputs/").content.decode()


# --- Adding one -----------------------------------------------------------------------------------------------


def test_the_new_output_page_says_who_cannot_be_included_and_why(partnership, worker, login):
    sam = young(partnership)
    no_consent = young(partnership, media=False)
    under_16 = young(partnership, age=14)
    engagement = engagement_with(partnership, sam, no_consent, under_16)
    page = login(worker).get(f"/staff/engagements/{engagement.pk}/outputs/new/").content.decode()
    assert f'value="{sam.pk}"' in page
    assert f'value="{no_consent.pk}"' not in page and f'value="{under_16.pk}"' not in page
    assert f"<strong>{no_consent.user.full_name}</strong>: no media consent" in page
    assert f"<strong>{under_16.user.full_name}</strong>: they are under 16" in page
    assert "These young people cannot be included" in page


def test_a_worker_adds_an_output_with_a_file(partnership, worker, login):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    response = login(worker).post(
        f"/staff/engagements/{engagement.pk}/outputs/new/",
        {
            "title": "What we found",
            "kind": "report",
            "summary": "Our report",
            "link": "https://example.org/report",
            "contributor_ids": [sam.pk, ada.pk],
            "file": SimpleUploadedFile("report.pdf", PDF, content_type="application/pdf"),
        },
    )
    output = Output.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/staff/outputs/{output.pk}/"
    assert set(output.contributors.all()) == {sam, ada} and output.file.name.endswith(".pdf")


def test_a_bad_link_is_shown_against_its_field_and_what_was_typed_is_kept(partnership, worker, login):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    response = login(worker).post(
        f"/staff/engagements/{engagement.pk}/outputs/new/",
        {"title": "Keep me", "kind": "blog", "link": "http://example.org", "contributor_ids": [sam.pk]},
    )
    page = response.content.decode()
    assert response.status_code == 200 and not Output.objects.exists()
    assert '<a href="#id_link">Enter the link as a full https address' in page
    assert 'value="Keep me"' in page
    assert re.search(rf'value="{sam.pk}"\s+aria-describedby="[^"]+"\s+checked>', page)


def test_choosing_nobody_is_an_error_that_links_to_the_boxes(partnership, worker, login):
    engagement = engagement_with(partnership, young(partnership))
    page = (
        login(worker)
        .post(f"/staff/engagements/{engagement.pk}/outputs/new/", {"title": "T", "kind": "blog"})
        .content.decode()
    )
    assert '<a href="#id_contributor_ids">Choose at least one young person who made it</a>' in page
    assert 'id="id_contributor_ids"' in page


def test_a_contributor_whose_consent_was_withdrawn_meanwhile_is_refused_by_name(partnership, worker, login):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    client = login(worker)
    client.get(f"/staff/engagements/{engagement.pk}/outputs/new/")
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    page = client.post(
        f"/staff/engagements/{engagement.pk}/outputs/new/",
        {"title": "T", "kind": "film", "contributor_ids": [sam.pk]},
    ).content.decode()
    assert not Output.objects.exists()
    assert f"{sam.user.full_name}: their media consent was withdrawn" in page


def test_adding_to_another_partnerships_engagement_is_a_404(partnership, other_partnership, worker, login):
    engagement = engagement_with(other_partnership, young(other_partnership))
    assert login(worker).get(f"/staff/engagements/{engagement.pk}/outputs/new/").status_code == 404


def test_only_organisers_add_outputs_from_the_page(partnership, member, login):
    engagement = engagement_with(partnership, young(partnership))
    client = login(member(Role.SAFEGUARDING_LEAD))
    assert client.get(f"/staff/engagements/{engagement.pk}/outputs/new/").status_code == 403


def test_the_new_output_page_says_who_gave_media_consent_but_never_a_parents_name(partnership, worker, login):
    ada, sam = young(partnership, age=15, by_parent=True), young(partnership)
    engagement = engagement_with(partnership, ada, sam)
    page = words(login(worker).get(f"/staff/engagements/{engagement.pk}/outputs/new/"))
    assert "by a parent or carer" in page and "by them" in page
    assert "Grace Okafor" not in page and "Mother" not in page


def test_the_new_output_page_makes_a_fixed_number_of_queries(partnership, worker, login):
    people = [young(partnership) for _ in range(3)]
    engagement = engagement_with(partnership, *people)
    client = login(worker)
    url = f"/staff/engagements/{engagement.pk}/outputs/new/"
    client.get(url)
    few = queries(client, url)
    more = [young(partnership) for _ in range(12)] + [young(partnership, media=False) for _ in range(3)]
    engagement.attendees.add(*more)
    assert queries(client, url) == few


# --- An output's page -----------------------------------------------------------------------------------------


def test_the_output_page_shows_the_consents_it_rests_on_without_documents(partnership, worker, login):
    ada = young(partnership, age=15, by_parent=True)
    output = make_output(worker, engagement_with(partnership, ada), [ada], title="Ada's film")
    page = login(worker).get(f"/staff/outputs/{output.pk}/").content.decode()
    assert "Ada&#x27;s film" in page and ada.user.full_name in page
    assert "Photos, film and media" in page and "A parent or carer" in page
    assert "Grace Okafor" not in page and "Mother" not in page  # the category only, never their name
    assert f"/staff/consents/{ada.pk}/" not in page and "/form/" not in page  # no document links
    assert "History" in page and "added an output" in page


def test_a_flagged_output_shows_the_banner_and_who_blocks_showing_it_again(partnership, worker, login):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    consent_withdraw(actor=sam.user, consent_id=output.consents.get().pk)
    client = login(worker)
    page = words(client.get(f"/staff/outputs/{output.pk}/"))
    assert "Hidden: consent withdrawn" in page and "Do not use, publish or share it" in page
    assert f"<strong>{sam.user.full_name}</strong>: their media consent was withdrawn" in page

    refused = words(client.post(f"/staff/outputs/{output.pk}/", {"action": "restore"}))
    assert "There is a problem" in refused and "It cannot be shown again" in refused
    assert Output.objects.get().is_hidden


def test_a_worker_hides_with_a_reason_and_shows_it_again(partnership, worker, login):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    client = login(worker)
    missing = client.post(f"/staff/outputs/{output.pk}/", {"action": "hide", "reason": ""}).content.decode()
    assert '<a href="#id_reason">Enter why you are hiding it</a>' in missing
    assert not Output.objects.get().is_hidden

    client.post(f"/staff/outputs/{output.pk}/", {"action": "hide", "reason": "Wrong version"})
    assert Output.objects.get().is_hidden
    assert "Reason: Wrong version" in client.get(f"/staff/outputs/{output.pk}/").content.decode()

    response = client.post(f"/staff/outputs/{output.pk}/", {"action": "restore"})
    assert response.status_code == 302 and not Output.objects.get().is_hidden


def test_a_safeguarding_lead_sees_an_output_but_cannot_hide_it(partnership, worker, member, login):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    client = login(member(Role.SAFEGUARDING_LEAD))
    page = client.get(f"/staff/outputs/{output.pk}/").content.decode()
    assert "Hide it" not in page
    assert client.post(f"/staff/outputs/{output.pk}/", {"action": "hide", "reason": "x"}).status_code == 403
    assert not Output.objects.get().is_hidden


def test_another_partnerships_output_page_is_a_404(partnership, other_partnership, worker, member, login):
    theirs = young(other_partnership)
    output = make_output(
        member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership),
        engagement_with(other_partnership, theirs),
        [theirs],
    )
    client = login(worker)
    for url in (
        f"/staff/outputs/{output.pk}/",
        f"/staff/outputs/{output.pk}/edit/",
        f"/staff/outputs/{output.pk}/file/",
    ):
        assert client.get(url).status_code == 404


def test_the_output_page_links_to_its_engagement(partnership, worker, login):
    sam = young(partnership)
    engagement = engagement_with(partnership, sam)
    output = make_output(worker, engagement, [sam])
    page = login(worker).get(f"/staff/outputs/{output.pk}/").content.decode()
    assert f'href="/staff/engagements/{engagement.pk}/">{engagement.title}</a>' in page


def test_the_staff_tables_scroll_sideways_in_a_labelled_region(partnership, worker, login):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam])
    client = login(worker)
    wrapper = re.compile(r'<div class="app-table-scroll"\s+role="region"\s+aria-label="[^"]+"\s+tabindex="0"')
    assert len(wrapper.findall(client.get("/staff/outputs/").content.decode())) == 1
    assert len(wrapper.findall(client.get(f"/staff/outputs/{output.pk}/").content.decode())) == 1  # the consents


def test_the_output_page_makes_a_fixed_number_of_queries(partnership, worker, login):
    few_people = [young(partnership) for _ in range(2)]
    few = make_output(worker, engagement_with(partnership, *few_people), few_people)
    many_people = [young(partnership) for _ in range(10)]
    many = make_output(worker, engagement_with(partnership, *many_people), many_people)
    for output in (few, many):
        output_hide(actor=worker, output_id=output.pk, reason="Checking")
    client = login(worker)
    client.get(f"/staff/outputs/{few.pk}/")
    assert queries(client, f"/staff/outputs/{many.pk}/") == queries(client, f"/staff/outputs/{few.pk}/")


def test_the_edit_page_takes_someone_off(partnership, worker, login):
    sam, ada = young(partnership), young(partnership)
    output = make_output(worker, engagement_with(partnership, sam, ada), [sam, ada])
    consent_withdraw(actor=sam.user, consent_id=Consent.objects.get(membership=sam).pk)
    client = login(worker)
    page = client.get(f"/staff/outputs/{output.pk}/edit/").content.decode()
    assert f'value="{sam.pk}"' in page and "Cannot stay on it: their media consent was withdrawn" in page
    response = client.post(
        f"/staff/outputs/{output.pk}/edit/",
        {"title": output.title, "kind": output.kind, "contributor_ids": [ada.pk]},
    )
    assert response.status_code == 302
    assert list(Output.objects.get().contributors.all()) == [ada]


# --- The file ---------------------------------------------------------------------------------------------------


def _with_file(partnership, worker, people):
    from django.core.files.base import ContentFile

    return make_output(worker, engagement_with(partnership, *people), people, file=ContentFile(PDF, "a.pdf"))


def test_staff_and_contributors_download_the_file_but_not_when_hidden(partnership, worker, login, client):
    sam, ada = young(partnership), young(partnership)
    output = _with_file(partnership, worker, [sam])
    engagement_with(partnership, ada)
    response = login(worker).get(f"/staff/outputs/{output.pk}/file/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")

    client.logout()
    login(sam.user)
    assert client.get(f"/my-outputs/{output.pk}/file/").status_code == 200
    output_hide(actor=worker, output_id=output.pk, reason="Checking")
    assert client.get(f"/my-outputs/{output.pk}/file/").status_code == 404

    client.logout()
    login(ada.user)
    Output.objects.filter(pk=output.pk).update(is_hidden=False)
    assert client.get(f"/my-outputs/{output.pk}/file/").status_code == 404  # not a contributor


# --- The young person's own list -------------------------------------------------------------------------------


def test_a_young_person_sees_what_they_made_in_plain_words_and_nobody_elses_name(partnership, worker, login):
    sam, ada = young(partnership), young(partnership)
    engagement = engagement_with(partnership, sam, ada)
    make_output(worker, engagement, [sam, ada], title="Our film", link="https://example.org/film")
    hidden = make_output(worker, engagement, [sam], title="Hidden one")
    make_output(worker, engagement, [ada], title="Ada alone")
    output_hide(actor=worker, output_id=hidden.pk, reason="Checking")
    page = login(sam.user).get("/my-outputs/").content.decode()
    assert "What you made" in page and "Our film" in page and "https://example.org/film" in page
    assert "Hidden one" not in page and "Ada alone" not in page
    assert ada.user.full_name not in page


def test_my_outputs_is_for_young_people(worker, login):
    assert login(worker).get("/my-outputs/").status_code == 403


def test_my_outputs_makes_a_fixed_number_of_queries(partnership, worker, login):
    sam = young(partnership)
    for _ in range(3):
        make_output(worker, engagement_with(partnership, sam), [sam])
    client = login(sam.user)
    client.get("/my-outputs/")
    few = queries(client, "/my-outputs/")
    for _ in range(10):
        make_output(worker, engagement_with(partnership, sam), [sam])
    assert queries(client, "/my-outputs/") == few


def test_a_young_person_gets_their_media_consent_back_and_the_output_returns(partnership, worker, login):
    sam = young(partnership)
    output = make_output(worker, engagement_with(partnership, sam), [sam], title="Back again")
    consent_withdraw(actor=sam.user, consent_id=output.consents.get().pk)
    client = login(sam.user)
    assert "Back again" not in client.get("/my-outputs/").content.decode()
    new = media_consent(sam)
    Consent.objects.filter(pk=new.pk).update(given_at=timezone.now())  # after the withdrawal
    output_restore(actor=worker, output_id=output.pk)
    assert "Back again" in client.get("/my-outputs/").content.decode()
