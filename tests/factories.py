"""factory_boy factories shared by the test tree."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.utils import timezone

from accounts.models import Profile

if TYPE_CHECKING:
    from rasters.models import Raster
    from segmentation.models import Analysis, Feature

PASSWORD = "Correct-Horse-Battery-9"  # noqa: S105 - test fixture password


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def profile(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        if create:
            obj.save()
            Profile.objects.get_or_create(user=obj)

    @factory.post_generation
    def email_verified(obj: User, create: bool, extracted: object, **kwargs: object) -> None:  # noqa: N805
        """Verified unless ``email_verified=False``: most tests are about other rules than verification."""
        if create and extracted is not False and obj.email:
            Profile.objects.filter(user=obj).update(email_verified_for=obj.email, email_verified_at=timezone.now())


def make_features(analysis: Analysis, specs: list[dict[str, Any]]) -> list[Feature]:
    """Create features on ``analysis`` from small dicts (class_name, lon, lat, diameter_km, ...).

    Craters become small circles in lon/lat on the analysis' body; valleys/ridges short lines buffered a bit.
    Used by tests that need features without running the model.
    """
    from django.contrib.gis.geos import LineString, Point

    from segmentation.models import Feature

    raster = analysis.raster
    body = raster.body
    assert body is not None, "features need a raster on a body"
    created = []
    for spec in specs:
        lon = float(spec.get("lon", 10.0))
        lat = float(spec.get("lat", 5.0))
        cls = str(spec.get("class_name", "crater"))
        diameter_km: float | None = None
        if cls == "crater":
            diameter_km = float(spec.get("diameter_km", 20.0))
            radius_deg = diameter_km / 2 / (body.mean_radius_m / 1000) * 57.29577951308232
            geom = Point(lon, lat, srid=0).buffer(radius_deg, quadsegs=8)
            pixel = Point(float(spec.get("x", 50)), float(spec.get("y", 50)), srid=0).buffer(5)
        else:
            geom = LineString((lon - 1, lat), (lon + 1, lat + 0.5), srid=0).buffer(0.1)
            pixel = LineString((10, 10), (60, 30), srid=0).buffer(2)
        geom.srid = 0
        pixel.srid = 0
        created.append(
            Feature.objects.create(
                analysis=analysis,
                raster=raster,
                body=body,
                class_name=cls,
                geom=geom,
                pixel_geom=pixel,
                confidence=float(spec.get("confidence", 0.9)),
                area_px=float(pixel.area),
                area_km2=float(spec.get("area_km2", 100.0)),
                perimeter_km=float(spec.get("perimeter_km", 40.0)),
                center_lon=lon,
                center_lat=lat,
                diameter_km=diameter_km,
                length_km=None if cls == "crater" else float(spec.get("length_km", 60.0)),
                orientation_deg=None if cls == "crater" else float(spec.get("orientation_deg", 60.0)),
                review_status=str(spec.get("review_status", "unreviewed")),
                reviewed_class=str(spec.get("reviewed_class", "")),
            )
        )
    return created


def make_analysis(raster: Raster, user: User | None = None, status: str = "done") -> Analysis:
    """A finished analysis of ``raster`` with the newest registered (or a placeholder) model version."""
    from segmentation.models import Analysis, ModelVersion

    trained = ModelVersion.objects.exclude(weights_sha256="manual")  # not the pseudo version of manual counts
    version = trained.order_by("-id").first() or ModelVersion.objects.create(
        name="test-unet", version="v0", weights_file="none.pt", weights_sha256="0" * 64,
        classes=[
            {"index": 0, "name": "background", "color": [0, 0, 0]},
            {"index": 1, "name": "crater", "color": [255, 0, 0]},
            {"index": 2, "name": "valley", "color": [0, 0, 255]},
            {"index": 3, "name": "ridge", "color": [0, 255, 0]},
        ],
    )
    return Analysis.objects.create(
        raster=raster, model_version=version, status=status, started_by=user or raster.owner
    )
