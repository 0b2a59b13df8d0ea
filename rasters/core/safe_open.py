"""Opening untrusted raster uploads with GDAL, safely.

GDAL can open hundreds of formats, and several of them (VRT, detached PDS/ISIS labels, sidecar files,
/vsicurl) make it read other local files or fetch URLs. An upload must only ever read its own bytes, so:

* the path must be a plain local file, never a ``/vsi*`` path or URL;
* its first bytes decide which single driver may open it (a VRT or HTML renamed ``.tif`` never reaches GDAL);
* GDAL runs with directory listing, sidecar (.aux.xml/.ovr/world file) reading and network access disabled;
* after opening, the dataset may not list any file besides itself.
"""

from __future__ import annotations

import contextlib
import os
import warnings
from collections.abc import Collection, Iterator
from pathlib import Path

import rasterio
from rasterio.errors import NotGeoreferencedWarning, RasterioError
from rasterio.io import DatasetReader

from rasters.core.errors import CorruptRaster, EmptyFile, UnsupportedFormat

# Drivers an upload may be opened with. FITS is listed so that a GDAL build with it works; rasterio's
# wheels ship without it, in which case FITS files are refused as unsupported.
ALLOWED_DRIVERS = (
    "GTiff",
    "PNG",
    "JPEG",
    "JP2OpenJPEG",
    "PDS",
    "PDS4",
    "ISIS2",
    "ISIS3",
    "VICAR",
    "FITS",
)

GDAL_SAFE_OPTIONS: dict[str, str] = {
    # Never list the upload's directory: no sibling .ovr, .aux.xml, .msk, world file or detached label.
    "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
    # Persistent auxiliary metadata would read (and write) <file>.aux.xml next to the upload.
    "GDAL_PAM_ENABLED": "NO",
    "GDAL_GEOREF_SOURCES": "INTERNAL",
    # No network: no extension is allowed for /vsicurl, and any HTTP attempt fails at once.
    "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".geoplanet-no-network",
    "GDAL_HTTP_MAX_RETRY": "0",
    "GDAL_HTTP_TIMEOUT": "1",
    "GDAL_HTTP_CONNECTTIMEOUT": "1",
    "GDAL_VRT_ENABLE_PYTHON": "NO",
}

_SNIFF_BYTES = 4096

_TEXT_REFUSALS: tuple[tuple[bytes, str], ...] = (
    (b"<vrtdataset", "Virtual rasters (VRT) are not accepted; upload the image file itself."),
    (b"<!doctype html", "This is a web page, not an image."),
    (b"<html", "This is a web page, not an image."),
)


def _available_drivers() -> set[str]:
    with rasterio.Env() as env:
        return set(env.drivers())


def _label_drivers(text: str) -> list[str] | None:
    # Planetary label formats start with a text label; the keyword tells which driver may read it.
    stripped = text.lstrip()
    if stripped.startswith("CCSD"):
        return ["ISIS2", "PDS"]
    if stripped.startswith(("PDS_VERSION_ID", "ODL_VERSION_ID")):
        return ["PDS", "ISIS2"]
    if stripped.startswith("Object") and "IsisCube" in stripped[:200]:
        return ["ISIS3"]
    if stripped.startswith("LBLSIZE"):
        return ["VICAR"]
    if stripped.startswith("<?xml") and "Product_Observational" in stripped:
        return ["PDS4"]
    return None


