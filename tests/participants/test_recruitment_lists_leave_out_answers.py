"""Lists of applications (the board, the list page and its CSV, the API list) never show the applicant's answers or
their unsent equality answers, so they do not read them: both stay deferred, and are never decrypted."""

from __future__ import annotations

import pytest

from participants.models import Role
from participants.selectors.recruitment import LIST_LEAVES_OUT, applications_visible_to, board_for_round
from tests.factories.recruitment import ApplicationFactory

pytestmark = pytest.mark.django_db


def test_lists_leave_the_answers_unread_and_a_single_application_reads_them(member):
    worker = member(Role.PARTICIPATION_WORKER)
    application = ApplicationFactory(round__partnership=worker.partnership, answers={"1": "I like to help"})
    listed = [row for rows in board_for_round(worker, application.round_id).values() for row in rows]
    assert [row.pk for row in listed] == [application.pk]
    assert set(LIST_LEAVES_OUT) <= listed[0].get_deferred_fields()
    (row,) = applications_visible_to(worker, answers=False)
    assert set(LIST_LEAVES_OUT) <= row.get_deferred_fields()
    (whole,) = applications_visible_to(worker)
    assert not whole.get_deferred_fields() & set(LIST_LEAVES_OUT)
    assert whole.answers == {"1": "I like to help"}
