"""Map tiles: our endpoint beside rio-tiler's bare ``Reader.tile()`` on the same COG, and gunicorn throughput.

    .venv/bin/python bench/bench_tiles.py        (or through bench/run_all.py)

Latency: for each tile of a fixed set, interleaved so machine noise hits both sides alike, (a) ``GET
/api/v1/rasters/{id}/tiles/z/x/y.png`` through ``django.test.Client`` with the tile cache cleared first (cold:
access check, render, cache write), the same request again (warm: served from Redis), and the
``rasters.tiles.render()`` call alone; (b) rio-tiler's ``Reader(cog, tms=same TMS).tile(x, y, z)`` +
``.render(img_format="PNG")`` (the headline baseline), and like for like: rio-tiler with our resampling rule (nearest
at or past the image's resolution, bilinear below) and stretch, rendered at GDAL's default zlib level and at
``ZLEVEL=1`` (ours). Throughput: ``gunicorn --workers 2`` on a free loopback port, a bounded number of
concurrent requests from threads with a bench user's session cookie, beside the same loop against a bare view on
the same gunicorn (``bare_tile_wsgi``: rio-tiler's ``Reader.tile()`` + PNG and nothing else, no framework, access
check or cache). Everything runs in the throwaway ``geoplanet_bench`` database and the bench Redis database, with
``DEBUG`` off as deployed.
"""

from __future__ import annotations

import http.client
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import REPO, Row, bench_database, bench_env, bench_user, percentiles, row, shared_data_dir  # noqa: E402

SOURCES = {
    "mars": ("mars", "mars_mola_shaded_global_IAU2015-49900.tif"),
    "moon": ("moon", "moon_wac_global_IAU2015-30100.tif"),
}
REPEATS = 2
COLD_TARGET = 1.2  # cold tile p50 over rio-tiler's Reader.tile() + PNG (issue 17)
WARM_TARGET = 0.5
REQUESTS = 400
CONCURRENCY = 8
WORKERS = 2


def tile_set() -> list[tuple[int, int, int]]:
    """Every tile of zooms 0-2 and every fourth of zoom 3 (Leaflet EPSG4326 grid: 2^(z+1) x 2^z tiles)."""
    tiles = [(z, x, y) for z in range(3) for y in range(2**z) for x in range(2 ** (z + 1))]
    zoom3 = [(3, x, y) for y in range(8) for x in range(16)]
    return tiles + zoom3[::4]


def throughput_tiles(count: int) -> list[tuple[int, int, int]]:
    """``count`` distinct tiles from zoom 3 upwards, so a cold run renders each once."""
    tiles: list[tuple[int, int, int]] = []
    z = 3
    while len(tiles) < count:
        tiles += [(z, x, y) for y in range(2**z) for x in range(2 ** (z + 1))]
        z += 1
    return tiles[:count]