def sniff_drivers(head: bytes) -> list[str]:
    """GDAL drivers allowed to open a file starting with ``head``; raises UnsupportedFormat otherwise."""
    if head.startswith((b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")):
        return ["GTiff"]
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ["PNG"]
    if head.startswith(b"\xff\xd8\xff"):
        return ["JPEG"]
    if head.startswith((b"\x00\x00\x00\x0cjP  \r\n\x87\n", b"\xff\x4f\xff\x51")):
        return ["JP2OpenJPEG"]
    if head.startswith(b"SIMPLE  ="):
        return ["FITS"]
    if head.startswith(b"PK\x03\x04"):
        raise UnsupportedFormat("Archives (zip) are not accepted; upload the image file itself.")
    lowered = head.lstrip().lower()
    for marker, message in _TEXT_REFUSALS:
        if lowered.startswith(marker) or marker in lowered[:512]:
            raise UnsupportedFormat(message)
    drivers = _label_drivers(head.decode("latin-1"))
    if drivers:
        return drivers
    raise UnsupportedFormat()


def check_local_file(path: str | os.PathLike[str]) -> Path:
    """The upload as a resolved local regular file; refuses GDAL virtual paths, URLs and empty files."""
    text = os.fspath(path)
    if text.startswith("/vsi") or "://" in text:
        raise UnsupportedFormat("Only local files can be opened.")
    resolved = Path(text).resolve()
    if not resolved.is_file():
        raise UnsupportedFormat("Only regular files can be opened.")
    if resolved.stat().st_size == 0:
        raise EmptyFile()
    return resolved


def safe_options(product: bool = False, sidecar: bool = False) -> dict[str, str]:
    """The GDAL options of ``gdal_safe_env``, for APIs that take a config dict."""
    options = dict(GDAL_SAFE_OPTIONS)
    if product:
        options["GDAL_DISABLE_READDIR_ON_OPEN"] = "FALSE"
    if sidecar:
        options.update(GDAL_PAM_ENABLED="YES", GDAL_GEOREF_SOURCES="PAM,INTERNAL")
    return options


@contextlib.contextmanager
def gdal_safe_env(product: bool = False, sidecar: bool = False) -> Iterator[None]:
    """GDAL configuration for untrusted files: no directory listing, no sidecars, no network.

    ``product``: the file is the label of a multi-file product alone in its private folder with its own files,
    so GDAL may list that folder (PDS pointers are matched case-blind through the listing); ``sidecar``: the
    product holds the primary's ``.aux.xml``, which GDAL may then read.
    """
    with rasterio.Env(**safe_options(product, sidecar)):
        yield


def _open_with_first(path: Path, drivers: list[str]) -> DatasetReader:
    # rasterio passes one driver name to GDALOpenEx as the only allowed driver; try the candidates in order.
    error: RasterioError | None = None
    for driver in drivers:
        try:
            with warnings.catch_warnings():
                # Plain PNG/JPEG/TIFF uploads are legitimately in pixel space.
                warnings.simplefilter("ignore", NotGeoreferencedWarning)
                return rasterio.open(path, driver=driver)
        except RasterioError as exc:
            error = exc
    raise CorruptRaster() from error


@contextlib.contextmanager
def open_raster(
    path: str | os.PathLike[str], product: Collection[str] | None = None
) -> Iterator[DatasetReader]:
    """Open an uploaded raster read-only through the driver its magic bytes allow, in a safe GDAL env.

    Use as a context manager; reads must happen inside it so the safe GDAL options stay in force.
    Raises EmptyFile, UnsupportedFormat (unknown bytes, VRT, HTML, zip, a label pointing at other files,
    a driver this GDAL lacks) or CorruptRaster (right magic bytes, but GDAL cannot parse it).

    ``product`` names the files of a multi-file product in the same folder (``rasters.core.products``, whose
    label checks come first); the dataset may then read those files and no others.
    """
    resolved = check_local_file(path)
    with resolved.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    available = _available_drivers()
    drivers = [driver for driver in sniff_drivers(head) if driver in available and driver in ALLOWED_DRIVERS]
    if not drivers:
        raise UnsupportedFormat("This raster format is not supported on this server.")
    allowed = {resolved}
    sidecar = False
    if product is not None:
        allowed |= {(resolved.parent / name).resolve() for name in product}
        sidecar = f"{resolved.name}.aux.xml".lower() in {name.lower() for name in product}
    with gdal_safe_env(product=product is not None, sidecar=sidecar):
        dataset = _open_with_first(resolved, drivers)
        with dataset:
            others = [Path(name).resolve() for name in dataset.files if Path(name).resolve() not in allowed]
            if others and product is not None:
                raise UnsupportedFormat("The product refers to files that are not part of this upload.")
            if others:
                # A detached label (PDS ^IMAGE pointer, ISIS3 ^Core, PDS4 File_Area) reads another file.
                raise UnsupportedFormat("The image refers to other files; upload a single self-contained file.")
            yield dataset


@contextlib.contextmanager
def open_own_cog(path: str | os.PathLike[str]) -> Iterator[DatasetReader]:
    """Open a COG the platform wrote itself (``make_cog`` output), read-only, in the same safe GDAL env.

    For the tile hot path: the file's bytes came from GDAL's COG writer, not from a user, so the magic-byte
    sniff, the driver probing and the sidecar listing of ``open_raster`` are skipped. The path rules still hold
    (a local regular file, never ``/vsi*`` or a URL), only the GTiff driver may open it, and GDAL still runs
    with directory listing, sidecars and network disabled. Never use this for uploads.
    """
    text = os.fspath(path)
    if text.startswith("/vsi") or "://" in text:
        raise UnsupportedFormat("Only local files can be opened.")
    if not os.path.isfile(text):
        raise UnsupportedFormat("Only regular files can be opened.")
    with gdal_safe_env():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", NotGeoreferencedWarning)  # pixel-space COGs
                dataset = rasterio.open(text, driver="GTiff")
        except RasterioError as exc:
            raise CorruptRaster() from exc
        with dataset:
            yield dataset
