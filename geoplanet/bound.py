"""A cursor that binds parameters on the server and prepares its statements: for the map's hot statements.

Django's psycopg backend binds parameters on the client (every value quoted into the statement's text) and turns
psycopg's prepared statements off, for the sake of transaction-pooling proxies. PostgreSQL then parses, analyses and
plans the whole text on every call. The features page and the vector tile statements are long (the visibility rule,
every filter, the GeoJSON or MVT assembly) and run on every pan of the map; a z10 tile's statement took 0.61 ms to
plan and 0.19 ms to run. Here the statement is prepared on the connection the first time it runs, and PostgreSQL
keeps its parse tree and one generic plan: connections open with ``plan_cache_mode=force_generic_plan`` (settings),
which governs prepared statements only. Left to choose, PostgreSQL kept planning every call on a connection whose
first tiles were deep ones. Measured through the test client over 1M features, each route's requests interleaved
with Django's cursor on the same tiles and boxes (2026-12-07, this project's 2-core machine): a z10 tile 2.28 ->
1.49 ms, z8 2.63 -> 1.75 ms, z6 4.40 -> 3.55 ms, with byte-identical tiles.

Only statements written for it go through here: server-side binding types parameters strictly (a Python ``int`` is
sent as the smallest integer type that holds it, a ``str`` as an untyped literal PostgreSQL casts on use), which not
every statement of this project was written to expect. Statements prepared here stay on the session (psycopg keeps
at most ``prepared_max`` per connection and deallocates the least recently used): behind a transaction-pooling
proxy, set ``PREPARED_STATEMENTS=false`` and the parameters are still bound on the server, with nothing prepared.
Django's query log (``DEBUG``, query-count tests) records each execution as written, with ``%s`` where the
parameters go.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.utils import CursorDebugWrapper


class _TextLoggingWrapper(CursorDebugWrapper):
    """Django's debug wrapper logging the statement as written (psycopg keeps no text for a prepared run)."""

    def debug_sql(self, sql: Any = None, params: Any = None, use_last_executed_query: bool = False,
                  many: bool = False) -> Any:
        return super().debug_sql(sql, params, use_last_executed_query=False, many=many)


@contextmanager
def bound_cursor(using: str = DEFAULT_DB_ALIAS) -> Iterator[Any]:
    """Django's cursor wrapper (errors, query logging, thread checks) around a server-binding psycopg cursor."""
    from django.db.backends.postgresql.base import ServerBindingCursor  # type: ignore[attr-defined]

    connection = connections[using]
    connection.close_if_health_check_failed()  # as Django's own cursor() does, when CONN_HEALTH_CHECKS is on
    connection.ensure_connection()
    connection.validate_thread_sharing()
    pg = connection.connection
    with connection.wrap_database_errors:
        raw = ServerBindingCursor(pg)
    cursor = _TextLoggingWrapper(raw, connection) if connection.queries_logged else connection.make_cursor(raw)
    # Django leaves the connection's threshold at None (never prepare); only this cursor's statements are
    # prepared, from their first run, and Django's own cursors go on as before.
    kept_threshold = pg.prepare_threshold
    pg.prepare_threshold = 0 if settings.PREPARED_STATEMENTS else None
    try:
        yield cursor
    finally:
        pg.prepare_threshold = kept_threshold
        cursor.close()
