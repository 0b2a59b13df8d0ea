"""Comments: sanitised Markdown against hostile input, authors only edit/delete, mentions respect visibility."""

from __future__ import annotations

import pytest

from collab import services
from collab.errors import NotAllowed
from collab.markdown import render_markdown
from collab.models import Notification
from tests.collab.conftest import Team, api_for

pytestmark = pytest.mark.django_db

HOSTILE = [
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x](  javascript:alert(1))",
    "![i](javascript:alert(1))",
    "<img src=x onerror=alert(1)>",
    '<a href="https://ok.org" onclick="alert(1)">y</a>',
    "<svg onload=alert(1)>",
    "<iframe src=https://evil.org></iframe>",
    '<div style="background:url(javascript:alert(1))">s</div>',
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<<script>script>alert(1)<</script>/script>",
    "`<script>` in **code** is fine",
]


@pytest.mark.parametrize("payload", HOSTILE)
def test_markdown_is_sanitised(payload: str) -> None:
    html = render_markdown(payload).lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "onload", "<iframe", "<svg", "style=", "data:"):
        assert bad not in html, (payload, html)


def test_markdown_keeps_formatting() -> None:
    html = render_markdown("**bold** [link](https://example.org)")
    assert "<strong>bold</strong>" in html and 'href="https://example.org"' in html and "nofollow" in html


def test_mentions_notify_only_who_can_see(team: Team) -> None:
    cast = team.cast
    services.comment_create(author=cast.collaborator, target=team.features[0], text="@olivia @sam look", lon=10, lat=5)
    assert Notification.objects.filter(recipient=cast.owner, verb="mentioned").count() == 1
    assert not Notification.objects.filter(recipient=cast.stranger).exists()


def test_authors_edit_and_delete_their_own(team: Team) -> None:
    comment = services.comment_create(author=team.cast.owner, target=team.analysis, text="first")
    with pytest.raises(NotAllowed):
        services.comment_update(user=team.cast.collaborator, comment=comment, text="mine")
    api = api_for(team.cast.collaborator)
    assert api.delete(f"/api/v1/comments/{comment.pk}/").status_code == 403
    assert api_for(team.cast.stranger).delete(f"/api/v1/comments/{comment.pk}/").status_code == 404
    owner = api_for(team.cast.owner)
    assert owner.patch(f"/api/v1/comments/{comment.pk}/", {"text": "*edited*"}, format="json").json()["html"] == \
        "<p><em>edited</em></p>"
    assert owner.delete(f"/api/v1/comments/{comment.pk}/").status_code == 204


def test_comment_api_and_unread_count(team: Team) -> None:
    api = api_for(team.cast.collaborator)
    response = api.post("/api/v1/comments/", {"analysis": team.analysis.pk, "text": "hi @olivia", "lon": 11, "lat": 4},
                        format="json")
    assert response.status_code == 201 and response.json()["lon"] == 11
    assert api_for(team.cast.stranger).post("/api/v1/comments/", {"analysis": team.analysis.pk, "text": "x"},
                                            format="json").status_code == 404
    owner = api_for(team.cast.owner)
    assert owner.get("/api/v1/notifications/").json()["unread"] >= 1
    assert owner.post("/api/v1/notifications/read/", {}, format="json").json()["unread"] == 0
