"""Pages of API lists: the ``{count, next, previous, results}`` page every list view returns, and its schema.

Function views and plain ViewSets paginate by hand, so drf-spectacular sees neither the page around their rows nor
the ``limit`` and ``offset`` query parameters: views declare both with ``page_of`` and ``PAGE_PARAMETERS``.
"""

from __future__ import annotations

import copy
from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

PAGE_PARAMETERS = [
    OpenApiParameter("limit", int, description=f"Number of results per page (default {api_settings.PAGE_SIZE})."),
    OpenApiParameter("offset", int, description="Index of the first result (default 0)."),
]


def paginate(request: Request, queryset: Any, serializer_class: type[serializers.BaseSerializer[Any]]) -> Response:
    """One page of ``queryset`` (``?limit=`` and ``?offset=``), its rows serialized by ``serializer_class``."""
    paginator = LimitOffsetPagination()
    rows = paginator.paginate_queryset(queryset, request)
    return paginator.get_paginated_response(serializer_class(rows, many=True).data)


def page_of(
    serializer_class: type[serializers.BaseSerializer[Any]], **extra: serializers.Field[Any, Any, Any, Any]
) -> serializers.Serializer[Any]:
    """The schema of one ``paginate`` page of ``serializer_class`` rows, with ``extra`` fields a view adds to it."""
    name = serializer_class.__name__.removesuffix("Serializer")
    fields = {
        "count": serializers.IntegerField(),
        "next": serializers.URLField(allow_null=True),
        "previous": serializers.URLField(allow_null=True),
        "results": serializer_class(many=True),
        # Copies, so that the extra fields come after the page's own (a serializer orders fields by creation).
        **{key: copy.deepcopy(field) for key, field in extra.items()},
    }
    page = type(f"Paginated{name}List", (serializers.Serializer,), fields)
    # A ViewSet's ``list`` action is taken for a list of rows: many=False stops the page being wrapped in an array.
    return extend_schema_serializer(many=False)(page)()
