import pyproj
import pytest

from rasters.core.bodies import MAX_POSTGIS_SRID, all_bodies, body_from_crs, body_geographic_crs, get_body
from rasters.core.errors import CRSError

REQUIRED = {
    "mercury", "venus", "earth", "moon", "mars", "phobos", "deimos", "ceres", "vesta", "io", "europa",
    "ganymede", "callisto", "titan", "enceladus", "pluto",
}


def test_reference_list_has_every_required_body() -> None:
    assert REQUIRED <= {body.slug for body in all_bodies()}


@pytest.mark.parametrize(("slug", "code", "radius"), [
    ("mars", 49900, 3_396_190.0), ("moon", 30100, 1_737_400.0), ("mercury", 19900, 2_440_530.0),
])
def test_radii_and_codes_come_from_proj(slug: str, code: int, radius: float) -> None:
    body = get_body(slug)
    assert body.iau_code == code
    assert body.srid == code
    assert body.mean_radius_m == radius
    ellipsoid = pyproj.CRS(f"IAU_2015:{code}").ellipsoid
    assert ellipsoid is not None and ellipsoid.semi_major_metre == radius


def test_mars_has_its_flattened_ellipsoid() -> None:
    mars = get_body("mars")
    assert mars.semi_major_m == 3_396_190.0
    assert mars.semi_minor_m == pytest.approx(3_376_200.0)


def test_earth_uses_epsg_4326() -> None:
    earth = get_body("earth")
    assert earth.srid == 4326
    assert earth.mean_radius_m == pytest.approx(6_371_008.8, abs=0.1)
    assert body_geographic_crs("earth").to_epsg() == 4326


def test_every_srid_fits_postgis_and_proj4_reproduces_the_sphere() -> None:
    for body in all_bodies():
        assert 0 < body.srid <= MAX_POSTGIS_SRID
        ellipsoid = pyproj.CRS.from_proj4(body.proj4).ellipsoid
        assert ellipsoid is not None
        assert ellipsoid.semi_major_metre == pytest.approx(body.semi_major_m if body.is_earth
                                                                   else body.mean_radius_m)
        assert pyproj.CRS.from_wkt(body.crs_wkt).is_geographic


@pytest.mark.parametrize(("crs", "slug", "rule"), [
    ("IAU_2015:49900", "mars", "authority"),
    ("IAU_2015:49910", "mars", "authority"),
    ("IAU_2015:30100", "moon", "authority"),
    ("IAU_2015:200000100", "ceres", "authority"),
    ("EPSG:4326", "earth", "authority"),
    ("EPSG:32631", "earth", "authority"),
    ('GEOGCS["GCS_Mars_2000",DATUM["D_Mars_2000",SPHEROID["Mars_2000_IAU_IAG",3396190.0,169.8944472]],'
     'PRIMEM["Reference_Meridian",0.0],UNIT["Degree",0.0174532925199433]]', "mars", "name"),
    ('GEOGCS["Moon_2000",DATUM["D_Moon_2000",SPHEROID["Moon_2000_IAU_IAG",1737400.0,0.0]],'
     'PRIMEM["Reference_Meridian",0.0],UNIT["Degree",0.0174532925199433]]', "moon", "name"),
    ('GEOGCS["Mercury",DATUM["unknown",SPHEROID["unnamed",2439400,0]],PRIMEM["Greenwich",0],'
     'UNIT["degree",0.0174532925199433]]', "mercury", "name"),
    ("+proj=longlat +R=3396190 +no_defs", "mars", "radius"),
    ("+proj=eqc +R=1737400 +units=m +no_defs", "moon", "radius"),
    ("+proj=longlat +R=252100 +no_defs", "enceladus", "radius"),
])
def test_body_from_crs(crs: str, slug: str, rule: str) -> None:
    match = body_from_crs(crs)
    assert match is not None
    assert (match.body.slug, match.rule) == (slug, rule)
    assert match.is_earth == (slug == "earth")


def test_body_from_crs_unknown_radius_is_none() -> None:
    assert body_from_crs("+proj=longlat +R=1000000 +no_defs") is None


def test_invalid_crs_and_unknown_slug_raise_crs_error() -> None:
    with pytest.raises(CRSError):
        body_from_crs("not a crs at all")
    with pytest.raises(CRSError):
        get_body("vulcan")
