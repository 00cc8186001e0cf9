"""/api/v1/library/: the shared library of participation examples (thin: parse, call the service or selector,
serialize).

Who sees what:
- The library is for partnership staff (any staff role of any partnership); a young person is refused (403), as on
  the other staff lists.
- Another partnership's example is seen only while it is PUBLISHED, and then only as `LibraryExampleOutput`: the
  publishing partnership's name, the text, method, topic, outcome, age range (never a date of birth), the number of
  young people only when it is 5 or more, the names of the young people who agreed to be credited (the name they
  chose, nothing else about them), and the outputs that may be shown today (not hidden, and every maker's media
  consent counts today: title, kind and link, never the file or who made it). Never engagement dates or places,
  never staff or contributor names, never an email. Any other status of another partnership's example is a 404,
  exactly like a missing one; a withdrawn example disappears from every read at once (the selectors ask for
  PUBLISHED on every read).
- The example's own partnership's staff see it in every status: the published view plus the status, everyone asked
  whether they want to be named with their answer, the engagements and outputs it is drafted from, the count as
  entered and who submitted and approved it (`LibraryOwnExampleListOutput` in ours/); the example itself
  (`LibraryOwnExampleOutput`) adds what still stops publication (`problems`, each naming its field). The list
  leaves `problems` out because working them out takes queries for each example.

Writes (own partnership only; another partnership's example is a 404): draft from engagements (POST ours/), change
a draft (PATCH), mark text fields reviewed, ask a young person whether they want to be named and take them off,
submit, approve (a second person), send back, withdraw (with a reason). Refused publication is a 400
`{"message": ..., "extra": {"field": ..., "problems": [{"field": ..., "message": ...}, ...]}}` naming every
problem, and nothing changes. Questions: staff ask another partnership about a published example; the publishing
partnership's staff answer. library.services checks the permission that counts.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, URLResolver, path
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor, request_field_names
from core.pagination import Pagination
from core.permissions import require
from engagements.apis.outputs import OutputKindField
from engagements.models import Engagement, Output
from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from library.selectors import example_get_for_actor, library_search, own_examples, public_outputs, questions_for
from library.services import (
    CHANGE_EXAMPLE,
    MAX_ANSWER,
    MAX_QUESTION,
    MAX_REASON,
    credit_ask,
    credit_remove,
    example_approve,
    example_draft,
    example_review,
    example_send_back,
    example_submit,
    example_update,
    example_withdraw,
    publication_problems,
    question_answer,
    question_ask,
)
from participants.apis.recruitment import MAX_ID, named_choice_field
from participants.equality import SMALLEST_COUNT_SHOWN
from participants.models import User

MethodField = named_choice_field("LibraryMethodEnum", Method.choices)
OutcomeField = named_choice_field("LibraryOutcomeEnum", Outcome.choices)
ExampleStatusField = named_choice_field("LibraryExampleStatusEnum", Example.Status.choices)
CreditStatusField = named_choice_field("LibraryCreditStatusEnum", ExampleCredit.Status.choices)
TextFieldNameField = named_choice_field(
    "LibraryTextFieldEnum", [(name, name.capitalize()) for name in Example.TEXT_FIELDS]
)

# The selectors load `agreed_credits` (AGREED only) and, for the own partnership, `all_credits`; the API adds the ids
# of what an own example is drafted from (to_attr, so they never clash with a selector's own prefetches).
_ENGAGEMENTS = "_api_engagements"
_OUTPUTS = "_api_outputs"


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


# --- Who is asking ---------------------------------------------------------------------------------------------


def _require_library_staff(user: User) -> None:
    """The library is for staff of a partnership (any staff role); a young person is refused."""
    if not user.has_perm("library.view_example"):
        raise PermissionDenied("The library is for partnership staff.")


def _is_own(user: User, example: Example) -> bool:
    return user.partnership_id is not None and example.partnership_id == user.partnership_id


# The services name a few fields by their model id; the API names them as the request does.
_API_FIELD_NAMES = {"engagement_ids": "engagements", "output_ids": "outputs", "membership_id": "membership"}


# --- Loading: a fixed number of queries however many examples a page holds ---------------------------------------


def _with_own_records(examples: QuerySet[Example]) -> QuerySet[Example]:
    """The engagements and outputs an own example is drafted from (ids only)."""
    return examples.prefetch_related(
        Prefetch("engagements", queryset=Engagement.objects.only("pk").order_by("pk"), to_attr=_ENGAGEMENTS),
        Prefetch("outputs", queryset=Output.objects.only("pk").order_by("pk"), to_attr=_OUTPUTS),
    )


def _context(examples: list[Example]) -> dict[str, Any]:
    """What the published view needs for these examples: the outputs that may be shown today (public_outputs: not
    hidden, at least one maker, every maker's media consent counts today), in one set of queries for all."""
    return {"shown_outputs": public_outputs(examples)}


# --- Output ----------------------------------------------------------------------------------------------------


class LibraryOutputOutput(OutputSerializer):
    """An output shown with a published example: never the file, never who made it."""

    title = serializers.CharField()
    kind = OutputKindField()
    kind_label = ChoiceLabelField("kind")
    link = serializers.CharField(help_text="Where to see it (may be blank).")


class LibraryProblemOutput(OutputSerializer):
    field = serializers.CharField(help_text="The field the problem is about.")
    message = serializers.CharField(help_text="What is wrong and how to put it right.")


class LibraryExampleOutput(OutputSerializer):
    """A published example as every partnership's staff see it: nothing personal."""

    id = serializers.IntegerField()
    partnership_name = serializers.CharField(source="partnership.name", help_text="The partnership that published it.")
    title = serializers.CharField()
    method = MethodField()
    method_label = ChoiceLabelField("method")
    topic = serializers.CharField()
    recruitment = serializers.CharField(help_text="How young people were recruited.")
    support = serializers.CharField(help_text="How they were prepared and supported.")
    recommended = serializers.CharField(help_text="What they recommended.")
    changed = serializers.CharField(help_text="What changed as a result.")
    outcome = OutcomeField()
    outcome_label = ChoiceLabelField("outcome")
    age_min = serializers.IntegerField(allow_null=True)
    age_max = serializers.IntegerField(allow_null=True)
    young_people_count = serializers.SerializerMethodField(
        help_text=f"How many young people took part; null when not given or fewer than {SMALLEST_COUNT_SHOWN}."
    )
    credits = serializers.SerializerMethodField(help_text="The names of the young people who agreed to be credited.")
    outputs = serializers.SerializerMethodField(help_text="What the young people made that may be shown.")
    published_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(serializers.IntegerField(allow_null=True, min_value=SMALLEST_COUNT_SHOWN))
    def get_young_people_count(self, example: Example) -> int | None:
        count = example.young_people_count
        return count if count is not None and count >= SMALLEST_COUNT_SHOWN else None

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_credits(self, example: Example) -> list[str]:
        credits = example.agreed_credits  # type: ignore[attr-defined]  # prefetched by the selectors
        # Filtered again here: whatever was loaded, only an agreed credit's chosen name is ever shown.
        return [credit.credit_name for credit in credits if credit.status == ExampleCredit.Status.AGREED]

    @extend_schema_field(LibraryOutputOutput(many=True))
    def get_outputs(self, example: Example) -> list[dict[str, Any]]:
        return list(LibraryOutputOutput(self.context["shown_outputs"][example.pk], many=True).data)


class LibraryCreditRequestOutput(OutputSerializer):
    """A young person of the partnership asked whether they want to be named, and their answer (own staff only)."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    full_name = serializers.CharField(source="membership.user.full_name")
    status = CreditStatusField()
    status_label = ChoiceLabelField("status")
    credit_name = serializers.CharField(help_text="The name they agreed to be shown as.")
    answered_at = serializers.DateTimeField(allow_null=True)


class LibraryOwnExampleListOutput(LibraryExampleOutput):
    """One of the partnership's own examples, in any status, as its own staff see it in their list (what stops
    publication is on the example itself: LibraryOwnExampleOutput)."""

    status = ExampleStatusField()
    status_label = ChoiceLabelField("status")
    young_people_count = serializers.IntegerField(  # type: ignore[assignment]
        allow_null=True, help_text=f"As entered (shown to other partnerships only when {SMALLEST_COUNT_SHOWN} or more)."
    )
    credit_requests = serializers.SerializerMethodField(
        help_text="Everyone asked whether they want to be named, and their answer."
    )
    engagement_ids = serializers.SerializerMethodField()
    output_ids = serializers.SerializerMethodField(help_text="Every output it includes, shown or not.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    submitted_at = serializers.DateTimeField(allow_null=True)
    submitted_by_name = serializers.SerializerMethodField(help_text="Who sent it for approval.")
    approved_by_name = serializers.SerializerMethodField(help_text="Who approved it.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)
    withdrawn_reason = serializers.CharField()

    @extend_schema_field(LibraryCreditRequestOutput(many=True))
    def get_credit_requests(self, example: Example) -> list[dict[str, Any]]:
        credits = example.all_credits  # type: ignore[attr-defined]  # prefetched by own_examples
        return list(LibraryCreditRequestOutput(credits, many=True).data)

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_engagement_ids(self, example: Example) -> list[int]:
        return [engagement.pk for engagement in getattr(example, _ENGAGEMENTS)]

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_output_ids(self, example: Example) -> list[int]:
        return [output.pk for output in getattr(example, _OUTPUTS)]

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_submitted_by_name(self, example: Example) -> str | None:
        return example.submitted_by.full_name if example.submitted_by else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_approved_by_name(self, example: Example) -> str | None:
        return example.approved_by.full_name if example.approved_by else None


class LibraryOwnExampleOutput(LibraryOwnExampleListOutput):
    """One of the partnership's own examples with what still stops its publication, each problem naming its field."""

    problems = serializers.SerializerMethodField(
        help_text="What stops publication now; empty when it may be published."
    )

    @extend_schema_field(LibraryProblemOutput(many=True))
    def get_problems(self, example: Example) -> list[dict[str, str]]:
        return [dataclasses.asdict(problem) for problem in publication_problems(example)]


