"""Withdrawing a consent an example rests on withdraws the example: a media or data-sharing consent of a young person
named on it (agreed credit) or who made one of its outputs, withdrawn through safeguarding's consent withdrawal.
Published examples are withdrawn and examples waiting for approval go back to draft, at once, with a reason that
names no one; their agreement to be named stops standing; the partnership's library editors are emailed after the
withdrawal commits."""

from __future__ import annotations

import pytest
from django.core import mail

from core.models import AuditEvent
from library.models import Example, ExampleCredit
from library.selectors import example_get_for_actor, library_search
from library.services import publication_problems
from participants.models import Role
from safeguarding.models import Consent, ConsentType
from safeguarding.services.consent import WITHDRAW, consent_token_make, consent_withdraw, consent_withdraw_by_link
from tests.engagements.test_outputs import media_consent, young
from tests.factories.engagements import OutputFactory
from tests.factories.library import ExampleCreditFactory
from tests.factories.safeguarding import ConsentFactory
from tests.library.test_services import publishable, published, submitted

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def outsider(member, other_partnership):
    return member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)


def credited(example: Example, membership) -> ExampleCredit:
    return ExampleCreditFactory(
        example=example, membership=membership, status=ExampleCredit.Status.AGREED, credit_name="Sam"
    )


def made_output(example: Example, *makers):
    output = OutputFactory(engagement=example.engagements.get(), title="Our film")
    output.contributors.set(makers)
    example.outputs.add(output)
    return output


def withdraw_own(membership, consent_type) -> Consent:
    consent = Consent.objects.get(membership=membership, consent_type=consent_type)
    return consent_withdraw(actor=membership.user, consent_id=consent.pk)


def test_media_consent_withdrawn_for_a_credited_young_person_withdraws_the_example(
    partnership, lead, outsider, django_capture_on_commit_callbacks
):
    sam = young(partnership)
    example = published(partnership, sam)
    credit = credited(example, sam)
    assert list(library_search(outsider)) == [example]
    with django_capture_on_commit_callbacks(execute=True):
        withdraw_own(sam, ConsentType.MEDIA)
    example.refresh_from_db()
    assert example.status == Example.Status.WITHDRAWN and example.withdrawn_at is not None
    assert "consent" in example.withdrawn_reason and sam.user.full_name not in example.withdrawn_reason
    assert list(library_search(outsider)) == []
    assert ExampleCredit.objects.get(pk=credit.pk).status == ExampleCredit.Status.WITHDRAWN
    event = AuditEvent.objects.get(event_type="example.status_changed", payload__to="withdrawn")
    assert event.actor == sam.user and event.payload["because"] == "consent_withdrawn"
    library_mail = [message for message in mail.outbox if example.title in message.body]
    assert [message.to for message in library_mail] == [[lead.email]]
    assert sam.user.full_name not in library_mail[0].body and sam.user.full_name not in library_mail[0].subject


def test_media_consent_withdrawn_for_an_output_maker_withdraws_the_example(partnership, outsider):
    sam, ada = young(partnership), young(partnership)
    example = published(partnership, sam, ada)
    made_output(example, sam, ada)
    withdraw_own(ada, ConsentType.MEDIA)
    assert Example.objects.get(pk=example.pk).status == Example.Status.WITHDRAWN
    assert list(library_search(outsider)) == []


def test_data_sharing_consent_withdrawn_by_a_worker_withdraws_the_example(partnership, member):
    sam = young(partnership)
    ConsentFactory(membership=sam, consent_type=ConsentType.DATA_SHARING)
    example = published(partnership, sam)
    credited(example, sam)
    worker = member(Role.PARTICIPATION_WORKER)
    consent = Consent.objects.get(membership=sam, consent_type=ConsentType.DATA_SHARING)
    consent_withdraw(actor=worker, consent_id=consent.pk, reason="They asked us to stop sharing their details.")
    assert Example.objects.get(pk=example.pk).status == Example.Status.WITHDRAWN


def test_a_parents_withdrawal_by_signed_link_withdraws_the_example(partnership):
    sam = young(partnership, age=15, media=False)
    media_consent(sam, by_parent=True)
    example = published(partnership, sam)
    made_output(example, sam)
    consent = Consent.objects.get(membership=sam, consent_type=ConsentType.MEDIA)
    consent_withdraw_by_link(token=consent_token_make(WITHDRAW, consent.pk))
    example.refresh_from_db()
    assert example.status == Example.Status.WITHDRAWN
    assert AuditEvent.objects.get(event_type="example.status_changed", payload__to="withdrawn").actor is None


def test_an_example_waiting_for_approval_goes_back_to_draft_and_a_draft_loses_the_agreement(partnership, lead):
    sam = young(partnership)
    waiting = submitted(partnership, lead, sam)
    credited(waiting, sam)
    draft = publishable(partnership, sam)
    draft_credit = credited(draft, sam)
    withdraw_own(sam, ConsentType.MEDIA)
    assert Example.objects.get(pk=waiting.pk).status == Example.Status.DRAFT
    assert Example.objects.get(pk=draft.pk).status == Example.Status.DRAFT
    assert ExampleCredit.objects.get(pk=draft_credit.pk).status == ExampleCredit.Status.WITHDRAWN
    assert [problem.field for problem in publication_problems(draft)] == ["credits"]


@pytest.mark.parametrize("consent_type", [ConsentType.TAKING_PART, ConsentType.EMERGENCY_MEDICAL])
def test_other_consents_leave_the_library_alone(partnership, consent_type):
    sam = young(partnership)
    ConsentFactory(membership=sam, consent_type=consent_type)
    example = published(partnership, sam)
    credited(example, sam)
    withdraw_own(sam, consent_type)
    assert Example.objects.get(pk=example.pk).status == Example.Status.PUBLISHED


def test_someone_the_example_does_not_rest_on_changes_nothing(partnership, outsider):
    sam, ada = young(partnership), young(partnership)
    example = published(partnership, sam, ada)
    credited(example, sam)
    made_output(example, sam)
    ExampleCreditFactory(example=example, membership=ada, status=ExampleCredit.Status.DECLINED)
    withdraw_own(ada, ConsentType.MEDIA)  # took part, said no to being named, made nothing in it
    assert example_get_for_actor(outsider, example.pk).status == Example.Status.PUBLISHED


def test_a_consent_withdrawal_is_not_blocked_by_an_example_whose_author_has_left(partnership):
    """Example.created_by is SET_NULL when an account is deleted; a consent withdrawal must still go through."""
    sam = young(partnership)
    example = published(partnership, sam, created_by=None)
    credited(example, sam)
    withdraw_own(sam, ConsentType.MEDIA)
    assert Example.objects.get(pk=example.pk).status == Example.Status.WITHDRAWN
