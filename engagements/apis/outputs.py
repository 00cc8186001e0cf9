"""The /api/v1/ endpoints for outputs (thin: parse, call the service, serialize).

Staff who see outputs get every output of the partnership, hidden and flagged ones included, with who made it and
the media consents it rests on (given by the young person or by a parent or carer: never the parent's or carer's
name). A young person gets only the outputs they made that are not hidden, and nothing
about anyone else who made them.

Adding one names its engagement as `engagement`, like every other endpoint (`engagement_id` is still accepted, for
now, and is deprecated). The file downloads from outputs/<id>/file/ for whoever may see the output.
"""

from __future__ import annotations

from typing import Any

from django.http import FileResponse
from django.urls import URLPattern, URLResolver, path, reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

from core.api import ChoiceLabelField, OutputSerializer, PartnershipApi, actor
from core.pagination import Pagination, paginate
from core.permissions import require
from engagements.apis.downloads import DownloadNegotiation, private_download
from engagements.models import Output
from engagements.selectors.outputs import (
    GIVEN_BY_PARENT_OR_CARER,
    GIVEN_BY_SELF,
    ShownConsent,
    is_output_staff,
    output_get_for_actor,
    outputs_visible_to,
)
from engagements.services.outputs import output_create, output_hide, output_restore, output_update
from participants.apis.recruitment import MAX_ID, named_choice_field
from safeguarding.models import Consent, ConsentType

OutputKindField = named_choice_field("OutputKindEnum", Output.Kind.choices)
OutputConsentTypeField = named_choice_field("OutputConsentTypeEnum", ConsentType.choices)
OutputConsentStatusField = named_choice_field("OutputConsentStatusEnum", Consent.Status.choices)
OutputConsentGivenByField = named_choice_field(
    "OutputConsentGivenByEnum",
    [(GIVEN_BY_SELF, "Given by them"), (GIVEN_BY_PARENT_OR_CARER, "Given by a parent or carer")],
)


def _id_field(**kwargs: Any) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)


def _file_url(output: Output) -> str | None:
    return reverse("api-output-file", args=[output.pk]) if output.file else None


class OutputContributorOutput(OutputSerializer):
    membership_id = serializers.IntegerField(source="pk")
    full_name = serializers.CharField(source="user.full_name")


class OutputConsentOutput(OutputSerializer):
    """A consent the output rests on: the kind, when it was given, whether the young person gave it or a parent or
    carer did, and whether it still stands. Never a parent's or carer's name or relationship, never the paper form,
    and never a withdrawal's reason."""

    id = serializers.IntegerField()
    membership_id = serializers.IntegerField()
    consent_type = OutputConsentTypeField()
    status = OutputConsentStatusField()
    given_at = serializers.DateTimeField()
    given_by = serializers.SerializerMethodField(help_text="'self': the young person gave it; else a parent or carer.")
    given_by_label = serializers.SerializerMethodField(help_text="'Given by them' or 'Given by a parent or carer'.")
    withdrawn_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(OutputConsentGivenByField())
    def get_given_by(self, consent: Consent) -> str:
        return ShownConsent(consent).given_by

    def get_given_by_label(self, consent: Consent) -> str:
        return ShownConsent(consent).given_by_label


class OutputOutput(OutputSerializer):
    """An output as staff see it."""

    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    title = serializers.CharField()
    kind = OutputKindField()
    kind_label = ChoiceLabelField("kind")
    summary = serializers.CharField()
    link = serializers.CharField()
    file_url = serializers.SerializerMethodField(help_text="The API download of the file, if there is one.")
    # Staff only (required=False in the schema): a young person who made it gets the fields of OwnOutputOutput.
    contributors = OutputContributorOutput(many=True, required=False)
    consents = OutputConsentOutput(many=True, required=False)
    is_hidden = serializers.BooleanField(required=False)
    flagged_at = serializers.DateTimeField(
        allow_null=True, required=False, help_text="When a media consent it rests on was withdrawn."
    )
    flag_reason = serializers.CharField(required=False)
    created_by = serializers.CharField(source="created_by.full_name", allow_null=True, default=None)
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, output: Output) -> str | None:
        return _file_url(output)


