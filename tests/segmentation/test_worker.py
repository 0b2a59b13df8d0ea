"""Analyses through a real Celery worker on Redis with the shipped model, including a worker killed mid-job."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio

from segmentation import services
from segmentation.engine.real_sets import on_volcano
from segmentation.models import Analysis, Feature
from tests.conftest import WorkerProcess
from tests.segmentation.conftest import run_now

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def make_large_mars(source: Path, target: Path, repeat: int = 12) -> Path:
    """A large Mars equirectangular image tiled from the real MOLA crop (same CRS, 2 km/px so it stays on Mars)."""
    with rasterio.open(source) as src:
        data = np.tile(src.read(1), (repeat, repeat))
        profile = src.profile | {"width": data.shape[1], "height": data.shape[0], "tiled": True,
                                 "blockxsize": 256, "blockysize": 256, "compress": "deflate"}
        left, top = src.transform.c, src.transform.f
        profile["transform"] = rasterio.Affine(2000.0, 0, left, 0, -2000.0, top)
    with rasterio.open(target, "w", **profile) as dst:
        dst.write(data, 1)
    return target


def wait_for(predicate: Any, timeout: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def test_real_worker_runs_shipped_model_on_real_image(
    cast: Any, make_raster: Any, shared_data: Path, celery_worker_process: WorkerProcess
) -> None:
    raster = make_raster(shared_data / "mars" / "mars_mola_shaded_global_IAU2015-49900.tif")
    version = services.default_model_version()
    analysis = services.analysis_start(user=cast.owner, raster=raster, model_version=version)
    # transaction=True: on_commit fired and the task went to Redis; the worker consumes the inference queue.
    assert wait_for(lambda: Analysis.objects.get(pk=analysis.pk).status in {"done", "failed"}, timeout=240, step=0.5)
    analysis.refresh_from_db()
    assert analysis.status == "done", analysis.error
    craters = Feature.objects.filter(analysis=analysis, class_name="crater")
    assert craters.exists(), "the shipped model found no crater on the global MOLA map"
    # every crater lies in the image footprint (outlines at the map's edge may poke past it, centres do not)
    assert craters.filter(geom__intersects=raster.footprint).count() == craters.count()
    for lon, lat in craters.values_list("center_lon", "center_lat"):
        assert lon is not None and lat is not None
        assert -180 <= lon <= 180 and -90 <= lat <= 90
    diameters = [d for d in craters.values_list("diameter_km", flat=True) if d is not None]
    # 20.8 km/px: resolvable craters are tens to hundreds of km; nothing larger than Mars' largest basin
    # (Utopia, about 3,300 km across)
    assert diameters and 40 < float(np.median(diameters)) < 1000 and max(diameters) < 3500
    # by default craters come from every pyramid level and are checked against the light: the sun is found
    # (the shaded relief is lit from the north-east), dome-lit candidates are dropped, the score is stored
    levels = analysis.summary["levels"]
    # (the 1/2 level, 512 x 256, is segmented for its valleys and ridges only)
    assert [(level["scale"], level["craters"] is None) for level in levels] == [(2.0, False), (4.0, False),
                                                                               (0.5, True)]
    assert all(level["craters"] > 0 for level in levels[:2])
    light = analysis.summary["light_check"]
    assert light["source"] == "estimated" and 20 < light["sun_azimuth_deg"] < 80, light
    assert light["dropped_lit_like_domes"] > 0
    # craters of a few pixels (found on the 4x level) are too small to judge by their shading at the image's scale
    measurable = craters.filter(diameter_px__gte=8)
    scores = [s for s in measurable.values_list("light_score", flat=True) if s is not None]
    assert measurable.count() > 50 and len(scores) > 0.95 * measurable.count() and min(scores) >= -0.1
    # a shield's summit caldera is lit like a crater; the relief along the sun shows the shield it sits on
    # (Elysium Mons, the demo map's last volcano called a crater before this test)
    assert light["dropped_raised"] > 0
    # rings of 100 km and more drawn over plains and plateaus have no bowl's shading under them
    assert light["dropped_no_bowl"] > 0
    big = craters.filter(diameter_km__gte=60)
    volcanoes = {name for name in on_volcano(*np.array(big.values_list("center_lon", "center_lat")).T) if name}
    assert not volcanoes, volcanoes


def test_worker_killed_mid_job_retries_to_exactly_one_set(
    cast: Any, make_raster: Any, shared_data: Path, worker_env: dict[str, str], tmp_path: Path
) -> None:
    arabia = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    large = make_large_mars(arabia, tmp_path / "big.tif")
    raster = make_raster(large)
    version = services.default_model_version()
    # the extra pyramid levels and the light check run after the tiles: this test is about the tiles' retry
    params = {"tile": 256, "overlap": 32, "batch_size": 1, "multiscale": False, "light_check": False}
    env = worker_env | {"ANALYSIS_STALE_SECONDS": "2"}
    first = WorkerProcess(env, tmp_path / "worker1.log")
    first.start()
    try:
        analysis = services.analysis_start(user=cast.owner, raster=raster, model_version=version, parameters=params)
        assert wait_for(lambda: Analysis.objects.get(pk=analysis.pk).progress_done > 0, timeout=120), (
            first.log_path.read_text()
        )
        first.kill()
    finally:
        first.stop()
    killed = Analysis.objects.get(pk=analysis.pk)
    assert killed.status == "running" and killed.progress_done < killed.progress_total
    assert not Feature.objects.filter(analysis=analysis).exists()  # nothing half-written

    time.sleep(2.5)  # the dead worker's heartbeat goes stale
    second = WorkerProcess(env, tmp_path / "worker2.log")
    second.start()
    try:
        finished = wait_for(
            lambda: Analysis.objects.get(pk=analysis.pk).status in {"done", "failed"}, timeout=240, step=0.3
        )
        assert finished, second.log_path.read_text()
    finally:
        second.stop()
    analysis.refresh_from_db()
    assert analysis.status == "done", analysis.error
    assert analysis.attempts == 2
    stored = Feature.objects.filter(analysis=analysis)

    reference = run_now(
        services.analysis_start(user=cast.owner, raster=raster, model_version=version, parameters=params)
    )
    assert reference.status == "done"
    assert stored.count() == Feature.objects.filter(analysis=reference).count() > 0
    assert stored.values("pixel_geom").distinct().count() == stored.count()  # no duplicate feature