def create_raster(user: Any, path: Path) -> Any:
    """Upload and process ``path`` through the real services (the COG is made by ``make_cog`` there)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from rasters import services
    from rasters.models import Raster

    raster = services.raster_create(owner=user, upload=SimpleUploadedFile(path.name, path.read_bytes()))
    services.raster_process(raster.pk)
    raster.refresh_from_db()
    if raster.status != Raster.Status.READY:
        raise RuntimeError(f"{path.name} did not process: {raster.error}")
    return raster


def _timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return (time.perf_counter() - start) * 1000


def latency_rows(label: str, raster: Any, user: Any) -> list[Row]:
    """Cold/warm view, bare render() and rio-tiler on the same tiles of ``raster``'s COG (milliseconds)."""
    from django.core.cache import cache
    from django.test import Client
    from morecantile import Tile
    from rio_tiler.io import Reader

    from rasters import tiles
    from rasters.core.tiles import tms_for_body

    client = Client()
    client.force_login(user)
    tms = tms_for_body(raster.body.slug)
    cog = str(raster.cog_path)

    def view(z: int, x: int, y: int) -> None:
        response = client.get(f"/api/v1/rasters/{raster.pk}/tiles/{z}/{x}/{y}.png")
        if response.status_code != 200:
            raise RuntimeError(f"tile {z}/{x}/{y}: HTTP {response.status_code}")

    def rio_tiler(z: int, x: int, y: int) -> None:
        with Reader(cog, tms=tms) as reader:
            reader.tile(x, y, z).render(img_format="PNG")

    stretch = tiles.tile_style(raster)["stretch"]
    in_range = None if stretch is None else [stretch] if isinstance(stretch[0], int | float) else stretch
    with Reader(cog, tms=tms) as reader:
        if reader.crs != tms.rasterio_crs:
            raise RuntimeError("the like-for-like baseline assumes a COG in the body's lon/lat CRS")
        source_pixel = abs(reader.transform.a)

    def same_method(z: int, x: int, y: int) -> str:
        # Our endpoint's rule: nearest at or past the image's resolution, bilinear when downsampling.
        left, _, right, _ = tms.xy_bounds(Tile(x, y, z))
        return "nearest" if (right - left) / 256 <= source_pixel * 1.0001 else "bilinear"

    def rio_tiler_same(z: int, x: int, y: int, **png: Any) -> None:
        # Like for like: the resampling and stretch our endpoint applies; ``png`` GDAL creation options.
        method = same_method(z, x, y)
        with Reader(cog, tms=tms) as reader:
            image = reader.tile(x, y, z, resampling_method=method, reproject_method=method)
            if in_range is not None:
                image = image.rescale(in_range=in_range)
            image.render(img_format="PNG", **png)

    samples: dict[str, list[float]] = {key: [] for key in ("cold", "warm", "render", "rio", "rio_same", "rio_z1")}
    for z, x, y in tile_set()[:4]:  # warm-up: imports, GDAL and PROJ caches for both sides
        rio_tiler(z, x, y)
        tiles.render(raster, z, x, y)
    for _ in range(REPEATS):
        for z, x, y in tile_set():
            samples["rio"].append(_timed(partial(rio_tiler, z, x, y)))
            samples["rio_same"].append(_timed(partial(rio_tiler_same, z, x, y)))
            samples["rio_z1"].append(_timed(partial(rio_tiler_same, z, x, y, ZLEVEL=1)))
            # Cold = this tile not cached (the session stays cached, as it does while a map is browsed).
            cache.delete(tiles.tile_cache_key(raster, z, x, y))
            samples["cold"].append(_timed(partial(view, z, x, y)))
            samples["warm"].append(_timed(partial(view, z, x, y)))
            samples["render"].append(_timed(partial(tiles.render, raster, z, x, y)))
    stats = {key: percentiles(values) for key, values in samples.items()}
    n = len(samples["rio"])
    rio50, rio95 = stats["rio"]["p50"], stats["rio"]["p95"]
    same50, fast50 = stats["rio_same"]["p50"], stats["rio_z1"]["p50"]
    target = f"target <= {COLD_TARGET}x"
    return [
        row(f"{label} tile GET, cold cache p50", stats["cold"]["p50"], "ms", "rio-tiler tile+PNG p50", rio50,
            f"{n} tiles z0-3, {target}"),
        row(f"{label} tile GET, cold cache p95", stats["cold"]["p95"], "ms", "rio-tiler tile+PNG p95", rio95, target),
        row(f"{label} tile GET, cold cache p50", stats["cold"]["p50"], "ms", "rio-tiler same resampling+stretch p50",
            same50, "like for like: same resampling and stretch (GDAL PNG, zlib 6)"),
        row(f"{label} tile GET, cold cache p50", stats["cold"]["p50"], "ms", "rio-tiler same, PNG zlib 1 p50",
            fast50, "like for like incl. compression level"),
        row(f"{label} tiles.render() alone p50", stats["render"]["p50"], "ms", "rio-tiler same resampling+stretch p50",
            same50, "no HTTP, no cache"),
        row(f"{label} tiles.render() alone p50", stats["render"]["p50"], "ms", "rio-tiler same, PNG zlib 1 p50",
            fast50, "like for like incl. compression level (ours: zlib 1)"),
        row(f"{label} tile GET, warm cache p50", stats["warm"]["p50"], "ms", "rio-tiler tile+PNG p50", rio50,
            f"served from Redis after the access check, target <= {WARM_TARGET}x"),
        row(f"{label} tile GET, warm cache p95", stats["warm"]["p95"], "ms", "rio-tiler tile+PNG p95", rio95),
    ]


# --- throughput under gunicorn ----------------------------------------------------------------------------------


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(port: int, path: str, cookie: str = "") -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def load(port: int, paths: list[str], cookie: str = "", concurrency: int = CONCURRENCY) -> tuple[float, list[int]]:
    """Requests per second over ``paths`` with ``concurrency`` threads, and the statuses other than 200."""
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        statuses = list(pool.map(lambda p: _get(port, p, cookie), paths))
    elapsed = time.perf_counter() - start
    return len(paths) / elapsed, [s for s in statuses if s != 200]


def _checked(rate: float, failures: list[int], what: str) -> tuple[float | None, str]:
    """A rate measured over failing requests means nothing: drop it and say what came back."""
    if not failures:
        return rate, ""
    return None, f"{what}: {len(failures)} non-200 answers (HTTP {sorted(set(failures))}), see gunicorn log"


