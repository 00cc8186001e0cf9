"""One way to paginate list endpoints (limit/offset), so every list has the same shape."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView


class Pagination(LimitOffsetPagination):
    default_limit = 50
    max_limit = 200


def paginate(
    request: Request,
    view: APIView,
    queryset: QuerySet[Any],
    serializer: type[Serializer],
    *,
    shown: Callable[[list[Any]], None] | None = None,
) -> Response:
    """One page of `queryset` in the list shape. `shown`, if given, is called with the page's rows once they are
    serialised (to record who saw what, without fetching them again)."""
    paginator = Pagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    response = paginator.get_paginated_response(serializer(page, many=True).data)
    if shown is not None:
        shown(list(page or []))
    return response
