"""The site under gunicorn, plus the bare-view baseline of the tile benchmarks on the same workers.

    gunicorn --pythonpath bench bare_tile_wsgi:application

``GET /bare-tile/{z}/{x}/{y}.png`` is the least a tile server can do: rio-tiler's ``Reader(cog, tms).tile()`` and
``.render(img_format="PNG")`` on the COG named by ``BENCH_BARE_COG``, in the grid of ``BENCH_BARE_BODY``, with no
framework, session, access check or cache. Every other path goes to GeoPlanet's own WSGI application, so both are
measured on the same gunicorn, the same workers and the same machine at the same time. Never deployed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable
from typing import Any

from geoplanet.wsgi import application as site

_TILE = re.compile(r"^/bare-tile/(\d{1,2})/(\d{1,9})/(\d{1,9})\.png$")


def bare_tile(z: int, x: int, y: int) -> bytes:
    """rio-tiler's tile and PNG, as a minimal tile server would answer."""
    from rio_tiler.io import Reader

    from rasters.core.tiles import tms_for_body

    with Reader(os.environ["BENCH_BARE_COG"], tms=tms_for_body(os.environ["BENCH_BARE_BODY"])) as reader:
        return bytes(reader.tile(x, y, z).render(img_format="PNG"))


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    """The bare tile route, else the site."""
    match = _TILE.match(environ.get("PATH_INFO", ""))
    if match is None:
        return site(environ, start_response)  # type: ignore[no-any-return]
    z, x, y = (int(group) for group in match.groups())
    body = bare_tile(z, x, y)
    start_response("200 OK", [("Content-Type", "image/png"), ("Content-Length", str(len(body)))])
    return [body]
