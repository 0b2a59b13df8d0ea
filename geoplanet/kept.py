"""Primary-key reads compiled once: the lookups every map tile and API request makes.

Django builds and compiles a queryset on every call. For a one-row read by primary key that work costs more
than PostgreSQL takes to answer: on the bench machine, ``User.objects.get(pk=...)`` took 0.69 ms, of which the
statement's round trip was 0.28 ms, and the raster row a tile reads (with its body) took 1.6 ms, 0.48 ms of it
compiling. A :class:`KeptLookup` compiles its queryset once per database connection and thread, then each read
only swaps the primary key into the kept parameters, runs the statement and turns the row into model instances
as Django's own ``ModelIterable`` does (the same field converters and ``select_related`` populators), so
the instances are the ones the ORM would return.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]  # ModelIterable's own

M = TypeVar("M", bound=Model)

# Stands for the primary key while the statement is compiled (this far above the key's lowest value, never an
# id the database hands out); found again among the parameters by value.
_SENTINEL_OFFSET = 1_234_577


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple[Any, ...]
    pk_index: int
    compiler: Any
    converters: dict[int, Any]
    model: type[Model]
    init_list: list[str]
    start: int
    end: int
    populators: list[Any]
    pk_range: tuple[int | None, int | None]


class KeptLookup(Generic[M]):
    """``build().filter(pk=pk).first()`` without compiling ``build()`` again on every call.

    ``build`` returns the queryset to read from (``select_related``, ``only`` and filters that do not change
    between calls); it must not be ordered or sliced, and must not annotate.
    """

    def __init__(self, build: Callable[[], QuerySet[M]]) -> None:
        self._build = build
        self._local = threading.local()

    def get(self, pk: int, using: str = DEFAULT_DB_ALIAS) -> M | None:
        """The row with primary key ``pk`` as a model instance, or None."""
        connection = connections[using]
        kept: dict[str, tuple[Any, _Compiled]] = self._local.__dict__.setdefault("kept", {})
        entry = kept.get(using)
        if entry is None or entry[0] is not connection:
            entry = (connection, self._compile(using))
            kept[using] = entry
        compiled = entry[1]
        low, high = compiled.pk_range
        if (low is not None and pk < low) or (high is not None and pk > high):
            return None  # no such row; the database would refuse the number, the ORM answers empty
        params = list(compiled.params)
        params[compiled.pk_index] = pk
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        if compiled.converters:
            row = next(iter(compiled.compiler.apply_converters([row], compiled.converters)))
        obj = compiled.model.from_db(using, compiled.init_list, row[compiled.start:compiled.end])
        for populator in compiled.populators:
            populator.populate(row, obj)
        return obj  # type: ignore[return-value]

    def _compile(self, using: str) -> _Compiled:
        model = self._build().model
        low, high = connections[using].ops.integer_field_ranges.get(model._meta.pk.get_internal_type(),
                                                                    (None, None))
        if low is None:
            raise ValueError("a kept lookup reads by an integer primary key")
        sentinel = low + _SENTINEL_OFFSET
        queryset = self._build().filter(pk=sentinel).order_by()
        if queryset.query.annotations:
            raise ValueError("a kept lookup cannot annotate")
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills compiler.select and klass_info
        at = [i for i, value in enumerate(params) if value == sentinel]
        if len(at) != 1:
            raise ValueError(f"the primary key appears {len(at)} times among the statement's parameters")
        klass_info = compiler.klass_info
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        return _Compiled(
            sql=sql,
            params=tuple(params),
            pk_index=at[0],
            compiler=compiler,
            converters=compiler.get_converters([column[0] for column in compiler.select[:compiler.col_count]]),
            model=klass_info["model"],
            init_list=[column[0].target.attname for column in compiler.select[start:end]],
            start=start,
            end=end,
            populators=get_related_populators(klass_info, compiler.select, using),
            pk_range=(low, high),
        )
