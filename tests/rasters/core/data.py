"""Generators of tiny test rasters (good and hostile) and the locator of the shared real data.

Each ``make_*`` function writes one file into ``directory`` and returns its path, so tests build only what
they need in pytest's tmp_path. Run this module directly to write all of them into a folder for a look.
"""

from __future__ import annotations

import struct
import sys
import warnings
import zlib
from pathlib import Path

import numpy as np
import pyproj
import rasterio
from affine import Affine
from rasterio.crs import CRS
from rasterio.enums import ColorInterp
from rasterio.errors import NotGeoreferencedWarning

MARS_R = 3_396_190.0
MOON_R = 1_737_400.0


def _crs(user_input: str) -> CRS:
    return CRS.from_wkt(pyproj.CRS.from_user_input(user_input).to_wkt())


def _gradient(height: int, width: int, bands: int = 1, dtype: str = "uint8") -> np.ndarray:
    # A gradient plus a checker pattern: every tile and thumbnail has structure that a blank image would not.
    rows, cols = np.mgrid[0:height, 0:width]
    base = (rows * 3 + cols * 5) % 200 + ((rows // 8 + cols // 8) % 2) * 40 + 10
    stack = np.stack([np.roll(base, shift=17 * band, axis=1) for band in range(bands)])
    return stack.astype(dtype)


def _write(path: Path, data: np.ndarray, **profile: object) -> Path:
    bands, height, width = data.shape
    defaults: dict[str, object] = {"driver": "GTiff", "width": width, "height": height, "count": bands}
    defaults["dtype"] = str(data.dtype)
    defaults.update(profile)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", NotGeoreferencedWarning)
        with rasterio.open(path, "w", **defaults) as dst:
            dst.write(data)
    return path


def make_mars_dem_int16(directory: Path) -> Path:
    """Int16 DEM on Mars geographic (IAU_2015:49900), scale 0.5, offset -100, nodata -32768 in a corner."""
    data = (_gradient(64, 96, dtype="int32") * 40 - 4000).astype("int16")
    data[:, :10, :10] = -32768
    path = _write(
        directory / "mars_dem_int16.tif",
        data,
        crs=_crs("IAU_2015:49900"),
        transform=Affine(0.25, 0, 130.0, 0, -0.25, -2.0),
        nodata=-32768,
    )
    with rasterio.open(path, "r+") as dst:
        dst.scales = (0.5,)
        dst.offsets = (-100.0,)
        dst.update_tags(START_TIME="2008-05-25T23:53:44.000", SPACECRAFT_NAME="MARS RECONNAISSANCE ORBITER",
                        INSTRUMENT_ID="HIRISE")
    return path


def make_uint16(directory: Path) -> Path:
    """16-bit single band, Mars equirectangular metres (IAU_2015:49910)."""
    data = (_gradient(80, 80, dtype="uint16") * 200).astype("uint16")
    return _write(directory / "mars_uint16.tif", data, crs=_crs("IAU_2015:49910"),
                  transform=Affine(1000, 0, 100_000, 0, -1000, 200_000))


def make_float32(directory: Path) -> Path:
    """Float32 with NaN nodata, Moon geographic."""
    data = _gradient(50, 70, dtype="float32") / 7.0
    data[:, -5:, :] = np.nan
    return _write(directory / "moon_float32.tif", data, crs=_crs("IAU_2015:30100"),
                  transform=Affine(0.1, 0, -20.0, 0, -0.1, 5.0), nodata=float("nan"))


def make_rgb(directory: Path, bands: int = 3) -> Path:
    """3-band RGB (or 4-band RGBA with a transparent strip) on the Moon."""
    data = _gradient(64, 64, bands=bands)
    if bands == 4:
        data[3] = 255
        data[3, :, :8] = 0
    path = _write(directory / f"moon_rgb{bands}.tif", data, crs=_crs("IAU_2015:30100"),
                  transform=Affine(0.05, 0, 10.0, 0, -0.05, 20.0), photometric="RGB")
    if bands == 4:
        with rasterio.open(path, "r+") as dst:
            dst.colorinterp = [ColorInterp.red, ColorInterp.green, ColorInterp.blue, ColorInterp.alpha]
    return path


def make_moon_antimeridian(directory: Path) -> Path:
    """Moon geographic grid from 170 E to 190 E (crosses the antimeridian), 10 S..10 N."""
    return _write(directory / "moon_antimeridian.tif", _gradient(40, 40), crs=_crs("IAU_2015:30100"),
                  transform=Affine(0.5, 0, 170.0, 0, -0.5, 10.0))


def make_mars_north_pole(directory: Path) -> Path:
    """Mars polar stereographic (IAU_2015:49930) 1000 x 1000 km square centred on the north pole."""
    return _write(directory / "mars_north_pole.tif", _gradient(100, 100), crs=_crs("IAU_2015:49930"),
                  transform=Affine(10_000, 0, -500_000, 0, -10_000, 500_000))


def make_earth(directory: Path) -> Path:
    """Earth EPSG:4326 grid over 0..10 E, 40..50 N."""
    return _write(directory / "earth_4326.tif", _gradient(40, 40), crs=CRS.from_epsg(4326),
                  transform=Affine(0.25, 0, 0.0, 0, -0.25, 50.0))


def make_plain_tiff(directory: Path) -> Path:
    """A TIFF with neither CRS nor geotransform (kept in pixel coordinates)."""
    return _write(directory / "plain.tif", _gradient(300, 520))


def make_png(directory: Path, name: str = "plain.png") -> Path:
    """Plain 8-bit greyscale PNG, not georeferenced."""
    return _write(directory / name, _gradient(300, 520), driver="PNG")


def make_jpeg(directory: Path) -> Path:
    """Plain RGB JPEG, not georeferenced."""
    return _write(directory / "plain.jpg", _gradient(120, 160, bands=3), driver="JPEG")


def make_vrt_disguised(directory: Path) -> Path:
    """A VRT (XML) renamed .tif that points GDAL at another local file."""
    target = make_earth(directory)
    path = directory / "disguised_vrt.tif"
    path.write_text(
        f'<VRTDataset rasterXSize="40" rasterYSize="40"><VRTRasterBand dataType="Byte" band="1">'
        f'<SimpleSource><SourceFilename relativeToVRT="0">{target}</SourceFilename>'
        f"<SourceBand>1</SourceBand></SimpleSource></VRTRasterBand></VRTDataset>"
    )
    return path


def make_pds3_detached(directory: Path) -> Path:
    """A PDS3 label whose ^IMAGE pointer reads a separate .img file."""
    (directory / "data.img").write_bytes(bytes(range(256)) * 16)
    path = directory / "detached.lbl"
    path.write_text(
        "PDS_VERSION_ID = PDS3\r\nRECORD_TYPE = FIXED_LENGTH\r\nRECORD_BYTES = 64\r\nFILE_RECORDS = 64\r\n"
        '^IMAGE = ("data.img", 1)\r\nOBJECT = IMAGE\r\n  LINES = 64\r\n  LINE_SAMPLES = 64\r\n'
        "  SAMPLE_TYPE = UNSIGNED_INTEGER\r\n  SAMPLE_BITS = 8\r\n  BANDS = 1\r\nEND_OBJECT = IMAGE\r\nEND\r\n"
    )
    return path


def make_truncated(directory: Path) -> Path:
    """A real GeoTIFF cut to 60 % of its bytes."""
    source = _write(directory / "whole.tif", _gradient(256, 256))
    data = source.read_bytes()
    path = directory / "truncated.tif"
    path.write_bytes(data[: int(len(data) * 0.6)])
    return path


def make_empty(directory: Path) -> Path:
    """A zero-byte .tif."""
    path = directory / "empty.tif"
    path.write_bytes(b"")
    return path


def _png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def make_png_bomb(directory: Path, side: int = 100_000) -> Path:
    """A PNG of a few hundred bytes declaring ``side`` x ``side`` 8-bit grey pixels (a decompression bomb)."""
    header = struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0)
    # A few rows of zeros compress to almost nothing; the declared size is what a decoder would allocate.
    rows = zlib.compress(b"\x00" * (side + 1) * 4, 9)
    path = directory / "bomb.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", header) + _png_chunk(b"IDAT", rows)
                     + _png_chunk(b"IEND", b""))
    return path


