"""Reference list of planetary bodies, read from PROJ's IAU 2015 database.

Radii and CRS definitions come from PROJ (``IAU_2015:<NAIF id * 100>`` is the body's "Sphere / Ocentric"
geographic CRS), so nothing here is hand-typed except the list of bodies we offer and their NAIF ids.
Earth is the exception: it uses EPSG:4326 so that Earth uploads behave like every other GIS tool.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Literal

import pyproj
from pyproj.crs import Ellipsoid
from pyproj.exceptions import CRSError as ProjCRSError

from rasters.core.errors import CRSError

IAU_AUTHORITY = "IAU_2015"
EARTH_SLUG = "earth"

# PostGIS refuses srids above 998999; the few bodies whose IAU code is larger (asteroids and dwarf planets,
# NAIF ids 2000001+) get a private srid in a block no official authority uses.
MAX_POSTGIS_SRID = 998_999
_PRIVATE_SRID_BASE = 990_000

# (name, NAIF id, extra name spellings seen in WKT from ISIS, ESRI and older GDAL files)
_BODY_TABLE: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Mercury", 199, ()),
    ("Venus", 299, ()),
    ("Earth", 399, ("wgs", "wgs84", "wgs_1984", "grs_1980", "grs 1980", "world geodetic system")),
    ("Moon", 301, ("luna", "lunar")),
    ("Mars", 499, ()),
    ("Phobos", 401, ()),
    ("Deimos", 402, ()),
    ("Ceres", 2000001, ()),
    ("Vesta", 2000004, ()),
    ("Io", 501, ()),
    ("Europa", 502, ()),
    ("Ganymede", 503, ()),
    ("Callisto", 504, ()),
    ("Titan", 606, ()),
    ("Enceladus", 602, ()),
    ("Pluto", 999, ()),
)

MatchRule = Literal["authority", "name", "radius"]


@dataclass(frozen=True)
class Body:
    """A celestial body and the geographic CRS its rasters are measured and tiled in."""

    name: str
    slug: str
    naif_id: int
    iau_code: int
    srid: int
    mean_radius_m: float
    semi_major_m: float
    semi_minor_m: float
    crs_wkt: str
    proj4: str
    aliases: tuple[str, ...] = ()

    @property
    def is_earth(self) -> bool:
        """True for Earth, whose CRS is EPSG:4326 instead of an IAU code."""
        return self.slug == EARTH_SLUG

    @property
    def crs_code(self) -> str:
        """The authority:code string of the body's geographic CRS (``IAU_2015:49900``, ``EPSG:4326``)."""
        return "EPSG:4326" if self.is_earth else f"{IAU_AUTHORITY}:{self.iau_code}"


def body_fields(body: Body) -> dict[str, object]:
    """The columns a Body row stores (the reference-data migration and ``bodies_sync`` both use this)."""
    return {
        "name": body.name,
        "naif_id": body.naif_id,
        "iau_code": body.iau_code,
        "srid": body.srid,
        "mean_radius_m": body.mean_radius_m,
        "semi_major_m": body.semi_major_m,
        "semi_minor_m": body.semi_minor_m,
        "crs_wkt": body.crs_wkt,
    }


# PostGIS ships EPSG:4326; every other body's geographic CRS is registered under its srid. The reference-data
# migration and ``rasters.services.body_register`` both run this, so a fresh database and a body registered
# later hold the same row.
SPATIAL_REF_SYS_UPSERT = """
    INSERT INTO spatial_ref_sys (srid, auth_name, auth_srid, srtext, proj4text)
    VALUES (%s, %s, %s, %s, %s)
    ON CONFLICT (srid) DO UPDATE SET auth_name = EXCLUDED.auth_name, auth_srid = EXCLUDED.auth_srid,
        srtext = EXCLUDED.srtext, proj4text = EXCLUDED.proj4text
"""


def spatial_ref_sys_params(body: Body) -> list[int | str] | None:
    """The parameters of :data:`SPATIAL_REF_SYS_UPSERT` for this body, or None when PostGIS already has it."""
    if body.srid == 4326:
        return None
    return [body.srid, IAU_AUTHORITY, body.iau_code, body.crs_wkt, body.proj4]


@dataclass(frozen=True)
class BodyMatch:
    """Result of :func:`body_from_crs`: the body, which rule found it, and whether it is Earth."""

    body: Body
    rule: MatchRule
    is_earth: bool


def _triaxial_or_sphere(naif_id: int, sphere: Ellipsoid) -> Ellipsoid:
    # The biaxial ellipsoid is stored as code+1 only for bodies the IAU gives one; the others are spheres.
    try:
        return Ellipsoid.from_authority(IAU_AUTHORITY, str(naif_id * 100 + 1))
    except ProjCRSError:
        return sphere


def _proj4(crs: pyproj.CRS) -> str:
    # A geographic CRS on a sphere or ellipsoid loses nothing in proj4 form; PostGIS needs it in
    # spatial_ref_sys.proj4text, so the usual "you may lose information" warning is not relevant here.
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        raise CRSError("The body CRS has no ellipsoid.")
    if ellipsoid.semi_major_metre == ellipsoid.semi_minor_metre:
        return f"+proj=longlat +R={ellipsoid.semi_major_metre:.12g} +no_defs +type=crs"
    return (
        f"+proj=longlat +a={ellipsoid.semi_major_metre:.12g} +b={ellipsoid.semi_minor_metre:.12g} "
        "+no_defs +type=crs"
    )


