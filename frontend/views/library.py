"""The shared library's pages: every partnership's staff browse and search published participation examples and ask
the publishing partnership a question; a partnership drafts examples from its own engagements, reviews and edits
them, asks young people whether they want to be named, submits, approves (a different person), sends back and
withdraws them; young people answer whether they want their name on an example.

What another partnership's staff see is only what library.models says may leave the partnership: the publishing
partnership's name, the reviewed text, method, topic, outcome, age range, a count of 5 or more, the names young people
agreed to, and outputs whose makers' media consent counts today (title, kind and link only). Never engagement dates,
places, staff or contributor names. An example of another partnership that is not published is a 404 on every page,
exactly like one that does not exist; pages that change an example are for its own partnership only (a 404 for
anyone else's, published or not).

Thin: parse input, call a selector or service, render. The rules live in library.services; its refusals are shown
against the fields they name, keeping what was typed. A refused submission or approval lists every publication
problem in the error summary, each linking to the field to fix.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import URLPattern, path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.exceptions import ApplicationError
from core.permissions import require
from core.tenancy import scope
from engagements.models import Attendance, Engagement, Output
from engagements.services.outputs import media_consents
from frontend.forms.library import (
    NO,
    SERVICE_FIELD_TO_FORM,
    YES,
    AnswerForm,
    CreditAnswerForm,
    CreditAskForm,
    ExampleEditForm,
    ExampleNewForm,
    LibrarySearchForm,
    QuestionForm,
    ReasonForm,
    review_field_name,
    ticked,
)
from frontend.forms.opportunities import apply_error
from frontend.views.home import acting_user
from library.models import Example, ExampleCredit, ExampleQuestion
from library.selectors import (
    credit_get_for_actor,
    credits_for,
    example_get_for_actor,
    library_search,
    own_examples,
    public_outputs,
    questions_for,
)
from library.services import (
    credit_answer,
    credit_ask,
    credit_remove,
    example_approve,
    example_draft,
    example_review,
    example_send_back,
    example_submit,
    example_update,
    example_withdraw,
    field_is_reviewed,
    publication_problems,
    question_answer,
    question_ask,
)
from participants.equality import SMALLEST_COUNT_SHOWN
from participants.models import Membership, User

ServiceError = (ApplicationError, DjangoValidationError)
VIEW = "library.view_example"
CHANGE = "library.change_example"
APPROVE = "library.approve_example"
WITHDRAW = "library.withdraw_example"
ASK = "library.ask_question"
ANSWER = "library.answer_question"
Status = Example.Status
CreditStatus = ExampleCredit.Status
PAGE_SIZE = 20
# The free-text fields after the title, as the example's page names them.
TEXT_LABELS = {
    "topic": "Topic",
    "recruitment": "How young people were recruited",
    "support": "How they were prepared and supported",
    "recommended": "What they recommended",
    "changed": "What changed",
}
# What example_update changes (it puts a submitted or withdrawn example back to draft; a published one is withdrawn
# first).
EDITABLE = (Status.DRAFT, Status.SUBMITTED, Status.WITHDRAWN)
# Credits still waiting for, or holding, an answer: the same young person is not asked twice.
OPEN_CREDITS = (CreditStatus.ASKED, CreditStatus.AGREED)
SCALAR_FIELDS = ("method", "outcome", "age_min", "age_max", "young_people_count")
# A publication problem's field, as the edit form's field (its input's id is "id_" + this) and the detail page's row.
PROBLEM_FORM_FIELD = {
    "engagements": "engagement_ids",
    "engagement_ids": "engagement_ids",
    "outputs": "output_ids",
    "output_ids": "output_ids",
    "age": "age_min",
}
PROBLEM_DETAIL_ROW = {
    "engagement_ids": "engagements",
    "output_ids": "outputs",
    "age_min": "age",
    "age_max": "age",
    "age": "age",
    "credit": "credits",
    "credits": "credits",
    "approved_by": "status",
}


def _staff(request: HttpRequest, perm: str = VIEW) -> User:
    """Staff of any partnership with `perm` (young people have their own page: their credits)."""
    user: User = acting_user(request)
    if not (user.is_partnership_staff and user.has_perm(perm)):
        raise PermissionDenied("You do not have permission to do that.")
    return user


def _young_person(request: HttpRequest) -> User:
    user: User = acting_user(request)
    if not user.has_perm("participants.view_young_person_home"):
        raise PermissionDenied("This page is for young scrutineers.")
    return user


def _is_own(user: User, example: Example) -> bool:
    return bool(example.partnership_id == user.partnership_id)


def _own_example(user: User, example_id: int, perm: str) -> Example:
    """An example of the actor's own partnership they may `perm`; another partnership's is a 404, published or not
    (only its own partnership changes it), and one of their own they may not change is a 403."""
    example = example_get_for_actor(user, example_id)
    if not _is_own(user, example):
        raise Http404("No such example.")
    require(user, perm, example)
    return example


def reviewed_fields(example: Example) -> set[str]:
    """The text fields reviewed as they read now (an edit after the review needs a fresh one)."""
    return {field for field in Example.TEXT_FIELDS if field_is_reviewed(example, field)}


def age_range(example: Example) -> str:
    low, high = example.age_min, example.age_max
    if low is not None and high is not None:
        return f"{low} to {high}" if low != high else str(low)
    if low is not None:
        return f"{low} and over"
    if high is not None:
        return f"Up to {high}"
    return "Not given"


def count_shown(example: Example) -> str:
    """How many took part, as anyone outside the partnership may see it: 5 or more, else nothing."""
    count = example.young_people_count
    if count is None:
        return ""
    return str(count) if count >= SMALLEST_COUNT_SHOWN else f"Fewer than {SMALLEST_COUNT_SHOWN}"


@dataclass(frozen=True)
class OutputRow:
    output: Output
    problem: str  # "" when it may be shared

    @property
    def shared(self) -> bool:
        return not self.problem


def _output_rows(outputs: Iterable[Output]) -> list[OutputRow]:
    """Each output with why it cannot be shared ("" when it can), by the rule of library.selectors.public_outputs:
    not hidden, someone is recorded as making it, and every maker's media consent counts today. Contributors must be
    prefetched; the consents take a fixed number of queries."""
    outputs = list(outputs)
    makers = {person.pk: person for output in outputs for person in output.contributors.all()}
    consents = media_consents(makers.values(), timezone.localdate())
    rows = []
    for output in outputs:
        people = list(output.contributors.all())
        if output.is_hidden:
            problem = "It is hidden in your records"
        elif not people:
            problem = "Nobody is recorded as making it"
        elif not all(consents[person.pk].counts for person in people):
            problem = "The media consent of someone who made it does not count today"
        else:
            problem = ""
        rows.append(OutputRow(output, problem))
    return rows


# --- Publication problems -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ProblemLink:
    field: str
    message: str
    href: str


def _problem_href(example: Example, field: str, *, editable: bool) -> str:
    """Where to fix a problem: the field on the edit page of a draft its reader may change, else its row here."""
    row = PROBLEM_DETAIL_ROW.get(field, field)
    if row == "credits":
        return f"{reverse('library_detail', args=[example.pk])}#credits"
    if row in ("status", ""):
        return f"{reverse('library_detail', args=[example.pk])}#field-status"
    if editable:
        name = PROBLEM_FORM_FIELD.get(field, field)
        anchor = f"id_{name}" if name in (*Example.TEXT_FIELDS, *SCALAR_FIELDS, "engagement_ids", "output_ids") else ""
        return reverse("library_edit", args=[example.pk]) + (f"#{anchor}" if anchor else "")
    return f"{reverse('library_detail', args=[example.pk])}#field-{row}"


def _problem_links(example: Example, problems: Iterable[Any], *, editable: bool) -> list[ProblemLink]:
    """Problems (library.services.Problem, or the {"field", "message"} a refusal carries) with their links."""
    links = []
    for problem in problems:
        field = problem["field"] if isinstance(problem, dict) else problem.field
        message = problem["message"] if isinstance(problem, dict) else problem.message
        links.append(ProblemLink(field or "", message, _problem_href(example, field or "", editable=editable)))
    return links


def _refusal_problems(error: ApplicationError | DjangoValidationError) -> list[dict[str, str]]:
    if isinstance(error, ApplicationError):
        problems = error.extra.get("problems")
        if problems:
            return [{"field": p.get("field", ""), "message": p.get("message", "")} for p in problems]
        return [{"field": error.extra.get("field") or "", "message": error.message}]
    if hasattr(error, "error_dict"):
        return [
            {"field": "" if name == "__all__" else name, "message": message}
            for name, messages_ in error.message_dict.items()
            for message in messages_
        ]
    return [{"field": "", "message": message} for message in error.messages]


# --- Browsing and searching -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    example: Example
    age_range: str


@login_required
@require_GET
def library_list(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    form = LibrarySearchForm(request.GET or None)
    examples = library_search(user, **form.filters()).select_related("partnership")
    page = Paginator(examples, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "library/list.html",
        {
            "form": form,
            "page": page,
            "rows": [Row(example, age_range(example)) for example in page.object_list],
            "query": query.urlencode(),
            "searched": bool(form.filters()),
            "can_draft": user.has_perm(CHANGE),
        },
    )


@login_required
@require_GET
def library_own(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    examples = list(own_examples(user).select_related("partnership").order_by("-updated_at", "-pk"))
    groups = [
        (status, label, [Row(example, age_range(example)) for example in examples if example.status == status])
        for status, label in Status.choices
    ]
    return render(
        request,
        "library/own.html",
        {"groups": groups, "partnership": user.partnership, "can_draft": user.has_perm(CHANGE)},
    )


# --- An example's page ----------------------------------------------------------------------------------------------


def _agreed_credits(example: Example) -> list[ExampleCredit]:
    """The young people who agreed to be named (prefetched by library.selectors as `agreed_credits`)."""
    prefetched = getattr(example, "agreed_credits", None)
    if prefetched is not None:
        return list(prefetched)
    return list(example.credits.filter(status=CreditStatus.AGREED).order_by("credit_name", "pk"))


def _detail_context(user: User, example: Example) -> dict[str, Any]:
    own = _is_own(user, example)
    context: dict[str, Any] = {
        "example": example,
        "own": own,
        "age_range": age_range(example),
        "count_shown": count_shown(example),
        "shared_outputs": public_outputs([example])[example.pk],
        "agreed_credits": _agreed_credits(example),
        "text_rows": [
            (field, label, getattr(example, field)) for field, label in TEXT_LABELS.items() if field != "topic"
        ],
        "can_ask": not own and user.has_perm(ASK, example),
    }
    if not own:
        context["questions"] = list(
            example.questions.filter(partnership=user.partnership).select_related("asked_by", "answered_by")
        )
        return context
    editable = example.status in EDITABLE and user.has_perm(CHANGE, example)
    reviewed = reviewed_fields(example)
    can_approve = user.has_perm(APPROVE, example)
    outputs = example.outputs.select_related("engagement").prefetch_related("contributors").order_by("pk")
    context.update(
        {
            "output_rows": _output_rows(outputs),
            "engagements": list(example.engagements.order_by("-starts_at", "pk")),
            "credits": list(example.credits.select_related("membership__user").order_by("pk")),
            "questions": list(example.questions.select_related("partnership", "asked_by", "answered_by")),
            "review_rows": [
                (field, label, field in reviewed) for field, label in {"title": "Title", **TEXT_LABELS}.items()
            ],
            "editable": editable,
            "can_change": user.has_perm(CHANGE, example),
            "can_submit": example.status == Status.DRAFT and user.has_perm(CHANGE, example),
            "can_approve": example.status == Status.SUBMITTED and can_approve and example.submitted_by_id != user.pk,
            "submitted_by_you": example.status == Status.SUBMITTED and example.submitted_by_id == user.pk,
            "can_send_back": example.status == Status.SUBMITTED and (can_approve or user.has_perm(CHANGE, example)),
            "can_withdraw": example.status == Status.PUBLISHED and user.has_perm(WITHDRAW, example),
            "can_ask_credit": example.status in (Status.DRAFT, Status.SUBMITTED) and user.has_perm(CHANGE, example),
            "can_answer": user.has_perm(ANSWER, example),
        }
    )
    context["show_problems"] = example.status in (Status.DRAFT, Status.SUBMITTED)
    if context["show_problems"]:
        context["problems"] = _problem_links(example, publication_problems(example), editable=editable)
    return context


def _render_detail(
    request: HttpRequest, user: User, example: Example, refusal: list[dict[str, str]] | None = None
) -> HttpResponse:
    context = _detail_context(user, example)
    if refusal is not None:
        context["refusal"] = _problem_links(example, refusal, editable=context.get("editable", False))
    return render(request, "library/detail.html", context)


@login_required
@require_GET
def library_detail(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request)
    example = example_get_for_actor(user, example_id)
    require(user, VIEW, example)
    return _render_detail(request, user, example)


@login_required
@require_POST
def library_submit(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, CHANGE)
    example = _own_example(user, example_id, CHANGE)
    try:
        example_submit(actor=user, example_id=example.pk)
    except ServiceError as error:
        return _render_detail(request, user, example, _refusal_problems(error))
    messages.success(request, "It was sent for approval. Someone else in your partnership must approve it.")
    return redirect("library_detail", example_id=example.pk)


@login_required
@require_POST
def library_approve(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, APPROVE)
    example = _own_example(user, example_id, APPROVE)
    try:
        example_approve(actor=user, example_id=example.pk)
    except ServiceError as error:
        return _render_detail(request, user, example, _refusal_problems(error))
    messages.success(request, "It is published. Staff of every partnership can now find it in the library.")
    return redirect("library_detail", example_id=example.pk)


def _reason_page(
    request: HttpRequest,
    user: User,
    example: Example,
    *,
    template: str,
    label: str,
    help_text: str,
    act: Any,
    done: str,
) -> HttpResponse:
    form = ReasonForm(request.POST if request.method == "POST" else None, label=label, help_text=help_text)
    if request.method == "POST" and form.is_valid():
        try:
            act(actor=user, example_id=example.pk, reason=form.cleaned_data["reason"])
        except ServiceError as error:
            apply_error(form, error, {})
        else:
            messages.success(request, done)
            return redirect("library_detail", example_id=example.pk)
    return render(request, template, {"form": form, "example": example})


@login_required
@require_http_methods(["GET", "POST"])
def library_send_back(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, APPROVE)
    example = _own_example(user, example_id, APPROVE)
    return _reason_page(
        request,
        user,
        example,
        template="library/send_back.html",
        label="Why are you sending it back?",
        help_text="The person who wrote it sees this. Do not include anyone's name or personal details.",
        act=example_send_back,
        done="It is a draft again and can be changed.",
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_withdraw(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, WITHDRAW)
    example = _own_example(user, example_id, WITHDRAW)
    return _reason_page(
        request,
        user,
        example,
        template="library/withdraw.html",
        label="Why are you withdrawing it?",
        help_text="Only your partnership sees this. Do not include anyone's name or personal details.",
        act=example_withdraw,
        done="It was withdrawn. It is no longer in the library for any partnership.",
    )


# --- Drafting and editing --------------------------------------------------------------------------------------------


def _past_engagements(user: User, *, also: Iterable[int] = ()) -> QuerySet[Engagement]:
    """The partnership's engagements that have taken place (completed, or published and over: as
    library.services takes them), latest first, and those in `also` (the example's own, whatever became of them)."""
    happened = Q(status=Engagement.Status.COMPLETED) | Q(
        status=Engagement.Status.PUBLISHED, ends_at__lte=timezone.now()
    )
    return scope(Engagement.objects.all(), user).filter(happened | Q(pk__in=list(also))).order_by("-starts_at", "-pk")


@login_required
@require_http_methods(["GET", "POST"])
def library_new(request: HttpRequest) -> HttpResponse:
    user = _staff(request, CHANGE)
    require(user, CHANGE)
    engagements = list(_past_engagements(user))
    form = ExampleNewForm(
        request.POST if request.method == "POST" else None, engagement_ids=[e.pk for e in engagements]
    )
    if request.method == "POST" and form.is_valid():
        try:
            example = example_draft(
                actor=user,
                engagement_ids=form.cleaned_data["engagement_ids"],
                method=form.cleaned_data["method"] or "",
            )
        except ServiceError as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(
                request,
                "A draft was written from your records. Check every part, take out anything personal, and tick "
                "each one as reviewed.",
            )
            return redirect("library_edit", example_id=example.pk)
    return render(
        request,
        "library/new.html",
        {"form": form, "engagements": engagements, "selected": ticked(form, "engagement_ids")},
    )


def _current(example: Example, engagement_ids: list[int], output_ids: list[int]) -> dict[str, Any]:
    return {
        **{name: getattr(example, name) for name in (*Example.TEXT_FIELDS, *SCALAR_FIELDS)},
        "engagement_ids": sorted(engagement_ids),
        "output_ids": sorted(output_ids),
    }


@login_required
@require_http_methods(["GET", "POST"])
def library_edit(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, CHANGE)
    example = _own_example(user, example_id, CHANGE)
    if example.status not in EDITABLE:
        messages.info(request, "A published example cannot be changed: withdraw it first.")
        return redirect("library_detail", example_id=example.pk)
    current_engagements = list(example.engagements.values_list("pk", flat=True))
    current_outputs = list(example.outputs.values_list("pk", flat=True))
    engagements = list(_past_engagements(user, also=current_engagements))
    posted = request.POST.getlist("engagement_ids") if request.method == "POST" else []
    chosen = set(current_engagements) | {int(pk) for pk in posted if pk.isdigit() and len(pk) < 12}
    outputs = list(
        scope(Output.objects.all(), user)
        .filter(Q(engagement_id__in=chosen) | Q(pk__in=current_outputs))
        .select_related("engagement")
        .prefetch_related("contributors")
        .order_by("engagement__starts_at", "pk")
    )
    reviewed = reviewed_fields(example)
    current = _current(example, current_engagements, current_outputs)
    initial = {**current, **{review_field_name(field): field in reviewed for field in Example.TEXT_FIELDS}}
    form = ExampleEditForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        engagement_ids=[e.pk for e in engagements],
        output_ids=[o.pk for o in outputs],
    )
    if request.method == "POST" and form.is_valid():
        wanted = form.service_fields()
        changes = {name: value for name, value in wanted.items() if value != current[name]}
        ticked_fields = form.reviewed()
        # The boxes say exactly which fields are reviewed: a ticked one is reviewed as saved now (a changed text
        # needs its box ticked again), an unticked one is no longer reviewed.
        review = set(ticked_fields) != reviewed or any(field in changes for field in ticked_fields)
        try:
            # One save: the review is of the text as it is saved, or nothing is saved.
            with transaction.atomic():
                if changes:
                    example_update(actor=user, example_id=example.pk, **changes)
                if review:
                    example_review(actor=user, example_id=example.pk, fields=ticked_fields, keep_others=False)
        except ServiceError as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            messages.success(request, "Your changes were saved." if changes or review else "Nothing was changed.")
            return redirect("library_detail", example_id=example.pk)
    return render(
        request,
        "library/edit.html",
        {
            "form": form,
            "example": example,
            "back_to_draft": example.status != Status.DRAFT,
            "engagements": engagements,
            "selected_engagements": ticked(form, "engagement_ids"),
            "output_rows": _output_rows(outputs),
            "selected_outputs": ticked(form, "output_ids"),
        },
    )


