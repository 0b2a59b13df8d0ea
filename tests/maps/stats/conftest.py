"""Fixtures for statistics tests: a Mars image, Pickering's craters as Feature rows, craterstats' own answers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.gis.geos import Point

from maps.core.scc import CraterCount, read_scc
from rasters.models import Raster
from segmentation.models import Feature
from tests.factories import make_analysis
from tests.maps.core.conftest import csfd_ref, read_summary_csv, run_craterstats  # noqa: F401 - fixture
from tests.rasters.conftest import _media, make_raster  # noqa: F401 - fixtures

MARS_TIF = "mars/mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"


@pytest.fixture
def mars_raster(make_raster: Callable[..., Raster], shared_data: Path) -> Raster:  # noqa: F811
    """The small MOLA crop (a real upload, processed): it has a footprint and a thumbnail."""
    return make_raster(shared_data / MARS_TIF)


@pytest.fixture(scope="session")
def pickering(csfd_ref: Path) -> CraterCount:  # noqa: F811
    return read_scc(csfd_ref / "Pickering.scc")


def load_craters(analysis: Any, count: CraterCount, **extra: Any) -> list[Feature]:
    """Pickering's craters as Feature rows on the analysis' body (bulk insert: 1707 rows)."""
    raster = analysis.raster
    radius_deg_per_km = 57.29577951308232 / (raster.body.mean_radius_m / 1000)
    rows = []
    for i, (d, lon, lat) in enumerate(zip(count.diameters_km, count.lon or [], count.lat or [], strict=True)):
        centre = Point(lon, lat, srid=0)
        rows.append(
            Feature(
                analysis=analysis, raster=raster, body=raster.body, class_name="crater",
                geom=centre.buffer(d / 2 * radius_deg_per_km, quadsegs=4),
                pixel_geom=Point((i * 7919) % raster.width, (i * 104729) % raster.height, srid=0).buffer(1.5, 2),
                confidence=0.9, area_px=3.0, center_lon=lon, center_lat=lat, diameter_km=d, **extra,
            )
        )  # fmt: skip
    for f in rows:
        assert f.geom is not None  # built just above
        f.geom.srid = 0
        f.pixel_geom.srid = 0
    return Feature.objects.bulk_create(rows, batch_size=2000)


@pytest.fixture
def pickering_analysis(mars_raster: Raster, pickering: CraterCount, cast: Any) -> Any:
    analysis = make_analysis(mars_raster, cast.owner)
    load_craters(analysis, pickering)
    return analysis


@pytest.fixture(scope="session")
def craterstats_pickering(csfd_ref: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    """craterstats' CLI on Pickering.scc itself: poisson ages and the binned .stat table (the core's references)."""
    from tests.maps.core.conftest import read_stat

    out = tmp_path_factory.mktemp("cst-stats")
    src = csfd_ref / "Pickering.scc"
    args = ["-cs", "neukumivanov", "-f", "csv", "stat", "-o", "pois", "-p", f"source={src}"]
    for lo, hi in ((0.2, 0.7), (2.0, 5.0)):
        args += ["-p", f"type=poisson,range=[{lo},{hi}]"]
    run_craterstats(args, out)
    return {"pois": read_summary_csv(out / "pois.csv"), "stat": read_stat(out / "Pickering_pseudo-log.stat")}