def _make_body(name: str, naif_id: int, aliases: tuple[str, ...]) -> Body:
    slug = name.lower()
    if slug == EARTH_SLUG:
        crs = pyproj.CRS.from_epsg(4326)
        ellipsoid = crs.ellipsoid
        assert ellipsoid is not None  # noqa: S101 - EPSG:4326 always has one
        # IUGG mean radius R1 = (2a + b) / 3 = 6371008.8 m for WGS 84.
        mean_radius = (2 * ellipsoid.semi_major_metre + ellipsoid.semi_minor_metre) / 3
        return Body(
            name=name,
            slug=slug,
            naif_id=naif_id,
            iau_code=naif_id * 100,
            srid=4326,
            mean_radius_m=round(mean_radius, 1),
            semi_major_m=ellipsoid.semi_major_metre,
            semi_minor_m=ellipsoid.semi_minor_metre,
            crs_wkt=crs.to_wkt(),
            proj4="+proj=longlat +datum=WGS84 +no_defs +type=crs",
            aliases=aliases,
        )
    iau_code = naif_id * 100
    crs = pyproj.CRS.from_authority(IAU_AUTHORITY, str(iau_code))
    sphere = crs.ellipsoid
    if sphere is None:
        raise CRSError(f"PROJ has no ellipsoid for {name}.")
    ellipsoid = _triaxial_or_sphere(naif_id, sphere)
    srid = iau_code if iau_code <= MAX_POSTGIS_SRID else _PRIVATE_SRID_BASE + (naif_id % 1000) * 100
    return Body(
        name=name,
        slug=slug,
        naif_id=naif_id,
        iau_code=iau_code,
        srid=srid,
        mean_radius_m=sphere.semi_major_metre,
        semi_major_m=ellipsoid.semi_major_metre,
        semi_minor_m=ellipsoid.semi_minor_metre,
        crs_wkt=crs.to_wkt(),
        proj4=_proj4(crs),
        aliases=aliases,
    )


@cache
def all_bodies() -> tuple[Body, ...]:
    """Every body the platform knows, in the order of the reference list."""
    return tuple(_make_body(name, naif, aliases) for name, naif, aliases in _BODY_TABLE)


def get_body(slug: str) -> Body:
    """The body with this slug (``mars``, ``moon``...); raises :class:`CRSError` for an unknown slug."""
    for body in all_bodies():
        if body.slug == slug:
            return body
    raise CRSError(f"Unknown body: {slug!r}.")


@cache
def body_geographic_crs(slug: str) -> pyproj.CRS:
    """The body's geographic lon/lat CRS (IAU 2015 sphere, ocentric, east-positive; EPSG:4326 for Earth)."""
    return pyproj.CRS.from_user_input(get_body(slug).crs_code)


def _as_crs(crs: pyproj.CRS | str) -> pyproj.CRS:
    try:
        return pyproj.CRS.from_user_input(crs)
    except ProjCRSError as exc:
        raise CRSError("The coordinate reference system is not valid.") from exc


def _by_authority(crs: pyproj.CRS) -> Body | None:
    for candidate in (crs, crs.geodetic_crs):
        if candidate is None:
            continue
        # min_confidence=100 only accepts an exact identification, so a look-alike WKT falls through to the
        # name and radius rules, which say how they matched.
        for match in candidate.list_authority(min_confidence=100):
            if match.auth_name.upper().startswith("IAU"):
                naif_id = int(match.code) // 100
                for body in all_bodies():
                    if body.naif_id == naif_id:
                        return body
            if match.auth_name.upper() == "EPSG":
                return get_body(EARTH_SLUG)
    return None


def _names(crs: pyproj.CRS) -> list[str]:
    # Only the datum, ellipsoid and geographic CRS names: a projection name ("Mercator") must not match a body.
    geodetic = crs.geodetic_crs
    names = [geodetic.name if geodetic else crs.name]
    if crs.datum is not None:
        names.append(crs.datum.name)
    if crs.ellipsoid is not None:
        names.append(crs.ellipsoid.name)
    return [name.lower() for name in names if name]


def _by_name(crs: pyproj.CRS) -> Body | None:
    names = _names(crs)
    for body in all_bodies():
        for spelling in (body.slug, *body.aliases):
            # "_" counts as a separator so that ESRI's "D_Mars_2000" and "Moon_2000_IAU" match.
            pattern = re.compile(rf"(?:^|[^a-z]){re.escape(spelling)}(?:$|[^a-z])")
            if any(pattern.search(name.replace("_", " ")) for name in names):
                return body
    return None


def _by_radius(crs: pyproj.CRS, tolerance: float = 0.005) -> Body | None:
    ellipsoid = crs.ellipsoid
    if ellipsoid is None:
        return None
    radius = ellipsoid.semi_major_metre
    best: tuple[float, Body] | None = None
    for body in all_bodies():
        for reference in (body.mean_radius_m, body.semi_major_m):
            error = abs(radius - reference) / reference
            if error <= tolerance and (best is None or error < best[0]):
                best = (error, body)
    return best[1] if best else None


def body_from_crs(crs: pyproj.CRS | str) -> BodyMatch | None:
    """Find the body a CRS belongs to.

    Rules, in order: an IAU (or EPSG, meaning Earth) authority code that identifies the CRS exactly; a body
    name in the geographic CRS, datum or ellipsoid name ("Mars (2015) - Sphere", "D_Mars", "Moon_2000");
    the ellipsoid's semi-major axis within 0.5 % of a body's radius. Returns None when nothing matches.
    """
    parsed = _as_crs(crs)
    rules: tuple[tuple[MatchRule, Callable[[pyproj.CRS], Body | None]], ...] = (
        ("authority", _by_authority),
        ("name", _by_name),
        ("radius", _by_radius),
    )
    for rule, finder in rules:
        body = finder(parsed)
        if body is not None:
            return BodyMatch(body=body, rule=rule, is_earth=body.is_earth)
    return None
