from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from accounts.selectors import email_is_verified

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_seed_demo_populates_an_empty_database_once(settings: Any, tmp_path: Any) -> None:
    from collab.models import Comment, Project
    from rasters.models import Raster
    from segmentation.models import Analysis

    settings.MEDIA_ROOT = tmp_path
    out = StringIO()
    call_command("seed_demo", stdout=out)
    text = out.getvalue()
    assert "Demo account: username 'demo'" in text
    demo = get_user_model().objects.get(username="demo")
    assert email_is_verified(demo)  # its .invalid address never receives a link: the seed vouches for it
    assert Raster.objects.filter(owner=demo, status="ready").count() == 4
    assert set(Raster.objects.filter(owner=demo).values_list("body__slug", flat=True)) == {"mars", "moon"}
    analysis = Analysis.objects.get(raster__owner=demo)
    assert analysis.status == "done" and analysis.features.filter(class_name="crater").exists()
    project = Project.objects.get(memberships__user=demo)
    assert Raster.objects.filter(project=project).count() == 4
    assert Comment.objects.filter(author=demo, lon__isnull=False).exists()
    from maps.models import ReferenceCatalogue

    assert dict(ReferenceCatalogue.objects.values_list("slug", "crater_count")) == {
        "robbins2012": 225_352, "head2010": 5_185, "lroc-5-20km": 19_335}
    assert "Reference catalogue Robbins & Hynek" in text
    again = StringIO()
    call_command("seed_demo", stdout=again)
    assert "seeding skipped" in again.getvalue()
    assert Raster.objects.count() == 4