# --- Credits ---------------------------------------------------------------------------------------------------------


def _took_part(user: User, example: Example) -> list[Membership]:
    """Young people of the partnership who were confirmed for, or attended, one of the example's engagements."""
    engagement_ids = list(example.engagements.values_list("pk", flat=True))
    return list(
        scope(Membership.objects.all(), user)
        .filter(is_young_person=True, status=Membership.Status.ACTIVE)
        .filter(
            Q(engagements__in=engagement_ids)
            | Q(attendance__engagement__in=engagement_ids, attendance__status__in=Attendance.ATTENDED)
        )
        .exclude(library_credits__example=example, library_credits__status__in=OPEN_CREDITS)
        .select_related("user")
        .distinct()
        .order_by("user__full_name", "pk")
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_credit_ask(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request, CHANGE)
    example = _own_example(user, example_id, CHANGE)
    people = _took_part(user, example)
    form = CreditAskForm(
        request.POST if request.method == "POST" else None, people=[(p.pk, p.user.full_name) for p in people]
    )
    if request.method == "POST" and form.is_valid():
        try:
            credit = credit_ask(actor=user, example_id=example.pk, membership_id=form.cleaned_data["membership_id"])
        except ServiceError as error:
            apply_error(form, error, SERVICE_FIELD_TO_FORM)
        else:
            name = next(p.user.full_name for p in people if p.pk == credit.membership_id)
            messages.success(request, f"{name} was asked. They answer on their own page; they were sent an email.")
            return redirect(reverse("library_detail", args=[example.pk]) + "#credits")
    return render(request, "library/credit_ask.html", {"form": form, "example": example, "people": people})


@login_required
@require_POST
def library_credit_remove(request: HttpRequest, credit_id: int) -> HttpResponse:
    user = _staff(request, CHANGE)
    credit = get_object_or_404(
        scope(ExampleCredit.objects.select_related("example", "membership__user"), user), pk=credit_id
    )
    require(user, CHANGE, credit.example)
    try:
        credit_remove(actor=user, credit_id=credit.pk)
    except ApplicationError as error:
        messages.error(request, error.message)
    except DjangoValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, f"{credit.membership.user.full_name} will not be named on it.")
    return redirect(reverse("library_detail", args=[credit.example_id]) + "#credits")


