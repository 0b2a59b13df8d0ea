"""The product core without Django: names, label references, label fields and their sun azimuth convention."""

from __future__ import annotations

import pytest

from rasters.core.errors import UnsafeProduct
from rasters.core.labels import label_metadata
from rasters.core.products import check_label, label_references, safe_name


@pytest.mark.parametrize("name", ["../x.img", "a/b.img", "a\\b.img", "C:x.img", ".hidden", "x\x00.img", "", "é" * 3])
def test_unsafe_names_refused(name: str) -> None:
    with pytest.raises(UnsafeProduct):
        safe_name(name)


@pytest.mark.parametrize("name", ["ESP_011605_1170_RED.JP2", "mola arabia.lbl", "x-1+2_3.IMG", "a.tif.aux.xml"])
def test_ordinary_names_kept(name: str) -> None:
    assert safe_name(name) == name


def test_odl_pointers_and_offsets() -> None:
    text = (
        b'PDS_VERSION_ID = PDS3\r\n^IMAGE = ("FOO.IMG", 12)\r\n^IMAGE_HEADER = 3\r\n^TABLE = 2048 <BYTES>\r\n'
        b"^HISTORY = foo.hist\r\n  ^Core = foo.cub\r\nEND\r\n"
    )
    assert label_references(text) == [("IMAGE", "FOO.IMG"), ("HISTORY", "foo.hist"), ("CORE", "foo.cub")]


def test_references_match_ignoring_case_and_documentation_may_be_absent() -> None:
    text = b'^IMAGE = "FOO.IMG"\r\n^DATA_SET_MAP_PROJECTION = "DSMAP.CAT"\r\nEND\r\n'
    assert check_label("foo.lbl", text, ["foo.lbl", "foo.img"]) == {"foo.img"}
    with pytest.raises(UnsafeProduct, match="not part of this upload"):
        check_label("foo.lbl", text, ["foo.lbl"])


def test_documentation_pointer_still_may_not_leave_the_folder() -> None:
    with pytest.raises(UnsafeProduct, match="outside this upload"):
        check_label("foo.lbl", b'^DATA_SET_MAP_PROJECTION = "../../DSMAP.CAT"\r\nEND\r\n', ["foo.lbl"])


@pytest.mark.parametrize(
    ("text", "driver", "azimuth"),
    [
        # PDS3 and ISIS image azimuths are clockwise from the image's right edge: +90 to measure from up.
        (b"SUB_SOLAR_AZIMUTH = 300.0 <DEG>\r\nEND\r\n", "PDS", 30.0),
        (b"  SubSolarAzimuth = 10.0 <degrees>\nEnd\n", "ISIS3", 100.0),
        # A ground azimuth is already clockwise from north, and wins over the image one.
        (b"  SubSolarGroundAzimuth = 45.0\n  SubSolarAzimuth = 10.0\nEnd\n", "ISIS3", 45.0),
    ],
)
def test_sun_azimuth_is_clockwise_from_image_up(text: bytes, driver: str, azimuth: float) -> None:
    assert label_metadata(text, driver)["illumination"]["sun_azimuth_deg"] == pytest.approx(azimuth)


def test_pds4_fields_and_units() -> None:
    text = b"""<?xml version="1.0"?><Product_Observational xmlns="http://pds.nasa.gov/pds4/pds/v1"
      xmlns:cart="http://pds.nasa.gov/pds4/cart/v1" xmlns:geom="http://pds.nasa.gov/pds4/geom/v1">
      <Identification_Area><logical_identifier>urn:nasa:pds:lro:nac:m1</logical_identifier></Identification_Area>
      <Observation_Area><Time_Coordinates><start_date_time>2010-01-02T03:04:05Z</start_date_time></Time_Coordinates>
      <Investigation_Area><name>Lunar Reconnaissance Orbiter</name></Investigation_Area>
      <Observing_System><Observing_System_Component><name>LROC NAC</name><type>Instrument</type>
      </Observing_System_Component></Observing_System></Observation_Area>
      <cart:pixel_resolution_x unit="km/pixel">0.0005</cart:pixel_resolution_x>
      <geom:incidence_angle unit="deg">75</geom:incidence_angle>
      <geom:subsolar_azimuth unit="deg">270</geom:subsolar_azimuth></Product_Observational>"""
    found = label_metadata(text, "PDS4")
    assert found["mission"] == "Lunar Reconnaissance Orbiter"
    assert found["instrument"] == "LROC NAC"
    assert found["product_id"] == "urn:nasa:pds:lro:nac:m1"
    assert found["start_time"] == "2010-01-02T03:04:05Z"
    assert found["pixel_scale_m"] == pytest.approx(0.5)
    assert found["illumination"] == {"incidence_deg": 75.0, "sun_azimuth_deg": 0.0}


def test_no_illumination_when_the_label_has_none() -> None:
    assert "illumination" not in label_metadata(b"PDS_VERSION_ID = PDS3\r\nINCIDENCE_ANGLE = N/A\r\nEND\r\n", "PDS")
