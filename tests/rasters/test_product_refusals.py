"""Every way a multi-file product or zip is refused: a clear 4xx, its message and code, and nothing left behind
(no Raster row, no file under MEDIA_ROOT). Products are the script's real samples, altered one way each."""

from __future__ import annotations

import stat
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from rasters.models import Raster
from tests.rasters.conftest import api_for, post_file
from tests.rasters.products import media_snapshot, post_files, sample_script, zip_bytes

pytestmark = pytest.mark.django_db

SOURCE_NAME = "mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif"
Files = list[tuple[str, bytes]]


@pytest.fixture
def samples(shared_data: Path, tmp_path: Path) -> dict[str, Files]:
    made = sample_script().make_samples(tmp_path / "samples", shared_data / "mars" / SOURCE_NAME)
    return {kind: [(path.name, path.read_bytes()) for path in paths] for kind, paths in made.items()}


def _relabel(files: Files, old: bytes, new: bytes) -> Files:
    (label, text), *rest = files
    assert old in text
    return [(label, text.replace(old, new)), *rest]


PDS3_POINTER = b'^IMAGE = "MOLA_ARABIA_PDS3.IMG"'
PDS4_FILE = b"<file_name>mola_arabia_pds4.img</file_name>"

# (case id, how to alter the samples, expected status, code, words of the message)
SET_CASES: list[tuple[str, Callable[[dict[str, Files]], Files], int, str, str]] = [
    (
        "pds3 pointer with ..",
        lambda s: _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "../MOLA_ARABIA_PDS3.IMG"'),
        400,
        "unsafe_product",
        "outside this upload",
    ),
    (
        "pds3 pointer to an absolute path",
        lambda s: _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "/etc/passwd"'),
        400,
        "unsafe_product",
        "outside this upload",
    ),
    (
        "pds3 pointer to a url",
        lambda s: _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "http://example.org/x.img"'),
        400,
        "unsafe_product",
        "outside this upload",
    ),
    (
        "pds3 pointer to a /vsi path",
        lambda s: _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "/vsicurl/x.img"'),
        400,
        "unsafe_product",
        "virtual file path",
    ),
    (
        "pds3 pointer to a file not uploaded",
        lambda s: _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "OTHER.IMG"'),
        400,
        "unsafe_product",
        "not part of this upload",
    ),
    (
        "pds4 file_name in a folder",
        lambda s: _relabel(s["pds4"], PDS4_FILE, b"<file_name>d/mola_arabia_pds4.img</file_name>"),
        400,
        "unsafe_product",
        "outside this upload",
    ),
    (
        "pds4 directory_path_name",
        lambda s: _relabel(s["pds4"], PDS4_FILE, PDS4_FILE + b"<directory_path_name>data</directory_path_name>"),
        400,
        "unsafe_product",
        "folder",
    ),
    (
        "pds4 xml entity",
        lambda s: _relabel(
            s["pds4"],
            b"<Product_Observational",
            b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><Product_Observational',
        ),
        400,
        "unsafe_product",
        "entity",
    ),
    (
        "vrt as the label",
        lambda s: [
            (
                "product.xml",
                b'<VRTDataset rasterXSize="1" rasterYSize="1"><VRTRasterBand>'
                b"<SimpleSource><SourceFilename>/etc/passwd</SourceFilename></SimpleSource>"
                b"</VRTRasterBand></VRTDataset>",
            ),
            s["pds3"][1],
        ],
        400,
        "unsafe_product",
        "virtual raster",
    ),
    (
        "isis3 cube pointer with a folder",
        lambda s: _relabel(
            s["isis3_detached"],
            b"^Core     = mola_arabia_isis3_detached.cub",
            b"^Core     = sub/mola_arabia_isis3_detached.cub",
        ),
        400,
        "unsafe_product",
        "outside this upload",
    ),
    (
        "a file that is not part of the product",
        lambda s: [*s["pds4"], ("notes.txt", b"hello")],
        415,
        "unsupported_format",
        "not part of the product",
    ),
    ("two separate images", lambda s: [*s["pds3"], *s["vicar"]], 415, "unsupported_format", "separate images"),
    (
        "an archive among the files",
        lambda s: [*s["pds4"], ("more.zip", b"PK\x03\x04rest")],
        415,
        "nested_archive",
        "archive",
    ),
    (
        "the same name twice",
        lambda s: [*s["pds3"], ("mola_arabia_pds3.img", s["pds3"][1][1])],
        400,
        "unsafe_product",
        "twice",
    ),
    (
        "aux.xml that is a vrt",
        lambda s: [
            s["geotiff_aux"][0],
            (s["geotiff_aux"][1][0], b"<VRTDataset><SourceFilename>/etc/passwd</SourceFilename></VRTDataset>"),
        ],
        400,
        "unsafe_product",
        "virtual raster",
    ),
    ("no image at all", lambda s: [("a.txt", b"x"), ("b.txt", b"y")], 415, "unsupported_format", "none of the"),
]


def _assert_refused(response: Any, status: int, code: str, words: str, media: Path, before: set[str]) -> None:
    assert response.status_code == status, response.content
    body = response.json()
    assert body["code"] == code, body
    assert words.lower() in body["detail"].lower(), body
    assert Raster.objects.count() == 0
    assert media_snapshot(media) - before <= {"rasters"}  # no file or folder stays behind