class OwnOutputOutput(OutputSerializer):
    """An output as the young person who made it sees it: nothing about anyone else."""

    id = serializers.IntegerField()
    engagement_id = serializers.IntegerField()
    engagement_title = serializers.CharField(source="engagement.title")
    title = serializers.CharField()
    kind = OutputKindField()
    kind_label = ChoiceLabelField("kind")
    summary = serializers.CharField()
    link = serializers.CharField()
    file_url = serializers.SerializerMethodField(help_text="The API download of the file, if there is one.")
    created_at = serializers.DateTimeField()

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_file_url(self, output: Output) -> str | None:
        return _file_url(output)


class OutputFilter(serializers.Serializer):
    engagement = _id_field(required=False, source="engagement_id")
    kind = OutputKindField(required=False)


@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID, "deprecated": True})
class DeprecatedIdField(serializers.IntegerField):
    """An id field kept for older clients: marked deprecated in the schema."""


class OutputCreateInput(serializers.Serializer):
    engagement = _id_field(required=False, help_text="The engagement it came from (required).")
    engagement_id = DeprecatedIdField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Deprecated: send `engagement` instead."
    )
    title = serializers.CharField(max_length=200)
    kind = OutputKindField()
    summary = serializers.CharField(required=False, allow_blank=True, default="", max_length=10000)
    link = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, help_text="An https address."
    )
    file = serializers.FileField(
        required=False, allow_null=True, default=None, help_text="A PDF, JPG or PNG of 25 MB or less (multipart)."
    )
    contributor_ids = serializers.ListField(
        child=_id_field(),
        allow_empty=False,
        max_length=200,
        help_text="Memberships of young people confirmed for or who attended the engagement.",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """`engagement`, or the deprecated `engagement_id`: one of them, and the same one if both are sent."""
        engagement = attrs.pop("engagement", None)
        alias = attrs.pop("engagement_id", None)
        if engagement is None and alias is None:
            raise serializers.ValidationError({"engagement": ["This field is required."]})
        if engagement is not None and alias is not None and engagement != alias:
            raise serializers.ValidationError(
                {"engagement": ["Send the engagement once, as `engagement` (`engagement_id` is deprecated)."]}
            )
        attrs["engagement_id"] = engagement if engagement is not None else alias
        return attrs


class OutputUpdateInput(serializers.Serializer):
    title = serializers.CharField(required=False, max_length=200)
    kind = OutputKindField(required=False)
    summary = serializers.CharField(required=False, allow_blank=True, max_length=10000)
    link = serializers.CharField(required=False, allow_blank=True, max_length=200)
    file = serializers.FileField(required=False)
    contributor_ids = serializers.ListField(child=_id_field(), required=False, allow_empty=False, max_length=200)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if not attrs:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class OutputHideInput(serializers.Serializer):
    reason = serializers.CharField(max_length=1000, help_text="Why it is hidden. No personal details.")


def _serializer_for(user: Any) -> type[serializers.Serializer]:
    return OutputOutput if is_output_staff(user) else OwnOutputOutput


class OutputListApi(PartnershipApi):
    pagination_class = Pagination  # read by the schema only: paginate() does the work

    @extend_schema(
        parameters=[OutputFilter],
        responses=OutputOutput(many=True),
        summary="Outputs: staff see all (hidden ones too); a young person the ones they made that are not hidden",
    )
    def get(self, request: Request) -> Response:
        filters = OutputFilter(data=request.query_params)
        filters.is_valid(raise_exception=True)
        user = actor(request)
        outputs = outputs_visible_to(user, **filters.validated_data)
        return paginate(request, self, outputs, _serializer_for(user))

    @extend_schema(
        request={"application/json": OutputCreateInput, "multipart/form-data": OutputCreateInput},
        responses={201: OutputOutput},
        summary="Add an output (everyone who made it needs media consent that counts)",
    )
    def post(self, request: Request) -> Response:
        require(actor(request), "engagements.change_output")  # 403 before the body is read
        payload = OutputCreateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        user = actor(request)
        output = output_create(actor=user, **payload.validated_data)
        return Response(OutputOutput(output_get_for_actor(user, output.pk)).data, status=status.HTTP_201_CREATED)


class OutputDetailApi(PartnershipApi):
    @extend_schema(responses=OutputOutput)
    def get(self, request: Request, output_id: int) -> Response:
        user = actor(request)
        return Response(_serializer_for(user)(output_get_for_actor(user, output_id)).data)

    @extend_schema(
        request={"application/json": OutputUpdateInput, "multipart/form-data": OutputUpdateInput},
        responses=OutputOutput,
        summary="Change an output (new contributors are checked for media consent)",
    )
    def patch(self, request: Request, output_id: int) -> Response:
        user = actor(request)
        # 404 first for what the caller cannot see, then 403 for who may not change it, before the body is read.
        require(user, "engagements.change_output", output_get_for_actor(user, output_id))
        payload = OutputUpdateInput(data=request.data)
        payload.is_valid(raise_exception=True)
        output_update(actor=user, output_id=output_id, **payload.validated_data)
        return Response(OutputOutput(output_get_for_actor(user, output_id)).data)


class OutputHideApi(PartnershipApi):
    @extend_schema(request=OutputHideInput, responses=OutputOutput, summary="Hide an output, with a reason")
    def post(self, request: Request, output_id: int) -> Response:
        user = actor(request)
        output_get_for_actor(user, output_id)
        payload = OutputHideInput(data=request.data)
        payload.is_valid(raise_exception=True)
        output_hide(actor=user, output_id=output_id, **payload.validated_data)
        return Response(OutputOutput(output_get_for_actor(user, output_id)).data)


class OutputRestoreApi(PartnershipApi):
    @extend_schema(
        request=None,
        responses=OutputOutput,
        summary="Show a hidden output again (only when everyone who made it has media consent that counts)",
    )
    def post(self, request: Request, output_id: int) -> Response:
        user = actor(request)
        output_get_for_actor(user, output_id)
        output_restore(actor=user, output_id=output_id)
        return Response(OutputOutput(output_get_for_actor(user, output_id)).data)


class OutputFileApi(PartnershipApi):
    """An output's file, as a download: for staff who see outputs, and for the young people who made it while it is
    not hidden; a 404 for anyone else and for another partnership's."""

    content_negotiation_class = DownloadNegotiation

    @extend_schema(
        responses={
            (200, "application/octet-stream"): OpenApiResponse(
                OpenApiTypes.BINARY, description="The file (a PDF, JPG or PNG) as an attachment."
            ),
            404: OpenApiResponse(description="No such output, no file, or not one you may see."),
        },
        summary="Download an output's file (staff who see outputs; the young people who made it, while not hidden)",
    )
    def get(self, request: Request, output_id: int) -> FileResponse:
        output = output_get_for_actor(actor(request), output_id)
        return private_download(output.file, filename_stem=f"output-{output.pk}")


urlpatterns: list[URLPattern | URLResolver] = [
    path("outputs/", OutputListApi.as_view(), name="api-output-list"),
    path("outputs/<int:output_id>/", OutputDetailApi.as_view(), name="api-output-detail"),
    path("outputs/<int:output_id>/hide/", OutputHideApi.as_view(), name="api-output-hide"),
    path("outputs/<int:output_id>/restore/", OutputRestoreApi.as_view(), name="api-output-restore"),
    path("outputs/<int:output_id>/file/", OutputFileApi.as_view(), name="api-output-file"),
]
