"""Multi-file planetary products through POST /api/v1/rasters/: made by the committed sample script from the
real MOLA crop, uploaded as their files together or as one zip, converted to a COG, their CRS, body and label
fields checked against the source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import pytest
import rasterio

from rasters import services
from rasters.models import Raster
from tests.rasters.conftest import api_for, post_file
from tests.rasters.products import post_paths, sample_script, zip_bytes

pytestmark = pytest.mark.django_db

SOURCE_NAME = "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
LABELLED = {"pds4", "pds3", "jp2", "isis3_detached"}
WITH_ILLUMINATION = {"pds4", "pds3", "jp2"}


@pytest.fixture(scope="module")
def script() -> Any:
    return sample_script()


@pytest.fixture
def samples(script: Any, shared_data: Path, tmp_path: Path) -> dict[str, list[Path]]:
    return script.make_samples(tmp_path / "samples", shared_data / "mars" / SOURCE_NAME)


def _crop(shared_data: Path, script: Any) -> np.ndarray:
    with rasterio.open(shared_data / "mars" / SOURCE_NAME) as src:
        return src.read(1, window=script.CROP)


def _process(pk: int) -> Raster:
    services.raster_process(pk)
    return Raster.objects.get(pk=pk)


@pytest.mark.parametrize("kind", ["pds4", "pds3", "jp2", "isis3", "isis3_detached", "vicar", "geotiff_aux"])
def test_product_uploads_and_converts(
    cast: Any, samples: dict[str, list[Path]], shared_data: Path, script: Any, kind: str
) -> None:
    files = samples[kind]
    response = post_paths(api_for(cast.owner), files)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["body"] == "mars"
    assert (body["width"], body["height"]) == (64, 48)
    assert body["resolution_m"] == pytest.approx(20_000, rel=1e-6)
    raster = _process(body["id"])
    assert raster.status == Raster.Status.READY, raster.error
    # The planetary CRS survives every writer and the conversion: an equirectangular projection of Mars's sphere.
    crs = pyproj.CRS.from_wkt(raster.crs_wkt)
    assert crs.is_projected
    assert crs.ellipsoid is not None and crs.ellipsoid.semi_major_metre == pytest.approx(3_396_190)
    with rasterio.open(raster.cog_path) as cog:
        assert cog.crs is not None
        ellipsoid = pyproj.CRS.from_wkt(cog.crs.to_wkt()).ellipsoid
        assert ellipsoid is not None and ellipsoid.semi_major_metre == pytest.approx(3_396_190)
        assert cog.transform.c == pytest.approx(800_000) and cog.transform.f == pytest.approx(978_000)
        np.testing.assert_array_equal(cog.read(1), _crop(shared_data, script))
    # The footprint is in Mars lon/lat: 64 x 20 km from 800 km east of 0 E, on the equirectangular sphere.
    assert raster.footprint is not None
    lon_min, lat_min, lon_max, lat_max = raster.footprint.extent
    assert lon_min == pytest.approx(np.degrees(800_000 / 3_396_190), abs=1e-6)
    assert lon_max == pytest.approx(np.degrees(2_080_000 / 3_396_190), abs=1e-6)
    assert lat_max == pytest.approx(np.degrees(978_000 / 3_396_190), abs=1e-6)
    stored = sorted(path.name for path in raster.product_directory.iterdir()) if len(files) > 1 else []
    assert stored == sorted(path.name for path in files if len(files) > 1)
    if kind in LABELLED:
        metadata = raster.metadata
        assert metadata["mission"] == script.MISSION
        assert metadata["instrument"] == script.INSTRUMENT
        assert metadata["start_time"].startswith(script.START_TIME)
        assert metadata["pixel_scale_m"] == pytest.approx(20_000)
        assert metadata["product_id"]
        assert raster.acquired_at is not None and raster.acquired_at.year == 1999
    if kind in WITH_ILLUMINATION:
        illumination = raster.metadata["illumination"]
        assert illumination["incidence_deg"] == pytest.approx(script.INCIDENCE_DEG)
        # PDS measures from the image's right edge; stored clockwise from image up.
        assert illumination["sun_azimuth_deg"] == pytest.approx(script.SUN_AZIMUTH_FROM_UP_DEG)
        assert illumination["sun_azimuth_deg"] == pytest.approx(290.0)


def test_product_as_one_zip_with_its_folder(cast: Any, samples: dict[str, list[Path]], tmp_path: Path) -> None:
    archive = zip_bytes([(f"mola_pds4/{path.name}", path.read_bytes()) for path in samples["pds4"]], tmp_path)
    response = post_file(api_for(cast.owner), archive)
    assert response.status_code == 201, response.content
    raster = _process(response.json()["id"])
    assert raster.status == Raster.Status.READY, raster.error
    assert raster.product_files == ["mola_arabia_pds4.xml", "mola_arabia_pds4.img"]
    assert raster.original_name == "product.zip"
    assert raster.metadata["mission"] == "MARS GLOBAL SURVEYOR"
    assert not (raster.directory / "upload.bin").exists()  # the zip itself is not kept


def test_single_file_upload_is_unchanged(cast: Any, shared_data: Path) -> None:
    response = post_file(api_for(cast.owner), shared_data / "mars" / SOURCE_NAME)
    assert response.status_code == 201, response.content
    raster = Raster.objects.get(pk=response.json()["id"])
    assert raster.product_files == []
    assert raster.original_path.name == "original.tif"


def test_product_detail_page_shows_the_label(client: Any, cast: Any, samples: dict[str, list[Path]]) -> None:
    response = post_paths(api_for(cast.owner), samples["pds3"])
    assert response.status_code == 201, response.content
    raster = _process(response.json()["id"])
    client.force_login(cast.owner)
    page = client.get(f"/images/{raster.pk}/").content.decode()
    for text in ["MARS GLOBAL SURVEYOR", "MOLA", "MOLA_ARABIA_PDS3", "1999-03-01T12:30:00.000", "62.5", "290",
                 "MOLA_ARABIA_PDS3.LBL", "MOLA_ARABIA_PDS3.IMG"]:
        assert text in page, text


def test_product_original_download_is_a_zip_of_its_files(
    client: Any, cast: Any, samples: dict[str, list[Path]]
) -> None:
    import io
    import zipfile

    response = post_paths(api_for(cast.owner), samples["pds4"])
    raster = Raster.objects.get(pk=response.json()["id"])
    client.force_login(cast.owner)
    download = client.get(f"/images/{raster.pk}/original/")
    assert download.status_code == 200
    assert download["Content-Type"] == "application/zip"
    content = b"".join(download.streaming_content)
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert sorted(archive.namelist()) == ["mola_arabia_pds4.img", "mola_arabia_pds4.xml"]
        assert archive.read("mola_arabia_pds4.img") == samples["pds4"][1].read_bytes()


def test_openapi_documents_the_product_upload(client: Any) -> None:
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    operation = schema["paths"]["/api/v1/rasters/"]["post"]
    assert {"201", "400", "413", "415"} <= set(operation["responses"])
    for status in ("400", "413", "415"):
        assert "application/json" in operation["responses"][status]["content"]
    assert "zip" in operation["description"] and "label" in operation["description"]
    upload = operation["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"].rsplit("/", 1)[-1]
    field = schema["components"]["schemas"][upload]["properties"]["file"]
    assert field["type"] == "array" and field["items"] == {"type": "string", "format": "binary"}
    assert field["maxItems"] == 16