def make_random_bytes(directory: Path) -> Path:
    """4 KiB of seeded random bytes named .tif."""
    path = directory / "random.tif"
    path.write_bytes(np.random.default_rng(7).integers(0, 256, 4096, dtype=np.uint8).tobytes())
    return path


def make_text_as_tif(directory: Path) -> Path:
    """A text file renamed .tif."""
    path = directory / "notes.tif"
    path.write_text("These are my field notes about Gale crater.\n" * 20)
    return path


def make_html(directory: Path) -> Path:
    """An HTML page named .tif (e.g. a login page saved instead of the image)."""
    path = directory / "page.tif"
    path.write_text("<!DOCTYPE html><html><body><img src='x.tif'></body></html>")
    return path


def make_zip(directory: Path) -> Path:
    """A zip archive containing a GeoTIFF, named .tif."""
    import zipfile

    inner = make_earth(directory)
    path = directory / "archive.tif"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(inner, arcname="earth.tif")
    return path


def make_too_many_bands(directory: Path) -> Path:
    """A 6-band GeoTIFF (more than the 4 supported)."""
    return _write(directory / "six_bands.tif", _gradient(16, 16, bands=6), crs=_crs("IAU_2015:49900"),
                  transform=Affine(1, 0, 0, 0, -1, 0))


def make_complex(directory: Path) -> Path:
    """A complex64 GeoTIFF (an unsupported data type)."""
    data = _gradient(16, 16, dtype="float32").astype("complex64")
    return _write(directory / "complex.tif", data)


GOOD = (make_mars_dem_int16, make_uint16, make_float32, make_rgb, make_moon_antimeridian,
        make_mars_north_pole, make_earth, make_plain_tiff, make_png, make_jpeg)
HOSTILE = (make_vrt_disguised, make_pds3_detached, make_truncated, make_empty, make_png_bomb,
           make_random_bytes, make_text_as_tif, make_html, make_zip, make_too_many_bands, make_complex)


if __name__ == "__main__":
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "test-rasters")
    out.mkdir(parents=True, exist_ok=True)
    for maker in GOOD + HOSTILE:
        print(maker(out))