@pytest.mark.parametrize(("case", "alter", "status", "code", "words"), SET_CASES, ids=[c[0] for c in SET_CASES])
def test_refused_product(
    cast: Any,
    samples: dict[str, Files],
    settings: Any,
    case: str,
    alter: Callable[[dict[str, Files]], Files],
    status: int,
    code: str,
    words: str,
) -> None:
    media = Path(settings.MEDIA_ROOT)
    before = media_snapshot(media)
    response = post_files(api_for(cast.owner), alter(samples))
    _assert_refused(response, status, code, words, media, before)


def test_product_over_the_upload_limit(cast: Any, samples: dict[str, Files], settings: Any) -> None:
    settings.MAX_UPLOAD_BYTES = 6000  # each file is smaller, together they are not
    media = Path(settings.MEDIA_ROOT)
    before = media_snapshot(media)
    response = post_files(api_for(cast.owner), samples["pds4"])
    _assert_refused(response, 413, "raster_too_large", "upload limit", media, before)


def test_too_many_files(cast: Any, samples: dict[str, Files], settings: Any) -> None:
    media = Path(settings.MEDIA_ROOT)
    before = media_snapshot(media)
    files = [*samples["pds4"], *((f"extra{i}.txt", b"x") for i in range(16))]
    response = post_files(api_for(cast.owner), files)
    assert response.status_code == 400, response.content  # the form's own limit: at most 16 files
    assert "16" in str(response.json()["file"])
    assert Raster.objects.count() == 0
    assert media_snapshot(media) - before <= {"rasters"}


def _zip_with(tmp_path: Path, infos: Sequence[tuple[zipfile.ZipInfo | str, bytes]]) -> Path:
    path = tmp_path / "product.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info, content in infos:
            archive.writestr(info, content)
    return path


def _symlink(name: str, target: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    return info


ZIP_CASES: list[tuple[str, Callable[[dict[str, Files], Path], Path], int, str, str]] = [
    (
        "member with ..",
        lambda s, d: _zip_with(d, [(f"../{s['pds4'][0][0]}", s["pds4"][0][1]), s["pds4"][1]]),
        400,
        "unsafe_product",
        "..",
    ),
    (
        "member with an absolute path",
        lambda s, d: _zip_with(d, [(f"/tmp/{s['pds4'][0][0]}", s["pds4"][0][1]), s["pds4"][1]]),
        400,
        "unsafe_product",
        "absolute path",
    ),
    (
        "symbolic link member",
        lambda s, d: _zip_with(d, [s["pds4"][0], (_symlink("mola_arabia_pds4.img", "/etc/passwd"), b"/etc/passwd")]),
        400,
        "unsafe_product",
        "symbolic link",
    ),
    (
        "zip inside the zip",
        lambda s, d: _zip_with(d, [*s["pds4"], ("inner.zip", zip_bytes(s["pds4"], d, "i.zip").read_bytes())]),
        415,
        "nested_archive",
        "archive inside the archive",
    ),
    (
        "gzip renamed inside the zip",
        lambda s, d: _zip_with(d, [s["pds4"][0], ("mola_arabia_pds4.img", b"\x1f\x8b\x08" + bytes(100))]),
        415,
        "nested_archive",
        "archive inside the archive",
    ),
    (
        "too many members",
        lambda s, d: _zip_with(d, [*s["pds4"], *((f"x{i}.txt", b"x") for i in range(16))]),
        413,
        "archive_too_large",
        "at most 16",
    ),
    (
        "expansion ratio of a bomb",
        lambda s, d: _zip_with(d, [s["pds4"][0], ("mola_arabia_pds4.img", bytes(8 * 1024**2))]),
        413,
        "archive_too_large",
        "zip bomb",
    ),
    (
        "not a zip at all",
        lambda s, d: _write(d / "product.zip", b"this is text, not a zip"),
        415,
        "unsupported_format",
        "not a zip",
    ),
    ("empty zip", lambda s, d: _zip_with(d, []), 415, "unsupported_format", "no files"),
    (
        "label pointing outside, zipped",
        lambda s, d: _zip_with(d, _relabel(s["pds3"], PDS3_POINTER, b'^IMAGE = "../x.img"')),
        400,
        "unsafe_product",
        "outside this upload",
    ),
]


def _write(path: Path, content: bytes) -> Path:
    path.write_bytes(content)
    return path


@pytest.mark.parametrize(("case", "make", "status", "code", "words"), ZIP_CASES, ids=[c[0] for c in ZIP_CASES])
def test_refused_zip(
    cast: Any,
    samples: dict[str, Files],
    settings: Any,
    tmp_path: Path,
    case: str,
    make: Callable[[dict[str, Files], Path], Path],
    status: int,
    code: str,
    words: str,
) -> None:
    media = Path(settings.MEDIA_ROOT)
    before = media_snapshot(media)
    response = post_file(api_for(cast.owner), make(samples, tmp_path))
    _assert_refused(response, status, code, words, media, before)


def test_zip_over_the_expanded_size_limit(cast: Any, samples: dict[str, Files], settings: Any, tmp_path: Path) -> None:
    # Random bytes do not deflate: the zip is about as large as what it expands to, which exceeds the limit.
    noise = np.random.default_rng(16).bytes(40_000)
    archive = _zip_with(tmp_path, [samples["pds4"][0], ("mola_arabia_pds4.img", noise)])
    settings.MAX_UPLOAD_BYTES = archive.stat().st_size + 100  # the zip itself passes, its contents do not
    media = Path(settings.MEDIA_ROOT)
    before = media_snapshot(media)
    response = post_file(api_for(cast.owner), archive)
    _assert_refused(response, 413, "archive_too_large", "expands to", media, before)
