"""Pages of API lists: the ``{count, next, previous, results}`` page every list view returns, and its schema.

Function views and plain ViewSets paginate by hand, so drf-spectacular sees neither the page around their rows nor
the ``limit`` and ``offset`` query parameters: views declare both with ``page_of`` and ``PAGE_PARAMETERS``.

``?limit=`` is capped (``API_MAX_PAGE_SIZE``, default 1000): a client asks for the next page instead of every row.
"""

from __future__ import annotations

import copy
from typing import Any

from django.conf import settings
from drf_spectacular.utils import OpenApiParameter, extend_schema_serializer
from rest_framework import serializers
from rest_framework.pagination import LimitOffsetPagination
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings

DEFAULT_MAX_LIMIT = 1000


def max_page_size() -> int:
    """The largest ``?limit=`` a list answers (the ``API_MAX_PAGE_SIZE`` setting, default 1000)."""
    return int(getattr(settings, "API_MAX_PAGE_SIZE", DEFAULT_MAX_LIMIT))


class Pagination(LimitOffsetPagination):
    """DRF's limit/offset pages, with ``?limit=`` capped at :func:`max_page_size` (read per request)."""

    def get_limit(self, request: Request) -> int | None:
        self.max_limit = max_page_size()  # per request, so the setting may change (tests) without a restart
        return super().get_limit(request)


PAGE_PARAMETERS = [
    OpenApiParameter(
        "limit", int,
        description=f"Number of results per page (default {api_settings.PAGE_SIZE}, at most {max_page_size()}).",
    ),
    OpenApiParameter("offset", int, description="Index of the first result (default 0)."),
]


def paginate(request: Request, queryset: Any, serializer_class: type[serializers.BaseSerializer[Any]]) -> Response:
    """One page of ``queryset`` (``?limit=`` and ``?offset=``), its rows serialized by ``serializer_class``."""
    paginator = Pagination()
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
