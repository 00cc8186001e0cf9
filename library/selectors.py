"""Reads of the shared library. Published examples are open to every partnership's staff; everything else is
scoped to the example's own partnership.

Every read that another partnership's staff can reach asks for status PUBLISHED, so a withdrawn example disappears
from every page, the API, search and the question pages at once. An unpublished example of another partnership is
a 404, exactly like a missing one. Young people read only their own requests to be named.

What a published example shows to other partnerships (the pages and API choose from these): the publishing
partnership's name, the reviewed text, method, outcome, age range, young_people_count when 5 or more,
`agreed_credits` (prefetched: credits with status AGREED, shown by credit_name) and `public_outputs(...)` (outputs
not hidden whose every maker's media consent counts today).
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.permissions import require
from core.tenancy import scope
from engagements.models import Output
from engagements.services.outputs import media_consents
from library.models import Example, ExampleCredit, ExampleQuestion
from participants.models import Membership, User

VIEW_EXAMPLE = "library.view_example"
Status = Example.Status


def _require_staff(actor: User) -> None:
    """Staff of a partnership (any staff role). Young people and people acting in no partnership: refused."""
    require(actor, VIEW_EXAMPLE, message="Only partnership staff can use the library.")
    if not actor.is_partnership_staff:
        raise PermissionDenied("Only partnership staff can use the library.")


def _with_public_details(examples: QuerySet[Example]) -> QuerySet[Example]:
    """The partnership (its name is shown) and the agreed credits (`agreed_credits`), in a fixed number of queries."""
    return examples.select_related("partnership").prefetch_related(
        Prefetch(
            "credits",
            queryset=ExampleCredit.objects.filter(status=ExampleCredit.Status.AGREED).order_by("credit_name", "pk"),
            to_attr="agreed_credits",
        )
    )


def library_search(
    actor: User, *, text: str = "", method: str = "", topic: str = "", age: int | None = None, outcome: str = ""
) -> QuerySet[Example]:
    """Published examples of every partnership (staff only), filtered, newest published first.

    text: every word must appear in the title, topic, what was recommended or what changed (any case). topic: a
    part of the topic. age: within the example's age range (examples with no range recorded do not match)."""
    _require_staff(actor)
    examples = Example.objects.filter(status=Status.PUBLISHED)
    for word in (text or "").split():
        examples = examples.filter(
            Q(title__icontains=word)
            | Q(topic__icontains=word)
            | Q(recommended__icontains=word)
            | Q(changed__icontains=word)
        )
    if method:
        examples = examples.filter(method=method)
    if topic and topic.strip():
        examples = examples.filter(topic__icontains=topic.strip())
    if age is not None:
        examples = examples.filter(age_min__lte=age, age_max__gte=age)
    if outcome:
        examples = examples.filter(outcome=outcome)
    return _with_public_details(examples).order_by("-published_at", "-pk")


def example_get_for_actor(actor: User, example_id: int) -> Example:
    """A published example (any partnership's staff) or one of the actor's own partnership; else 404."""
    _require_staff(actor)
    visible = Example.objects.filter(Q(status=Status.PUBLISHED) | Q(partnership=actor.partnership))
    return get_object_or_404(_with_public_details(visible), pk=example_id)


def own_examples(actor: User) -> QuerySet[Example]:
    """The actor's partnership's examples in every status (staff only), most recently changed first, with every
    credit (`all_credits`, with the young person) for the staff of the partnership."""
    _require_staff(actor)
    return (
        _with_public_details(scope(Example.objects.all(), actor))
        .select_related("created_by", "submitted_by", "approved_by")
        .prefetch_related(
            Prefetch(
                "credits",
                queryset=ExampleCredit.objects.select_related("membership__user").order_by("pk"),
                to_attr="all_credits",
            )
        )
        .order_by("-updated_at", "-pk")
    )


def credits_for(actor: User) -> QuerySet[ExampleCredit]:
    """A young person's own requests to be named (not the ones a worker took back), newest first."""
    if actor.membership is None or not actor.membership.is_young_person:
        raise PermissionDenied("Only young people have requests to be named.")
    return (
        scope(ExampleCredit.objects.all(), actor)
        .filter(membership=actor.membership)
        .exclude(status=ExampleCredit.Status.REMOVED)
        .select_related("example", "example__partnership")
        .order_by("-pk")
    )


def credit_get_for_actor(actor: User, credit_id: int) -> ExampleCredit:
    """One of the young person's own requests to be named; anyone else's is a 404."""
    return get_object_or_404(credits_for(actor), pk=credit_id)


def questions_for(actor: User) -> QuerySet[ExampleQuestion]:
    """Questions the actor's partnership asked (while the example is published), and questions about its own
    examples, newest first."""
    _require_staff(actor)
    partnership = actor.partnership
    return (
        ExampleQuestion.objects.filter(
            Q(partnership=partnership, example__status=Status.PUBLISHED) | Q(example__partnership=partnership)
        )
        .select_related("example", "example__partnership", "partnership", "asked_by", "answered_by")
        .order_by("-created_at", "-pk")
    )


def question_get_for_actor(actor: User, question_id: int) -> ExampleQuestion:
    return get_object_or_404(questions_for(actor), pk=question_id)


def public_outputs(examples: Sequence[Example], *, on: datetime.date | None = None) -> dict[int, list[Output]]:
    """For each example (by id): its outputs that may be shown outside the partnership — not hidden, at least one
    maker, and every maker's media consent counts on `on` (today). A fixed number of queries, however many."""
    ids = [example.pk for example in examples]
    shown: dict[int, list[Output]] = {pk: [] for pk in ids}
    if not ids:
        return shown
    through = Example.outputs.through
    links = list(through.objects.filter(example_id__in=ids).values_list("example_id", "output_id"))
    outputs = {
        output.pk: output
        for output in Output.objects.filter(pk__in={output_id for _, output_id in links}, is_hidden=False)
        .prefetch_related(Prefetch("contributors", queryset=Membership.objects.order_by("pk")))
        .order_by("title", "pk")
    }
    people = {person.pk: person for output in outputs.values() for person in output.contributors.all()}
    states = media_consents(people.values(), on or timezone.localdate())
    for example_id, output_id in links:
        output = outputs.get(output_id)
        if output is None:
            continue
        makers = list(output.contributors.all())
        if makers and all(states[person.pk].counts for person in makers):
            shown[example_id].append(output)
    for listed in shown.values():
        listed.sort(key=lambda output: (output.title, output.pk))
    return shown
