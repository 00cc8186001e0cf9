"""The portfolio lists what the young person made, except outputs hidden because a media consent was withdrawn."""

from __future__ import annotations

import pytest

from participants.models import Role
from participants.selectors.portfolio import portfolio_for
from tests.factories.engagements import OutputFactory

pytestmark = pytest.mark.django_db


def test_outputs_they_made_are_listed_and_hidden_ones_are_not(member, login):
    young = member(Role.YOUNG_PERSON)
    me = young.membership
    shown = OutputFactory(engagement__partnership=me.partnership, title="Our film about online safety")
    shown.contributors.add(me)
    hidden = OutputFactory(engagement__partnership=me.partnership, title="A poem nobody should see", is_hidden=True)
    hidden.contributors.add(me)
    someone_elses = OutputFactory(engagement__partnership=me.partnership, title="Somebody else's blog")
    someone_elses.contributors.add(member(Role.YOUNG_PERSON).membership)

    titles = [output.title for output in portfolio_for(young, me.pk).outputs]
    assert titles == ["Our film about online safety"]

    page = login(young).get("/me/portfolio/")
    assert "Our film about online safety" in page.content.decode()
    assert "A poem nobody should see" not in page.content.decode()


def test_outputs_add_no_query_per_output(member, django_assert_max_num_queries):
    young = member(Role.YOUNG_PERSON)
    me = young.membership
    OutputFactory(engagement__partnership=me.partnership).contributors.add(me)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as first:
        portfolio_for(young, me.pk)
    for _ in range(10):
        OutputFactory(engagement__partnership=me.partnership).contributors.add(me)
    with django_assert_max_num_queries(len(first)):
        assert len(portfolio_for(young, me.pk).outputs) == 11