# --- Questions -------------------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def library_question_ask(request: HttpRequest, example_id: int) -> HttpResponse:
    user = _staff(request)
    example = example_get_for_actor(user, example_id)
    if _is_own(user, example):
        raise PermissionDenied("This is your own partnership's example.")
    require(user, ASK, example)
    form = QuestionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            question_ask(actor=user, example_id=example.pk, text=form.cleaned_data["text"])
        except ServiceError as error:
            apply_error(form, error, {})
        else:
            messages.success(
                request, f"Your question was sent to {example.partnership.name}. You will get an email with the answer."
            )
            return redirect(reverse("library_detail", args=[example.pk]) + "#questions")
    return render(request, "library/question_ask.html", {"form": form, "example": example})


QUESTION_TABS = (("about", "About our examples"), ("asked", "Asked by us"))


@login_required
@require_GET
def library_questions(request: HttpRequest) -> HttpResponse:
    user = _staff(request)
    show = request.GET.get("show") if request.GET.get("show") in dict(QUESTION_TABS) else "about"
    questions = questions_for(user).select_related("example__partnership", "partnership", "asked_by")
    if show == "about":
        questions = questions.filter(example__partnership=user.partnership)
    else:
        questions = questions.filter(partnership=user.partnership)
    page = Paginator(questions.order_by("-created_at", "-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "library/questions.html",
        {
            "page": page,
            "show": show,
            "tabs": QUESTION_TABS,
            "query": f"show={show}",
            "can_answer": user.has_perm(ANSWER, None),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def library_question_answer(request: HttpRequest, question_id: int) -> HttpResponse:
    user = _staff(request, ANSWER)
    question: ExampleQuestion = get_object_or_404(
        questions_for(user).filter(example__partnership=user.partnership).select_related("example", "partnership"),
        pk=question_id,
    )
    require(user, ANSWER, question.example)
    form = AnswerForm(request.POST if request.method == "POST" else None, initial={"answer": question.answer})
    if request.method == "POST" and form.is_valid():
        try:
            question_answer(actor=user, question_id=question.pk, answer=form.cleaned_data["answer"])
        except ServiceError as error:
            apply_error(form, error, {})
        else:
            messages.success(request, f"Your answer was sent to {question.partnership.name}.")
            return redirect(f"{reverse('library_questions')}?show=about")
    return render(request, "library/question_answer.html", {"form": form, "question": question})


# --- The young person's answer ------------------------------------------------------------------------------------


@login_required
@require_GET
def my_library_credits(request: HttpRequest) -> HttpResponse:
    user = _young_person(request)
    credits = list(credits_for(user))
    return render(request, "library/my_credits.html", {"credits": credits, "partnership": user.partnership})


@login_required
@require_http_methods(["GET", "POST"])
def my_library_credit_answer(request: HttpRequest, credit_id: int) -> HttpResponse:
    user = _young_person(request)
    credit = credit_get_for_actor(user, credit_id)
    example = credit.example
    posted = request.method == "POST"
    form = CreditAnswerForm(
        request.POST if posted and credit.status == CreditStatus.ASKED else None,
        initial={"credit_name": user.get_short_name()},
    )
    error = ""
    if posted:
        if credit.status == CreditStatus.ASKED and form.is_valid():
            agree = form.cleaned_data["agree"] == YES
            try:
                credit_answer(
                    actor=user,
                    credit_id=credit.pk,
                    agree=agree,
                    credit_name=form.cleaned_data["credit_name"] if agree else "",
                )
            except ServiceError as refusal:
                apply_error(form, refusal, {})
            else:
                messages.success(
                    request,
                    "Thank you. Your name will be on it." if agree else "Thank you. Your name will not be on it.",
                )
                return redirect("my_library_credits")
        elif credit.status == CreditStatus.AGREED and request.POST.get("agree") == NO:
            try:
                credit_answer(actor=user, credit_id=credit.pk, agree=False)
            except ApplicationError as refusal:
                error = refusal.message
            except DjangoValidationError as refusal:
                error = " ".join(refusal.messages)
            else:
                messages.success(request, "Done. Your name has been taken off.")
                return redirect("my_library_credits")
    return render(
        request,
        "library/my_credit_answer.html",
        {
            "credit": credit,
            "example": example,
            "form": form,
            "error": error,
            "is_published": example.status == Status.PUBLISHED,
        },
    )


urlpatterns: list[URLPattern] = [
    path("library/", library_list, name="library_list"),
    path("library/ours/", library_own, name="library_own"),
    path("library/new/", library_new, name="library_new"),
    path("library/questions/", library_questions, name="library_questions"),
    path("library/questions/<int:question_id>/answer/", library_question_answer, name="library_question_answer"),
    path("library/credits/<int:credit_id>/remove/", library_credit_remove, name="library_credit_remove"),
    path("library/<int:example_id>/", library_detail, name="library_detail"),
    path("library/<int:example_id>/edit/", library_edit, name="library_edit"),
    path("library/<int:example_id>/submit/", library_submit, name="library_submit"),
    path("library/<int:example_id>/approve/", library_approve, name="library_approve"),
    path("library/<int:example_id>/send-back/", library_send_back, name="library_send_back"),
    path("library/<int:example_id>/withdraw/", library_withdraw, name="library_withdraw"),
    path("library/<int:example_id>/credits/new/", library_credit_ask, name="library_credit_ask"),
    path("library/<int:example_id>/questions/new/", library_question_ask, name="library_question_ask"),
    path("your-credits/", my_library_credits, name="my_library_credits"),
    path("your-credits/<int:credit_id>/", my_library_credit_answer, name="my_library_credit_answer"),
]
