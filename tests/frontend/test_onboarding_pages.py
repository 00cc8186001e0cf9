import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from participants.models import OnboardingItem, Role
from participants.services.onboarding import onboarding_create_for
from tests.factories import MembershipFactory
from tests.factories.recruitment import RoundFactory

pytestmark = pytest.mark.django_db


def test_the_young_person_sees_what_is_left_before_taking_part(member, login):
    person = member(Role.YOUNG_PERSON)
    items = onboarding_create_for(membership=person.membership, under_16=True)
    items[0].status = OnboardingItem.Status.DONE
    items[0].save()
    body = login(person).get("/me/").content.decode()
    assert "What is left before you can take part" in body
    assert f"You have done 1 of {len(items)}." in body
    assert "Consent from your parent or carer" in body


def test_a_young_person_with_everything_done_is_told_they_are_ready(member, login):
    person = member(Role.YOUNG_PERSON)
    for item in onboarding_create_for(membership=person.membership, under_16=False):
        item.status = OnboardingItem.Status.DONE
        item.save()
    assert "You are ready to take part" in login(person).get("/me/").content.decode()


def test_a_worker_sees_everyones_checklist_and_marks_an_item_done(member, login, partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    person = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=person.membership, under_16=False)
    client = login(worker)
    body = client.get("/staff/onboarding/").content.decode()
    assert person.full_name in body and "Say yes to taking part" in body

    response = client.post(
        f"/staff/onboarding/{person.membership.pk}/training.what_is_scrutiny/", {"status": "done"}, follow=True
    )
    assert response.status_code == 200
    item = OnboardingItem.objects.get(membership=person.membership, key="training.what_is_scrutiny")
    assert item.status == OnboardingItem.Status.DONE and item.completed_by == worker


def test_another_partnerships_checklist_item_is_404(member, login, other_partnership):
    worker = member(Role.PARTICIPATION_WORKER)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    onboarding_create_for(membership=stranger.membership, under_16=False)
    response = login(worker).post(
        f"/staff/onboarding/{stranger.membership.pk}/training.what_is_scrutiny/", {"status": "done"}
    )
    assert response.status_code == 404
    assert not OnboardingItem.objects.filter(status=OnboardingItem.Status.DONE).exists()


def test_finance_and_young_people_cannot_see_onboarding(member, login):
    for role in (Role.FINANCE_OFFICER, Role.YOUNG_PERSON):
        assert login(member(role)).get("/staff/onboarding/").status_code == 403


def test_onboarding_overview_query_count_does_not_grow(member, login, partnership):
    client = login(member(Role.PARTICIPATION_WORKER))

    def grow(n):
        for _ in range(n):
            onboarding_create_for(
                membership=MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]), under_16=False
            )

    grow(5)
    client.get("/staff/onboarding/")
    with CaptureQueriesContext(connection) as small:
        client.get("/staff/onboarding/")
    grow(45)
    with CaptureQueriesContext(connection) as large:
        assert client.get("/staff/onboarding/").status_code == 200
    assert len(large) == len(small)


def test_refer_a_friend_page_names_the_field_on_a_mistake(member, login, partnership):
    RoundFactory(partnership=partnership)
    client = login(member(Role.YOUNG_PERSON))
    assert "Invite a friend to apply" in client.get("/me/").content.decode()
    round_id = RoundFactory._meta.model.objects.get().pk
    response = client.post("/me/refer/", {"friend_name": "Alex", "friend_email": "not-an-email", "round": round_id})
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter an email address in the correct format" in body
    assert 'value="Alex"' in body


def test_consent_items_cannot_be_marked_done_by_hand(member, login):
    worker = member(Role.PARTICIPATION_WORKER)
    person = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=person.membership, under_16=True)
    client = login(worker)
    client.post(f"/staff/onboarding/{person.membership.pk}/consent.parent_carer/", {"status": "done"})
    item = OnboardingItem.objects.get(membership=person.membership, key="consent.parent_carer")
    assert item.status == OnboardingItem.Status.TO_DO


def test_the_next_address_cannot_send_a_worker_to_another_site(member, login):
    worker = member(Role.PARTICIPATION_WORKER)
    person = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=person.membership, under_16=False)
    response = login(worker).post(
        f"/staff/onboarding/{person.membership.pk}/payment.setup/",
        {"status": "done", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/staff/onboarding/"


def test_someone_who_may_not_change_onboarding_is_refused_before_the_form_is_read(member, login):
    """A finance officer posting an empty form gets 403, not the "choose done, not needed or to do" message."""
    young = member(Role.YOUNG_PERSON)
    onboarding_create_for(membership=young.membership, under_16=False)
    url = f"/staff/onboarding/{young.membership.pk}/training.what_is_scrutiny/"
    client = login(member(Role.FINANCE_OFFICER))
    assert client.post(url, {}).status_code == 403
    assert client.post(url, {"status": "done"}).status_code == 403
    assert not OnboardingItem.objects.filter(status=OnboardingItem.Status.DONE).exists()