def start_gunicorn(port: int, media_root: Path, log_path: Path, *, app: str = "bare_tile_wsgi:application",
                   workers: int = WORKERS, env_extra: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    """gunicorn on 127.0.0.1:``port`` with the bench database, Redis and media; waits until it answers.

    ``app`` is found on ``bench/`` (the default serves the site and the bare tile view) or is the site's own
    ``geoplanet.wsgi:application``.
    """
    env = bench_env()
    env["MEDIA_ROOT"] = str(media_root)
    env.update(env_extra or {})
    gunicorn = Path(sys.executable).parent / "gunicorn"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
            [str(gunicorn), app, "--pythonpath", str(REPO / "bench"), "--workers", str(workers),
             "--bind", f"127.0.0.1:{port}", "--timeout", "120", "--log-level", "warning"],
            cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited ({proc.returncode}): {log_path.read_text()[-500:]}")
        try:
            if _get(port, "/accounts/login/") == 200:
                return proc
        except OSError:
            pass
        time.sleep(0.5)
    stop(proc)
    raise RuntimeError("gunicorn did not answer within 90 s")


def stop(proc: subprocess.Popen[bytes]) -> None:
    """Stop gunicorn (TERM, then KILL after 15 s)."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


def throughput_rows(raster: Any, user: Any, media_root: Path, tmp: Path) -> list[Row]:
    """Tile requests per second under gunicorn (cold, then warm cache) beside a bare rio-tiler view's."""
    from django.conf import settings
    from django.core.cache import cache
    from django.test import Client

    client = Client()
    client.force_login(user)  # a database session: valid in gunicorn's workers too
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    tile_list = throughput_tiles(REQUESTS)
    paths = [f"/api/v1/rasters/{raster.pk}/tiles/{z}/{x}/{y}.png" for z, x, y in tile_list]
    bare_paths = [f"/bare-tile/{z}/{x}/{y}.png" for z, x, y in tile_list]
    port = free_port()
    bare_env = {"BENCH_BARE_COG": str(raster.cog_path), "BENCH_BARE_BODY": raster.body.slug}
    proc = start_gunicorn(port, media_root, tmp / "gunicorn.log", env_extra=bare_env)
    try:
        load(port, ["/accounts/login/"] * (4 * WORKERS))  # warm-up: imports in each worker
        load(port, bare_paths[-16:])
        load(port, paths[-16:], cookie)
        # The bare view before and after ours: the machine's load drifts (it is shared), the mean evens that out.
        bare_before, before_errors = _checked(*load(port, bare_paths), "bare view")
        # Cold: none of these tiles cached; the session stays cached, as it does while a map is browsed.
        from rasters.tiles import tile_cache_key

        cache.delete_many([tile_cache_key(raster, z, x, y) for z, x, y in tile_list])
        cold, cold_errors = _checked(*load(port, paths, cookie), "tiles")
        warm, warm_errors = _checked(*load(port, paths, cookie), "tiles")
        bare_after, after_errors = _checked(*load(port, bare_paths), "bare view")
    finally:
        stop(proc)
    if cold_errors or warm_errors or before_errors or after_errors:
        print((tmp / "gunicorn.log").read_text()[-3000:], file=sys.stderr)
    bare = (bare_before + bare_after) / 2 if bare_before and bare_after else None
    setup = f"{REQUESTS} req, {CONCURRENCY} concurrent, {WORKERS} workers, distinct tiles z3-4"
    base = "bare view: rio-tiler tile+PNG req/s"
    bare_note = f"bare view {bare_before or 0:.0f} before, {bare_after or 0:.0f} after; higher is better"
    return [
        row(f"{raster_label(raster)} tiles/s gunicorn, cold cache", cold, "req/s", base, bare,
            "; ".join(filter(None, [setup, bare_note, cold_errors, before_errors, after_errors]))),
        row(f"{raster_label(raster)} tiles/s gunicorn, warm cache", warm, "req/s", base, bare,
            "; ".join(filter(None, [setup, warm_errors]))),
    ]


def raster_label(raster: Any) -> str:
    """``mars``, ``moon``...: the raster's body."""
    return str(raster.body.slug)


def run() -> list[Row]:
    """Latency on Mars and Moon global mosaics and gunicorn throughput on Mars."""
    data = shared_data_dir()
    with tempfile.TemporaryDirectory(prefix="bench-tiles-") as tmp_name:
        tmp = Path(tmp_name)
        media = tmp / "media"
        with bench_database(media_root=media):
            user = bench_user()
            rasters = {label: create_raster(user, data / folder / name) for label, (folder, name) in SOURCES.items()}
            rows: list[Row] = []
            for label, raster in rasters.items():
                rows += latency_rows(label, raster, user)
            rows += throughput_rows(rasters["mars"], user, media, tmp)
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(REPO / "bench"))
    from run_all import format_text, machine

    print(format_text(run(), machine()))