class LibraryQuestionOutput(OutputSerializer):
    """A question about a published example. Partnerships are named; the staff who asked and answered are not."""

    id = serializers.IntegerField()
    example_id = serializers.IntegerField()
    example_title = serializers.CharField(source="example.title")
    example_partnership_name = serializers.CharField(
        source="example.partnership.name", help_text="The partnership that published the example."
    )
    asked_by_partnership_name = serializers.CharField(source="partnership.name")
    asked_by_us = serializers.SerializerMethodField(help_text="Your partnership asked it.")
    text = serializers.CharField()
    answer = serializers.CharField(help_text="Blank until the publishing partnership answers.")
    answered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def get_asked_by_us(self, question: ExampleQuestion) -> bool:
        return bool(question.partnership_id == self.context["partnership_id"])


# --- Input -----------------------------------------------------------------------------------------------------


class LibrarySearchFilter(serializers.Serializer):
    """Every filter is optional; a blank one (as a search form sends it) is no filter."""

    text = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="Words that must each appear in the title, topic, what they recommended or what changed.",
    )
    method = MethodField(required=False, allow_blank=True)
    topic = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Part of the topic.")
    age = serializers.IntegerField(
        required=False, min_value=1, max_value=120, help_text="Examples whose age range includes this age."
    )
    outcome = OutcomeField(required=False, allow_blank=True)


