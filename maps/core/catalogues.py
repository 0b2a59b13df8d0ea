"""Published crater catalogues: which files they are, and a strict reader of their CSV tables.

No Django here: the loader (``maps.reference``) turns the rows this module yields into a COPY. The reader refuses
a malformed file with its line number rather than loading part of it, so a reload never leaves half a catalogue.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class CatalogueError(ValueError):
    """A catalogue file that cannot be read (missing column, a value that is not a number, out of range)."""


@dataclass(frozen=True)
class CatalogueSpec:
    """One published catalogue: its file under the shared data folder, its columns, and whom to cite."""

    slug: str
    body: str
    name: str
    citation: str
    source: str
    path: str
    lat: str
    lon: str
    diameter: str


CATALOGUES: tuple[CatalogueSpec, ...] = (
    CatalogueSpec(
        slug="robbins2012", body="mars", name="Robbins & Hynek (2012), 30°S–30°N",
        citation="Robbins, S. J. & Hynek, B. M. (2012), A new global database of Mars impact craters >= 1 km, "
                 "J. Geophys. Res. 117, E05004",
        source="RobbinsCraters_20121016 release, D >= 1 km between 30°S and 30°N",
        path="mars/catalogs/robbins2012_mars_craters_lat-30_30.csv",
        lat="LATITUDE_CIRCLE_IMAGE", lon="LONGITUDE_CIRCLE_IMAGE", diameter="DIAM_CIRCLE_IMAGE_KM",
    ),
    CatalogueSpec(
        slug="head2010", body="moon", name="Head et al. (2010), D >= 20 km",
        citation="Head, J. W. et al. (2010), Global distribution of large lunar craters: implications for "
                 "resurfacing and impactor populations, Science 329, 1504",
        source="LOLA catalogue of lunar craters D >= 20 km",
        path="moon/catalogs/HeadCraters_ge20km.csv", lat="Lat", lon="Lon", diameter="Diam_km",
    ),
    CatalogueSpec(
        slug="lroc-5-20km", body="moon", name="LROC 5–20 km (Povilaitis et al. 2018)",
        citation="Povilaitis, R. Z. et al. (2018), Crater density differences: exploring regional resurfacing, "
                 "secondary crater populations, and crater saturation equilibrium on the Moon, "
                 "Planet. Space Sci. 162, 41",
        source="LROC WAC catalogue of lunar craters 5-20 km",
        path="moon/catalogs/LROCCraters_5-20km.csv", lat="Lat", lon="Long", diameter="Diameter (km)",
    ),
)


def catalogue_spec(slug: str) -> CatalogueSpec:
    """The spec named ``slug``; KeyError lists the known ones."""
    for spec in CATALOGUES:
        if spec.slug == slug:
            return spec
    raise KeyError(f"No catalogue {slug!r}; known: {', '.join(s.slug for s in CATALOGUES)}")


def _number(text: str, column: str, line: int) -> float:
    try:
        value = float(text)
    except (TypeError, ValueError):
        raise CatalogueError(f"line {line}: {column} is {text!r}, not a number") from None
    if not math.isfinite(value):
        raise CatalogueError(f"line {line}: {column} is not finite")
    return value


def read_catalogue(path: Path, spec: CatalogueSpec) -> Iterator[tuple[float, float, float]]:
    """``(lon, lat, diameter_km)`` of every crater in ``path``; longitudes folded into -180..180.

    Raises :class:`CatalogueError` at the first bad line (latitude outside ±90, longitude outside -180..360,
    a diameter that is not positive, a missing column).
    """
    with path.open(newline="", encoding="utf-8") as handle:
        # The csv module, not str.split: the LROC table has a quoted tag that spans lines.
        reader = csv.DictReader(handle)
        missing = [c for c in (spec.lat, spec.lon, spec.diameter) if c not in (reader.fieldnames or [])]
        if missing:
            raise CatalogueError(f"{path.name}: no column {', '.join(map(repr, missing))} "
                                 f"(found {reader.fieldnames})")
        for row in reader:
            line = reader.line_num
            lat = _number(row[spec.lat], spec.lat, line)
            lon = _number(row[spec.lon], spec.lon, line)
            diameter = _number(row[spec.diameter], spec.diameter, line)
            if not -90 <= lat <= 90:
                raise CatalogueError(f"line {line}: latitude {lat} outside -90..90")
            if not -180 <= lon <= 360:
                raise CatalogueError(f"line {line}: longitude {lon} outside -180..360")
            if diameter <= 0:
                raise CatalogueError(f"line {line}: diameter {diameter} is not positive")
            yield (lon - 360 if lon > 180 else lon), lat, diameter
