"""Write small planetary products in mission formats from a crop of a real MOLA GeoTIFF (Mars, IAU_2015:49910).

    .venv/bin/python scripts/make_planetary_samples.py OUT_DIR [SOURCE_TIF]

GDAL's own writers make the PDS4 (``.xml`` + ``.img``), ISIS3 (attached ``.cub``, and a detached ``.lbl`` +
``.cub``), VICAR (``.vic``), JPEG 2000 and GeoTIFF (+ ``.aux.xml``) products, so the planetary CRS is written
the way GDAL writes it and read back the way uploads are read. GDAL has no PDS3 writer: the PDS3 products (a
detached ``.LBL`` + raw ``.IMG``, and a HiRISE-style ``.LBL`` + ``.JP2``) get a label written here, keyword by
keyword as PDS3 labels spell them, around pixels and georeferencing taken from the same crop.

Labels carry mission-like fields (mission, instrument, product id, start time, incidence angle, sub-solar
azimuth) so that their reading can be tested; the values are stated below, not claimed by any mission.
Used by the upload tests (``make_samples(tmp_path)``); nothing it writes is committed.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import rasterio
from rasterio.windows import Window

SOURCE = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "data"
    / "mars"
    / ("mars_mola_shaded_arabia_eqc_IAU2015-49910_20km.tif")
)
CROP = Window(40, 40, 64, 48)  # 64 x 48 px of 20 km, Terra Sabaea, so every product is a few kilobytes

# What the labels say, and what the tests expect read back.
MISSION = "MARS GLOBAL SURVEYOR"
INSTRUMENT = "MOLA"
START_TIME = "1999-03-01T12:30:00.000"
INCIDENCE_DEG = 62.5
SUB_SOLAR_AZIMUTH_DEG = 200.0  # PDS convention: clockwise from the image's right edge
SUN_AZIMUTH_FROM_UP_DEG = (SUB_SOLAR_AZIMUTH_DEG + 90.0) % 360.0


def _crop(source: Path) -> tuple[np.ndarray, dict[str, object]]:
    with rasterio.open(source) as src:
        data = src.read(1, window=CROP)
        profile: dict[str, object] = {
            "width": int(CROP.width),
            "height": int(CROP.height),
            "count": 1,
            "dtype": data.dtype.name,
            "crs": src.crs,
            "transform": src.window_transform(CROP),
            "nodata": src.nodata,
        }
    return data, profile


def _write(path: Path, driver: str, data: np.ndarray, profile: dict[str, object], **options: str) -> None:
    with rasterio.open(path, "w", driver=driver, **profile, **options) as dst:
        dst.write(data, 1)


def _pds3_label(
    data: np.ndarray, profile: dict[str, object], pointer: str, product_id: str, jp2: str | None = None
) -> str:
    """A PDS3 label; with ``jp2``, HiRISE's layout: a COMPRESSED_FILE (the JP2) and the UNCOMPRESSED_FILE it
    stands for (whose ``^IMAGE`` names an .IMG that is not delivered)."""
    transform = profile["transform"]
    # PDS3 projection offsets: the map origin's position in pixels from the first pixel's centre.
    sample_offset = -transform.c / transform.a - 0.5  # type: ignore[attr-defined]
    line_offset = transform.f / -transform.e - 0.5  # type: ignore[attr-defined]
    height, width = data.shape
    files = [
        "RECORD_TYPE = FIXED_LENGTH",
        f"RECORD_BYTES = {width}",
        f"FILE_RECORDS = {height}",
        f'^IMAGE = "{pointer}"',
    ]
    if jp2 is not None:
        files = [
            "OBJECT = COMPRESSED_FILE",
            f'  FILE_NAME = "{jp2}"',
            "  RECORD_TYPE = UNDEFINED",
            '  ENCODING_TYPE = "JP2"',
            '  ENCODING_TYPE_VERSION_NAME = "ISO/IEC15444-1:2004"',
            "  INTERCHANGE_FORMAT = BINARY",
            f'  UNCOMPRESSED_FILE_NAME = "{pointer}"',
            "END_OBJECT = COMPRESSED_FILE",
            "OBJECT = UNCOMPRESSED_FILE",
            f'  FILE_NAME = "{pointer}"',
            *("  " + line for line in files),
            "END_OBJECT = UNCOMPRESSED_FILE",
        ]
    lines = [
        "PDS_VERSION_ID = PDS3",
        *files,
        f'PRODUCT_ID = "{product_id}"',
        f'MISSION_NAME = "{MISSION}"',
        f"INSTRUMENT_ID = {INSTRUMENT}",
        "TARGET_NAME = MARS",
        f"START_TIME = {START_TIME}",
        f"INCIDENCE_ANGLE = {INCIDENCE_DEG} <DEG>",
        f"SUB_SOLAR_AZIMUTH = {SUB_SOLAR_AZIMUTH_DEG} <DEG>",
        "OBJECT = IMAGE_MAP_PROJECTION",
        '  ^DATA_SET_MAP_PROJECTION = "DSMAP.CAT"',
        '  MAP_PROJECTION_TYPE = "EQUIRECTANGULAR"',
        "  A_AXIS_RADIUS = 3396.19 <KM>",
        "  B_AXIS_RADIUS = 3396.19 <KM>",
        "  C_AXIS_RADIUS = 3396.19 <KM>",
        "  COORDINATE_SYSTEM_NAME = PLANETOCENTRIC",
        "  POSITIVE_LONGITUDE_DIRECTION = EAST",
        "  CENTER_LATITUDE = 0.0 <DEG>",
        "  CENTER_LONGITUDE = 0.0 <DEG>",
        "  LINE_FIRST_PIXEL = 1",
        f"  LINE_LAST_PIXEL = {height}",
        "  SAMPLE_FIRST_PIXEL = 1",
        f"  SAMPLE_LAST_PIXEL = {width}",
        f"  MAP_SCALE = {transform.a / 1000.0} <KM/PIXEL>",  # type: ignore[attr-defined]
        f"  LINE_PROJECTION_OFFSET = {line_offset} <PIXEL>",
        f"  SAMPLE_PROJECTION_OFFSET = {sample_offset} <PIXEL>",
        "END_OBJECT = IMAGE_MAP_PROJECTION",
        "OBJECT = IMAGE",
        f"  LINES = {height}",
        f"  LINE_SAMPLES = {width}",
        "  SAMPLE_TYPE = MSB_UNSIGNED_INTEGER",
        "  SAMPLE_BITS = 8",
        "  BANDS = 1",
        "  MISSING_CONSTANT = 0",
        "END_OBJECT = IMAGE",
        "END",
        "",
    ]
    return "\r\n".join(lines)


def _pds4(out: Path, data: np.ndarray, profile: dict[str, object]) -> list[Path]:
    label = out / "mola_arabia_pds4.xml"
    _write(
        label,
        "PDS4",
        data,
        profile,
        VAR_LOGICAL_IDENTIFIER="urn:geoplanet:samples:mola_arabia_pds4",
        VAR_INVESTIGATION_AREA_NAME=MISSION,
        VAR_INVESTIGATION_AREA_LID_REFERENCE="urn:nasa:pds:context:investigation:mission.mgs",
        VAR_OBSERVING_SYSTEM_NAME=INSTRUMENT,
        VAR_TARGET_TYPE="Planet",
        VAR_TARGET="Mars",
    )
    text = label.read_text(encoding="utf-8")
    # GDAL's template leaves the times nil and has no geometry; a mission label has both.
    text = text.replace(
        '<start_date_time xsi:nil="true" nilReason="inapplicable" />',
        f"<start_date_time>{START_TIME}Z</start_date_time>",
    )
    text = text.replace("<type>Spacecraft</type>", "<type>Instrument</type>", 1)
    geometry = (
        '<geom:Geometry xmlns:geom="http://pds.nasa.gov/pds4/geom/v1"><geom:Geometry_Orbiter>'
        "<geom:geometry_reference_time_utc>" + START_TIME + "Z</geom:geometry_reference_time_utc>"
        "<geom:Illumination_Geometry><geom:Illumination_Specific><geom:reference_location>Center</geom:reference_location>"
        f'<geom:incidence_angle unit="deg">{INCIDENCE_DEG}</geom:incidence_angle>'
        "</geom:Illumination_Specific></geom:Illumination_Geometry>"
        "<geom:Surface_Geometry><geom:Surface_Geometry_Specific>"
        f'<geom:subsolar_azimuth unit="deg">{SUB_SOLAR_AZIMUTH_DEG}</geom:subsolar_azimuth>'
        "</geom:Surface_Geometry_Specific></geom:Surface_Geometry>"
        "</geom:Geometry_Orbiter></geom:Geometry>\n    </Discipline_Area>"
    )
    text = text.replace("</Discipline_Area>", geometry, 1)
    label.write_text(text, encoding="utf-8")
    return [label, out / "mola_arabia_pds4.img"]


def _isis3(out: Path, data: np.ndarray, profile: dict[str, object]) -> tuple[list[Path], list[Path]]:
    cube = out / "mola_arabia_isis3.cub"
    _write(cube, "ISIS3", data, profile, ADD_GDAL_HISTORY="NO")
    label = out / "mola_arabia_isis3_detached.lbl"
    _write(label, "ISIS3", data, profile, DATA_LOCATION="EXTERNAL", ADD_GDAL_HISTORY="NO")
    text = label.read_text(encoding="latin-1")
    instrument = (
        "  Group = Instrument\n"
        f'    SpacecraftName = "{MISSION}"\n'
        f"    InstrumentId   = {INSTRUMENT}\n"
        f"    StartTime      = {START_TIME}\n"
        "  End_Group\n\n"
        "  Group = Archive\n"
        "    ProductId = mola_arabia_isis3_detached\n"
        "  End_Group\n\n"
        "  Group = Mapping"
    )
    label.write_text(text.replace("  Group = Mapping", instrument, 1), encoding="latin-1")
    return [cube], [label, out / "mola_arabia_isis3_detached.cub"]


def make_samples(out_dir: str | Path, source: str | Path = SOURCE) -> dict[str, list[Path]]:
    """Write every sample product into ``out_dir``; each kind's files, the primary (label) first."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    data, profile = _crop(Path(source))
    samples: dict[str, list[Path]] = {}
    with rasterio.Env(GDAL_PAM_ENABLED="YES"):
        samples["pds4"] = _pds4(out, data, profile)
        samples["isis3"], samples["isis3_detached"] = _isis3(out, data, profile)

        vicar = out / "mola_arabia.vic"
        _write(vicar, "VICAR", data, profile, GEOREF_FORMAT="MIPL")
        (out / "mola_arabia.vic.aux.xml").unlink(missing_ok=True)  # the label holds the georeferencing
        samples["vicar"] = [vicar]

        img = out / "MOLA_ARABIA_PDS3.IMG"
        img.write_bytes(data.astype(">u1").tobytes())
        lbl = out / "MOLA_ARABIA_PDS3.LBL"
        lbl.write_text(_pds3_label(data, profile, img.name, "MOLA_ARABIA_PDS3"), encoding="ascii")
        samples["pds3"] = [lbl, img]

        jp2 = out / "MOLA_ARABIA_HIRISE_STYLE.JP2"
        _write(jp2, "JP2OpenJPEG", data, profile, REVERSIBLE="YES", QUALITY="100")
        (out / f"{jp2.name}.aux.xml").unlink(missing_ok=True)
        jp2_label = out / "MOLA_ARABIA_HIRISE_STYLE.LBL"
        jp2_label.write_text(
            _pds3_label(data, profile, "MOLA_ARABIA_HIRISE_STYLE.IMG", "MOLA_ARABIA_HIRISE_STYLE", jp2=jp2.name),
            encoding="ascii",
        )
        samples["jp2"] = [jp2_label, jp2]

        # A baseline TIFF holds no georeferencing: GDAL puts the CRS and geotransform in the .aux.xml.
        tif = out / "mola_arabia_baseline.tif"
        _write(tif, "GTiff", data, profile, PROFILE="BASELINE")
        samples["geotiff_aux"] = [tif, out / f"{tif.name}.aux.xml"]
    for files in samples.values():
        for path in files:
            if not path.is_file():
                raise RuntimeError(f"GDAL did not write {path.name}")
    return samples


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        raise SystemExit(__doc__)
    for kind, files in make_samples(*sys.argv[1:]).items():
        print(kind, " ".join(path.name for path in files))  # noqa: T201 - a command-line tool