class LibraryExampleDraftInput(serializers.Serializer):
    engagements = serializers.ListField(
        child=_id_field(),
        allow_empty=False,
        max_length=100,
        help_text="The partnership's engagements to draft it from (one or a group).",
    )
    method = MethodField(required=False, allow_blank=True, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        ids = attrs.pop("engagements")
        if len(ids) != len(set(ids)):
            raise serializers.ValidationError({"engagements": ["Name each engagement only once."]})
        attrs["engagement_ids"] = ids
        return attrs


class LibraryExampleUpdateInput(serializers.Serializer):
    """Any of a draft's fields. A text field changed after its review needs reviewing again."""

    title = serializers.CharField(required=False, max_length=200)
    method = MethodField(required=False)
    topic = serializers.CharField(required=False, max_length=200)
    recruitment = serializers.CharField(required=False, max_length=10000)
    support = serializers.CharField(required=False, max_length=10000)
    recommended = serializers.CharField(required=False, max_length=10000)
    changed = serializers.CharField(required=False, max_length=10000)
    outcome = OutcomeField(required=False)
    age_min = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    age_max = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=120)
    young_people_count = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=0,
        max_value=32767,
        help_text=f"How many took part: {SMALLEST_COUNT_SHOWN} or more, or null to leave it out.",
    )
    engagements = serializers.ListField(child=_id_field(), required=False, allow_empty=False, max_length=100)
    outputs = serializers.ListField(child=_id_field(), required=False, max_length=100)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        for name, service_name in (("engagements", "engagement_ids"), ("outputs", "output_ids")):
            if name in attrs:
                ids = attrs.pop(name)
                if len(ids) != len(set(ids)):
                    raise serializers.ValidationError({name: ["Name each one only once."]})
                attrs[service_name] = ids
        return attrs


