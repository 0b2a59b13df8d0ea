"""A user drops a real GeoTIFF on the upload page, watches its progress bar, and sees it processed on its map."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest

from rasters.models import Raster
from tests.conftest import ARTIFACTS, WorkerProcess
from tests.journey.helpers import login

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]

_DROP = """([name, b64, selector]) => {
  const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type: "image/tiff" }));
  const zone = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}"""


def drop_file(page: Any, path: Path, selector: str = "#dropzone", name: str | None = None) -> None:
    """Drop ``path`` on ``selector`` as the browser would: a DataTransfer holding a File made from its bytes."""
    page.evaluate(_DROP, [name or path.name, base64.b64encode(path.read_bytes()).decode(), selector])


def upload_by_drop(page: Any, base: str, path: Path) -> int:
    """Drop one file on the upload page, wait for its bar to reach 100 % and its link; return the image id."""
    page.goto(f"{base}/images/upload/")
    drop_file(page, path)
    item = page.locator("#uploads li.upload-ok").last
    item.wait_for(timeout=60_000)
    assert item.locator("progress").evaluate("bar => bar.value") == 100
    assert "uploaded" in item.inner_text()
    href = item.locator("a").get_attribute("href")
    assert href is not None
    return int(href.strip("/").split("/")[-1])


def wait_until_map_ready(page: Any) -> None:
    """The page reloads itself once processing ends; then Leaflet loads image tiles and draws the footprint."""
    page.wait_for_selector("#status.ready", timeout=90_000)
    page.wait_for_selector("#map .leaflet-tile-loaded", timeout=30_000)
    page.wait_for_selector("#map path.leaflet-interactive", state="attached")


def test_drop_upload_process_and_show_on_map(
    browser_page: Any, live_server: Any, cast: Any, shared_data: Path, celery_worker_process: WorkerProcess
) -> None:
    page, base = browser_page, live_server.url
    tif = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    login(page, base, cast.owner.username, cast.password)

    raster_id = upload_by_drop(page, base, tif)
    page.screenshot(path=str(ARTIFACTS / "rasters-01-dropped.png"))
    raster = Raster.objects.get(pk=raster_id)
    assert raster.owner == cast.owner and raster.original_name == tif.name

    page.click("#uploads li.upload-ok a")
    wait_until_map_ready(page)
    raster.refresh_from_db()
    assert raster.status == Raster.Status.READY and raster.body is not None and raster.body.slug == "mars"
    tiles = page.eval_on_selector_all("#map img.leaflet-tile-loaded", "imgs => imgs.map(i => [i.naturalWidth, i.src])")
    assert tiles and all(width == 256 and f"/rasters/{raster_id}/tiles/" in src for width, src in tiles)
    # The footprint drawn on the map is the image's: its bounds match the stored footprint (lon/lat on Mars).
    assert raster.footprint is not None
    west, south, east, north = raster.footprint.extent
    bounds = page.evaluate("() => { const b = window.geoplanetLayers.footprint.getBounds();"
                           " return [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()]; }")
    assert bounds == pytest.approx([west, south, east, north], abs=1e-6)
    assert "Mars" in page.inner_text("main")
    page.screenshot(path=str(ARTIFACTS / "rasters-02-on-map.png"))


_DROP_MANY = """([files, selector]) => {
  const transfer = new DataTransfer();
  for (const [name, b64] of files) {
    transfer.items.add(new File([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], name));
  }
  const zone = document.querySelector(selector);
  for (const type of ["dragenter", "dragover", "drop"]) {
    zone.dispatchEvent(new DragEvent(type, { bubbles: true, cancelable: true, dataTransfer: transfer }));
  }
}"""


def test_drop_a_pds4_pair_and_a_geotiff_together(
    browser_page: Any, live_server: Any, cast: Any, shared_data: Path, tmp_path: Path
) -> None:
    """The PDS4 label and its data go as one product; the GeoTIFF dropped with them is its own upload."""
    from tests.rasters.products import sample_script

    tif = shared_data / "mars" / "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
    samples = sample_script().make_samples(tmp_path, tif)
    page, base = browser_page, live_server.url
    login(page, base, cast.owner.username, cast.password)
    page.goto(f"{base}/images/upload/")
    files = [[path.name, base64.b64encode(path.read_bytes()).decode()] for path in [*samples["pds4"], tif]]
    page.evaluate(_DROP_MANY, [files, "#dropzone"])
    page.wait_for_function("() => document.querySelectorAll('#uploads li.upload-ok').length === 2", timeout=60_000)
    product = page.locator("#uploads li[data-product=true]")
    assert product.count() == 1
    assert "mola_arabia_pds4.xml + mola_arabia_pds4.img" in product.inner_text()
    page.screenshot(path=str(ARTIFACTS / "rasters-03-pds4-product.png"))
    pds4 = Raster.objects.get(driver="PDS4")
    assert pds4.product_files == ["mola_arabia_pds4.xml", "mola_arabia_pds4.img"]
    assert pds4.body is not None and pds4.body.slug == "mars"
    assert Raster.objects.filter(driver="GTiff", product_files=[]).count() == 1
    # Converted here rather than by a worker; the detail page then shows what the label says.
    from rasters import services

    services.raster_process(pds4.pk)
    page.click("#uploads li[data-product=true] a")
    page.wait_for_selector("#status.ready", timeout=60_000)
    fields = page.inner_text("#label-fields")
    for text in ["MARS GLOBAL SURVEYOR", "MOLA", "1999-03-01T12:30:00.000Z", "62.5°", "290° clockwise from image up"]:
        assert text in fields, text
    page.screenshot(path=str(ARTIFACTS / "rasters-04-pds4-label.png"), full_page=True)
