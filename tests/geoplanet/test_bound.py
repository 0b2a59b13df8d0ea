"""The server-binding cursor: parameters apart from the text, statements prepared, Django's wrapper kept."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from geoplanet.bound import bound_cursor

pytestmark = pytest.mark.django_db


def _prepared(statement: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement = %s", [statement])
        return int(cursor.fetchone()[0])


def test_parameters_travel_apart_from_the_statement() -> None:
    # Bound on the server, PostgreSQL sees a typed parameter; quoted into the text by Django's cursor, a literal.
    with bound_cursor() as cursor:
        cursor.execute("SELECT pg_typeof(%s)::text, %s::text", [1, "a'; DROP TABLE x; --"])
        bound = cursor.fetchone()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_typeof(%s)::text", [1])
        quoted = cursor.fetchone()
    assert bound == ("smallint", "a'; DROP TABLE x; --")
    assert quoted == ("integer",)


def test_a_statement_is_prepared_once_on_the_connection_and_reused() -> None:
    sql = "SELECT %s::int + 1"
    assert _prepared("SELECT $1::int + 1") == 0
    for value in range(10):
        with bound_cursor() as cursor:
            cursor.execute(sql, [value])
            assert cursor.fetchone() == (value + 1,)
        assert _prepared("SELECT $1::int + 1") == 1


def test_djangos_own_cursors_still_never_prepare() -> None:
    with bound_cursor() as cursor:
        cursor.execute("SELECT %s::int", [1])
    assert connection.connection.prepare_threshold is None  # Django's setting, restored
    for _ in range(10):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 41 + %s", [1])
    assert _prepared("SELECT 41 + $1") == 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", ["%41 +%"])
        assert cursor.fetchone() == (0,)


def test_nothing_is_prepared_when_turned_off(settings: object) -> None:
    settings.PREPARED_STATEMENTS = False  # type: ignore[attr-defined]
    for value in range(10):
        with bound_cursor() as cursor:
            cursor.execute("SELECT %s::int + 2", [value])
            assert cursor.fetchone() == (value + 2,)
    assert _prepared("SELECT $1::int + 2") == 0


def test_errors_are_djangos_and_the_connection_stays_usable() -> None:
    with pytest.raises(DatabaseError), transaction.atomic(), bound_cursor() as cursor:
        cursor.execute("SELECT 1 FROM no_such_table WHERE id = %s", [1])
    assert connection.connection.prepare_threshold is None
    with connection.cursor() as cursor:
        cursor.execute("SELECT 2")
        assert cursor.fetchone() == (2,)


def test_statements_are_counted_by_query_capture() -> None:
    # Query-count tests (tests/geoplanet/test_query_counts.py) see these statements as any other.
    with CaptureQueriesContext(connection) as ctx:
        for _ in range(2):
            with bound_cursor() as cursor:
                cursor.execute("SELECT %s::text", ["seen"])
    assert [q["sql"] for q in ctx.captured_queries] == ["SELECT %s::text"] * 2


def test_prepared_statements_run_on_their_generic_plan() -> None:
    # Set when the connection opens: deep tiles first on a connection must not keep it planning every call.
    with connection.cursor() as cursor:
        cursor.execute("SHOW plan_cache_mode")
        assert cursor.fetchone() == ("force_generic_plan",)
    for value in range(3):
        with bound_cursor() as cursor:
            cursor.execute("SELECT %s::int + 3", [value])
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
                       ["SELECT $1::int + 3"])
        assert cursor.fetchone() == (3, 0)
