"""Machinery of the access matrix: every URL pattern of the root resolver must have an entry.

An entry is a list of ``Case`` (method, URL built from a real object of the test's world, and the status each
actor gets). ``ACTORS`` are the image's owner, a project member (editor), a stranger and an anonymous visitor.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.urls import URLPattern, URLResolver, get_resolver

ACTORS = ("owner", "member", "stranger", "anon")
Expect = int | tuple[int, ...]


@dataclass
class Case:
    method: str
    url: Callable[[Any], str]
    expect: dict[str, Expect]
    data: dict[str, Any] | None = None
    note: str = ""
    fmt: str = "json"


@dataclass
class Prefix:
    """Covers every route under a prefix (the admin site) with a few representative cases."""

    cases: list[Case] = field(default_factory=list)


def route_key(pattern: Any) -> str:
    return str(pattern).lstrip("^").rstrip("$").replace("\\Z", "")


def all_routes() -> Iterator[tuple[str, str | None]]:
    """(route, name) of every URL pattern reachable from the root resolver, nested includes flattened."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[tuple[str, str | None]]:
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + route_key(p.pattern))
            elif isinstance(p, URLPattern):
                yield prefix + route_key(p.pattern), p.name

    yield from walk(get_resolver().url_patterns, "")


def uncovered(matrix: dict[str, Any]) -> list[tuple[str, str | None]]:
    prefixes = [key for key, value in matrix.items() if isinstance(value, Prefix)]
    return [
        (route, name) for route, name in all_routes()
        if route not in matrix and not any(route.startswith(prefix) for prefix in prefixes)
    ]


def expand(expect: dict[str, Expect] | None = None, **overrides: Expect) -> dict[str, Expect]:
    result = dict(expect or {})
    result.update(overrides)
    assert set(result) == set(ACTORS), f"every actor needs an expected status: {result}"
    return result


ANON_API = (401, 403)
PAGE = expand(owner=200, member=200, stranger=404, anon=302)
API = expand(owner=200, member=200, stranger=404, anon=ANON_API)
LOGGED_IN_PAGE = expand(owner=200, member=200, stranger=200, anon=302)
LOGGED_IN_API = expand(owner=200, member=200, stranger=200, anon=ANON_API)
ANYONE = expand(owner=200, member=200, stranger=200, anon=200)