class LibraryExampleReviewInput(serializers.Serializer):
    fields = serializers.ListField(  # type: ignore[assignment]  # DRF pops declared fields from the class
        child=TextFieldNameField(),
        allow_empty=False,
        max_length=len(Example.TEXT_FIELDS),
        help_text="The text fields you have read and checked, as they read now.",
    )


class LibraryReasonInput(serializers.Serializer):
    reason = serializers.CharField(max_length=MAX_REASON, help_text="Why, in plain words (name no young person).")


class LibraryCreditAskInput(serializers.Serializer):
    membership = _id_field(help_text="A young person who took part in one of the example's engagements.")


class LibraryQuestionAskInput(serializers.Serializer):
    text = serializers.CharField(
        max_length=MAX_QUESTION, help_text="Your question to the partnership that published it."
    )


class LibraryQuestionAnswerInput(serializers.Serializer):
    answer = serializers.CharField(max_length=MAX_ANSWER)


# --- Views -----------------------------------------------------------------------------------------------------


def _page(
    request: Request, view: PartnershipApi, examples: QuerySet[Example], serializer: type[LibraryExampleOutput]
) -> Response:
    paginator = Pagination()
    page = paginator.paginate_queryset(examples, request, view=view) or []
    return paginator.get_paginated_response(serializer(page, many=True, context=_context(page)).data)


def _own_examples(user: User) -> QuerySet[Example]:
    return _with_own_records(own_examples(user))


def _own_data(user: User, example_id: int) -> dict[str, Any]:
    example = get_object_or_404(_own_examples(user), pk=example_id)
    return dict(LibraryOwnExampleOutput(example, context=_context([example])).data)


def _example_data(user: User, example_id: int) -> dict[str, Any]:
    """The example as the caller may see it: their own partnership's in full, another's only as published."""
    example = example_get_for_actor(user, example_id)
    if _is_own(user, example):
        return _own_data(user, example.pk)
    if example.status != Example.Status.PUBLISHED:  # the selector's rule, asked again: never another's unpublished
        raise Http404
    return dict(LibraryExampleOutput(example, context=_context([example])).data)


def _own_example(user: User, example_id: int) -> Example:
    """One of the caller's partnership's examples (staff), else a 404 (another partnership's, even published)."""
    _require_library_staff(user)
    return get_object_or_404(own_examples(user), pk=example_id)


_REFUSED = OpenApiResponse(
    description='Publication refused: {"message": ..., "extra": {"problems": [{"field", "message"}, ...]}}, every '
    "problem named; nothing changed."
)


class LibrarySearchApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only

    @extend_schema(
        parameters=[LibrarySearchFilter],
        responses=LibraryExampleOutput(many=True),
        summary="Search the published examples of every partnership, newest first (partnership staff)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_library_staff(user)
        filters = LibrarySearchFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        return _page(request, self, library_search(user, **filters.validated_data), LibraryExampleOutput)


class OwnExampleListApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        responses=LibraryOwnExampleListOutput(many=True),
        summary="Your partnership's examples in every status, most recently changed first (staff); what stops each "
        "being published is on the example",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_library_staff(user)
        return _page(request, self, _own_examples(user), LibraryOwnExampleListOutput)

    @extend_schema(
        request=LibraryExampleDraftInput,
        responses={201: LibraryOwnExampleOutput},
        summary="Draft an example from your partnership's engagements (participation workers); nothing is reviewed yet",
    )
    def post(self, request: Request) -> Response:
        user = actor(request)
        require(user, CHANGE_EXAMPLE)  # 403 before the body is read
        payload = LibraryExampleDraftInput(data=request.data)
        payload.is_valid(raise_exception=True)
        with request_field_names(_API_FIELD_NAMES):
            example = example_draft(actor=user, **payload.validated_data)
        return Response(_own_data(user, example.pk), status=status.HTTP_201_CREATED)


class ExampleDetailApi(PartnershipApi):
    @extend_schema(
        # anyOf, not oneOf: your own example (LibraryOwnExampleOutput) has every field of LibraryExampleOutput and more,
        # so it is valid under both. Both components are registered by the search and the PATCH below.
        responses={
            200: OpenApiResponse(
                {
                    "anyOf": [
                        {"$ref": "#/components/schemas/LibraryExampleOutput"},
                        {"$ref": "#/components/schemas/LibraryOwnExampleOutput"},
                    ]
                },
                description="Another partnership's published example, or your own partnership's in any status.",
            )
        },
        summary="One example: another partnership's only while published (LibraryExampleOutput); your own "
        "partnership's in any status (LibraryOwnExampleOutput)",
    )
    def get(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _require_library_staff(user)
        return Response(_example_data(user, example_id))

    @extend_schema(
        request=LibraryExampleUpdateInput,
        responses=LibraryOwnExampleOutput,
        summary="Change a draft of your partnership's (participation workers); a changed text field needs a new review",
    )
    def patch(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        require(user, CHANGE_EXAMPLE, _own_example(user, example_id))  # 403/404 before the body is read
        payload = LibraryExampleUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        with request_field_names(_API_FIELD_NAMES):
            example_update(actor=user, example_id=example_id, **payload.validated_data)
        return Response(_own_data(user, example_id))


class ExampleReviewApi(PartnershipApi):
    @extend_schema(
        request=LibraryExampleReviewInput,
        responses=LibraryOwnExampleOutput,
        summary="Mark text fields reviewed as they read now (an edit afterwards needs a new review)",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        require(user, CHANGE_EXAMPLE, _own_example(user, example_id))  # 403/404 before the body is read
        payload = LibraryExampleReviewInput(data=request.data)
        payload.is_valid(raise_exception=True)
        example_review(actor=user, example_id=example_id, fields=payload.validated_data["fields"])
        return Response(_own_data(user, example_id))


class ExampleSubmitApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses={200: LibraryOwnExampleOutput, 400: _REFUSED},
        summary="Submit a draft for a second person's approval (refused, naming each problem, until it can be "
        "published)",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _own_example(user, example_id)
        example_submit(actor=user, example_id=example_id)
        return Response(_own_data(user, example_id))


class ExampleApproveApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses={200: LibraryOwnExampleOutput, 400: _REFUSED},
        summary="Approve and publish (a different member of staff from whoever submitted it; refused, naming each "
        "problem, while any stands)",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _own_example(user, example_id)
        example_approve(actor=user, example_id=example_id)
        return Response(_own_data(user, example_id))


class ExampleSendBackApi(PartnershipApi):
    @extend_schema(
        request=LibraryReasonInput,
        responses=LibraryOwnExampleOutput,
        summary="Send a submitted example back to draft, with why",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _own_example(user, example_id)
        payload = LibraryReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        example_send_back(actor=user, example_id=example_id, reason=payload.validated_data["reason"])
        return Response(_own_data(user, example_id))


class ExampleWithdrawApi(PartnershipApi):
    @extend_schema(
        request=LibraryReasonInput,
        responses=LibraryOwnExampleOutput,
        summary="Withdraw a published example: it disappears from the library everywhere at once",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _own_example(user, example_id)
        payload = LibraryReasonInput(data=request.data)
        payload.is_valid(raise_exception=True)
        example_withdraw(actor=user, example_id=example_id, reason=payload.validated_data["reason"])
        return Response(_own_data(user, example_id))


class ExampleCreditAskApi(PartnershipApi):
    @extend_schema(
        request=LibraryCreditAskInput,
        responses={201: LibraryCreditRequestOutput},
        summary="Ask a young person who took part whether they want to be named on it (they are emailed a link to "
        "answer on their own page)",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _own_example(user, example_id)
        payload = LibraryCreditAskInput(data=request.data)
        payload.is_valid(raise_exception=True)
        with request_field_names(_API_FIELD_NAMES):
            credit = credit_ask(actor=user, example_id=example_id, membership_id=payload.validated_data["membership"])
        return Response(LibraryCreditRequestOutput(credit).data, status=status.HTTP_201_CREATED)


class CreditRemoveApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses=LibraryCreditRequestOutput,
        summary="Take a young person off an example: they will not be named on it",
    )
    def post(self, request: Request, credit_id: int) -> Response:
        user = actor(request)
        _require_library_staff(user)
        credit = credit_remove(actor=user, credit_id=credit_id)
        return Response(LibraryCreditRequestOutput(credit).data)


def _questions(user: User) -> QuerySet[ExampleQuestion]:
    return questions_for(user).select_related("example__partnership", "partnership")


def _question_data(user: User, question_id: int) -> dict[str, Any]:
    question = get_object_or_404(_questions(user), pk=question_id)
    return dict(LibraryQuestionOutput(question, context={"partnership_id": user.partnership_id}).data)


class ExampleQuestionAskApi(PartnershipApi):
    @extend_schema(
        request=LibraryQuestionAskInput,
        responses={201: LibraryQuestionOutput},
        summary="Ask the partnership that published an example a question (staff of another partnership)",
    )
    def post(self, request: Request, example_id: int) -> Response:
        user = actor(request)
        _require_library_staff(user)
        example_get_for_actor(user, example_id)  # 404 first for what the caller cannot see
        payload = LibraryQuestionAskInput(data=request.data)
        payload.is_valid(raise_exception=True)
        question = question_ask(actor=user, example_id=example_id, text=payload.validated_data["text"])
        return Response(_question_data(user, question.pk), status=status.HTTP_201_CREATED)


class QuestionListApi(PartnershipApi):
    pagination_class = Pagination

    @extend_schema(
        responses=LibraryQuestionOutput(many=True),
        summary="Questions your partnership asked, and questions about its own examples, newest first (staff)",
    )
    def get(self, request: Request) -> Response:
        user = actor(request)
        _require_library_staff(user)
        paginator = Pagination()
        page = paginator.paginate_queryset(_questions(user), request, view=self) or []
        data = LibraryQuestionOutput(page, many=True, context={"partnership_id": user.partnership_id}).data
        return paginator.get_paginated_response(data)


class QuestionAnswerApi(PartnershipApi):
    @extend_schema(
        request=LibraryQuestionAnswerInput,
        responses=LibraryQuestionOutput,
        summary="Answer a question about one of your partnership's examples (the asker is emailed the answer)",
    )
    def post(self, request: Request, question_id: int) -> Response:
        user = actor(request)
        _require_library_staff(user)
        get_object_or_404(_questions(user), pk=question_id)
        payload = LibraryQuestionAnswerInput(data=request.data)
        payload.is_valid(raise_exception=True)
        question_answer(actor=user, question_id=question_id, answer=payload.validated_data["answer"])
        return Response(_question_data(user, question_id))


urlpatterns: list[URLPattern | URLResolver] = [
    path("library/", LibrarySearchApi.as_view(), name="api-library-search"),
    path("library/ours/", OwnExampleListApi.as_view(), name="api-library-own"),
    path("library/questions/", QuestionListApi.as_view(), name="api-library-question-list"),
    path(
        "library/questions/<int:question_id>/answer/", QuestionAnswerApi.as_view(), name="api-library-question-answer"
    ),
    path("library/credits/<int:credit_id>/remove/", CreditRemoveApi.as_view(), name="api-library-credit-remove"),
    path("library/<int:example_id>/", ExampleDetailApi.as_view(), name="api-library-detail"),
    path("library/<int:example_id>/review/", ExampleReviewApi.as_view(), name="api-library-review"),
    path("library/<int:example_id>/submit/", ExampleSubmitApi.as_view(), name="api-library-submit"),
    path("library/<int:example_id>/approve/", ExampleApproveApi.as_view(), name="api-library-approve"),
    path("library/<int:example_id>/send-back/", ExampleSendBackApi.as_view(), name="api-library-send-back"),
    path("library/<int:example_id>/withdraw/", ExampleWithdrawApi.as_view(), name="api-library-withdraw"),
    path("library/<int:example_id>/credits/", ExampleCreditAskApi.as_view(), name="api-library-credit-ask"),
    path("library/<int:example_id>/questions/", ExampleQuestionAskApi.as_view(), name="api-library-question-ask"),
]
