"""Fixtures for collab tests: a project shared by the cast's owner with the collaborator, and lean images."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from collab import services
from collab.models import Project
from rasters.models import Body, Raster
from tests.factories import make_analysis, make_features
from tests.rasters.conftest import _media, api_for, make_raster  # noqa: F401 - fixtures re-exported

__all__ = ["api_for", "raster_row", "Team"]


def raster_row(owner: Any, **fields: Any) -> Raster:
    """An image row without files (for rules that never touch pixels): a Mars image near 10E 5N."""
    from django.contrib.gis.geos import MultiPolygon, Polygon

    footprint = MultiPolygon(Polygon.from_bbox((0, -5, 20, 15)), srid=0)
    defaults: dict[str, Any] = dict(
        title="Row image", body=Body.objects.get(slug="mars"), original_name="x.tif", original_ext=".tif",
        size_bytes=1, checksum_sha256="0" * 64, driver="GTiff", width=10, height=10, band_count=1, dtype="uint8",
        georeferenced=True, footprint=footprint, status=Raster.Status.READY,
    )
    defaults.update(fields)
    return Raster.objects.create(owner=owner, **defaults)


@dataclass
class Team:
    """The cast plus a project in which the owner is owner and the collaborator editor; a shared image in it."""

    cast: Any
    project: Project
    raster: Raster
    analysis: Any
    features: list[Any]


@pytest.fixture
def team(cast: Any) -> Team:
    project = services.project_create(owner=cast.owner, name="Arabia craters")
    invitation = services.invitation_create(project=project, by=cast.owner, who="carlos", role="editor")
    services.invitation_accept(user=cast.collaborator, invitation=invitation)
    raster = raster_row(cast.owner, title="Arabia shared")
    services.raster_share_settings(by=cast.owner, raster=raster, project=project, visibility="project")
    analysis = make_analysis(raster)
    features = make_features(analysis, [
        {"class_name": "crater", "lon": 10, "lat": 5, "diameter_km": 20},
        {"class_name": "crater", "lon": 12, "lat": 6, "diameter_km": 10},
        {"class_name": "valley", "lon": 8, "lat": 2},
    ])
    return Team(cast=cast, project=project, raster=raster, analysis=analysis, features=features)
