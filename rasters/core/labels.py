"""What a planetary label says about its image: mission, instrument, product id, time, scale, illumination.

Read from the label's own text (PDS3 and ISIS3 ODL, VICAR, PDS4 XML), not through GDAL, so the same fields
come out whichever driver opened the image. Only the fields found are returned.

Sun azimuth is stored as ``illumination.sun_azimuth_deg``: the direction toward the sun in degrees, clockwise
from image up (north on a map-projected image). PDS3 ``SUB_SOLAR_AZIMUTH``, PDS4 ``geom:subsolar_azimuth`` and
ISIS ``SubSolarAzimuth`` are measured clockwise from the image's right edge (3 o'clock), so 90 is added;
ISIS ``SubSolarGroundAzimuth`` is already clockwise from north.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # noqa: S405 - DOCTYPE and entities are refused before parsing (products.py)
from typing import Any

_ODL_ITEM = re.compile(
    r"^[ \t]*([A-Za-z][A-Za-z0-9_:]*)[ \t]*=[ \t]*(\"[^\"]*\"|'[^']*'|[^\r\n]*?)[ \t]*(?:<([^>]*)>)?[ \t]*\r?$",
    re.MULTILINE,
)
_VICAR_ITEM = re.compile(r"([A-Z][A-Z0-9_]*)=('(?:[^']|'')*'|\([^)]*\)|[^\s]+)")

# label keyword (upper case) -> field; the first one present wins
_TEXT_FIELDS: dict[str, tuple[str, ...]] = {
    "mission": ("MISSION_NAME", "SPACECRAFT_NAME", "INSTRUMENT_HOST_NAME", "SPACECRAFTNAME", "INSTRUMENTHOSTNAME"),
    "instrument": ("INSTRUMENT_ID", "INSTRUMENT_NAME", "INSTRUMENTID", "INSTRUMENTNAME"),
    "product_id": ("PRODUCT_ID", "PRODUCTID", "OBSERVATION_ID", "OBSERVATIONID"),
    "start_time": ("START_TIME", "STARTTIME", "IMAGE_TIME", "SPACECRAFT_CLOCK_START_TIME"),
    "target": ("TARGET_NAME", "TARGETNAME"),
}
_INCIDENCE = ("INCIDENCE_ANGLE", "INCIDENCEANGLE")
_AZIMUTH_FROM_RIGHT = ("SUB_SOLAR_AZIMUTH", "SUBSOLARAZIMUTH", "SUBSOLAR_AZIMUTH")
_AZIMUTH_FROM_NORTH = ("SUBSOLARGROUNDAZIMUTH", "SOLAR_AZIMUTH_FROM_NORTH")
_SCALES = ("MAP_SCALE", "MAP_RESOLUTION_M", "PIXELRESOLUTION", "PIXEL_RESOLUTION_X", "MAP_PIXEL_SCALE")
_METRES_PER_UNIT = {
    "km/pixel": 1000.0,
    "km/pix": 1000.0,
    "km": 1000.0,
    "kilometers/pixel": 1000.0,
    "m/pixel": 1.0,
    "m/pix": 1.0,
    "m": 1.0,
    "meters/pixel": 1.0,
    "metres/pixel": 1.0,
    "meters": 1.0,
    "m/px": 1.0,
}


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return " ".join(value.replace("''", "'").split())


def _odl_items(text: str) -> dict[str, tuple[str, str]]:
    items: dict[str, tuple[str, str]] = {}
    for key, value, unit in _ODL_ITEM.findall(text):
        items.setdefault(key.upper(), (_unquote(value), (unit or "").strip().lower()))
    return items


def _vicar_items(text: str) -> dict[str, tuple[str, str]]:
    items: dict[str, tuple[str, str]] = {}
    for key, value in _VICAR_ITEM.findall(text):
        items.setdefault(key.upper(), (_unquote(value), ""))
    return items


def _pds4_items(text: str) -> dict[str, tuple[str, str]]:
    try:
        root = ET.fromstring(text)  # noqa: S314 - see the import
    except ET.ParseError:
        return {}
    items: dict[str, tuple[str, str]] = {}

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    for element in root.iter():
        name = local(element.tag)
        value = (element.text or "").strip()
        if not value:
            continue
        key = {
            "logical_identifier": "PRODUCT_ID",
            "start_date_time": "START_TIME",
            "incidence_angle": "INCIDENCE_ANGLE",
            "subsolar_azimuth": "SUB_SOLAR_AZIMUTH",
            "pixel_resolution_x": "PIXEL_RESOLUTION_X",
        }.get(name)
        if key:
            items.setdefault(key, (value, (element.get("unit") or "").lower()))
    # Mission and instrument are names of the Investigation_Area and of the instrument component.
    for area in root.iter():
        if local(area.tag) == "Investigation_Area":
            for child in area:
                if local(child.tag) == "name" and (child.text or "").strip() and "${" not in (child.text or ""):
                    items.setdefault("MISSION_NAME", ((child.text or "").strip(), ""))
        if local(area.tag) == "Observing_System_Component":
            fields = {local(child.tag): (child.text or "").strip() for child in area}
            if fields.get("type", "").lower() == "instrument" and fields.get("name"):
                items.setdefault("INSTRUMENT_NAME", (fields["name"], ""))
            if fields.get("type", "").lower() == "spacecraft" and fields.get("name") and "${" not in fields["name"]:
                items.setdefault("SPACECRAFT_NAME", (fields["name"], ""))
        if local(area.tag) == "Target_Identification":
            for child in area:
                if local(child.tag) == "name" and (child.text or "").strip():
                    items.setdefault("TARGET_NAME", ((child.text or "").strip(), ""))
    return items


def _number(value: str) -> float | None:
    match = re.match(r"^\s*([-+]?\d+(?:\.\d*)?(?:[eE][-+]?\d+)?)", value)
    if not match:
        return None
    number = float(match.group(1))
    return number if math.isfinite(number) else None


def _first(items: dict[str, tuple[str, str]], keys: tuple[str, ...]) -> tuple[str, str] | None:
    for key in keys:
        if key in items and items[key][0] and items[key][0].upper() not in {"N/A", "NULL", "UNK", "NONE"}:
            return items[key]
    return None


def label_metadata(text: bytes, driver: str) -> dict[str, Any]:
    """The fields a label gives: mission, instrument, product_id, start_time, target, pixel_scale_m and
    illumination (incidence_deg, sun_azimuth_deg). ``driver`` is GDAL's (PDS, PDS4, ISIS2, ISIS3, VICAR)."""
    decoded = text.decode("utf-8", errors="replace")
    if driver == "PDS4":
        items = _pds4_items(decoded)
    elif driver == "VICAR":
        items = _vicar_items(decoded)
    else:
        items = _odl_items(decoded)
    found: dict[str, Any] = {}
    for field, keys in _TEXT_FIELDS.items():
        item = _first(items, keys)
        if item is not None:
            found[field] = item[0][:200]
    scale = _first(items, _SCALES)
    if scale is not None:
        number = _number(scale[0])
        unit = scale[1] or ("km/pixel" if driver in {"PDS", "VICAR"} else "m/pixel")
        factor = _METRES_PER_UNIT.get(unit.replace(" ", ""))
        if number is not None and number > 0 and factor is not None:
            found["pixel_scale_m"] = number * factor
    illumination: dict[str, float] = {}
    incidence = _first(items, _INCIDENCE)
    if incidence is not None and (number := _number(incidence[0])) is not None and 0 <= number <= 180:
        illumination["incidence_deg"] = number
    azimuth = _first(items, _AZIMUTH_FROM_NORTH)
    offset = 0.0
    if azimuth is None:
        azimuth, offset = _first(items, _AZIMUTH_FROM_RIGHT), 90.0
    if azimuth is not None and (number := _number(azimuth[0])) is not None:
        illumination["sun_azimuth_deg"] = round((number + offset) % 360.0, 6)
    if illumination:
        found["illumination"] = illumination
    return found
