"""Comments: sanitised Markdown against hostile input, authors only edit/delete, mentions respect visibility."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from collab import services
from collab.errors import NotAllowed
from collab.markdown import render_markdown
from collab.models import Comment, Notification
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


def test_mention_links_are_built_by_the_server_never_from_referer(team: Team) -> None:
    cast = team.cast
    response = api_for(cast.collaborator).post(
        "/api/v1/comments/", {"analysis": team.analysis.pk, "text": "hi @olivia"}, format="json",
        HTTP_REFERER="javascript:alert(document.cookie)",
    )
    assert response.status_code == 201
    comment_id = response.json()["id"]
    feature = team.features[0]
    page = Client()
    page.force_login(cast.collaborator)
    assert page.post(f"/projects/features/{feature.pk}/comment/", {"text": "and @olivia"}).status_code == 302
    urls = set(Notification.objects.filter(recipient=cast.owner, verb="mentioned").values_list("url", flat=True))
    feature_comment = Comment.objects.get(feature=feature)
    assert urls == {
        reverse("collab:analysis_review", kwargs={"pk": team.analysis.pk}) + f"#comment-{comment_id}",
        reverse("collab:feature", kwargs={"pk": feature.pk}) + f"#comment-{feature_comment.pk}",
    }
    owner = Client()
    owner.force_login(cast.owner)
    assert "javascript:" not in owner.get("/projects/notifications/").content.decode()


@pytest.mark.parametrize("url", [
    "javascript:alert(1)", " javascript:alert(1)", "//evil.example/x", "/\\evil.example", "https://evil.example/",
    "data:text/html,x", "relative/path",
])
def test_notifications_only_link_to_paths_of_this_site(team: Team, url: str) -> None:
    cast = team.cast
    services.notify([cast.owner], cast.collaborator, "mentioned", "stored by the service", url)
    assert Notification.objects.get(text="stored by the service").url == ""
    # A row written some other way (or before this rule) is still never rendered as a link.
    Notification.objects.create(recipient=cast.owner, actor=cast.collaborator, verb="x", text="old row", url=url)
    owner = Client()
    owner.force_login(cast.owner)
    html = owner.get("/projects/notifications/").content.decode()
    assert "old row" in html and "evil" not in html and "javascript:" not in html and "data:" not in html
    rows = api_for(cast.owner).get("/api/v1/notifications/").json()["results"]
    assert [row["url"] for row in rows if row["text"] == "old row"] == [""]


def test_notifications_keep_links_to_this_site(team: Team) -> None:
    services.notify([team.cast.owner], team.cast.collaborator, "x", "here", "/projects/features/1/#comment-2")
    assert Notification.objects.get(text="here").url == "/projects/features/1/#comment-2"


@pytest.mark.parametrize("payload", [{"ids": ["x"]}, {"ids": "12"}, {"ids": [1.5]}, {"ids": list(range(1001))},
                                     {"ids": None}])
def test_marking_notifications_read_validates_ids(team: Team, payload: dict[str, object]) -> None:
    services.notify([team.cast.owner], team.cast.collaborator, "x", "unread")
    response = api_for(team.cast.owner).post("/api/v1/notifications/read/", payload, format="json")
    assert response.status_code == 400 and "ids" in response.json()
    assert Notification.objects.get(text="unread").read_at is None


def test_marking_some_notifications_read(team: Team) -> None:
    services.notifications_mark_read(team.cast.owner)  # the team's own invitation notices
    first, second = services.notify([team.cast.owner], team.cast.collaborator, "x", "one") + services.notify(
        [team.cast.owner], team.cast.collaborator, "x", "two")
    api = api_for(team.cast.owner)
    assert api.post("/api/v1/notifications/read/", {"ids": [first.pk]}, format="json").json() == \
        {"marked": 1, "unread": 1}
    assert api.post("/api/v1/notifications/read/", {"ids": []}, format="json").json() == {"marked": 0, "unread": 1}
    assert api.post("/api/v1/notifications/read/", {}, format="json").json() == {"marked": 1, "unread": 0}


@pytest.mark.parametrize("next_url", ["//evil.example/x", "/\\evil.example", "https://evil.example/",
                                      "javascript:alert(1)", "///evil.example"])
def test_deleting_a_comment_never_redirects_off_site(team: Team, next_url: str) -> None:
    comment = services.comment_create(author=team.cast.owner, target=team.features[0], text="bye")
    client = Client()
    client.force_login(team.cast.owner)
    response = client.post(f"/projects/comments/{comment.pk}/delete/", {"next": next_url})
    assert response.status_code == 302 and response["Location"] == reverse("collab:list")
    assert not Comment.objects.filter(pk=comment.pk).exists()


def test_deleting_a_comment_returns_to_the_page(team: Team) -> None:
    comment = services.comment_create(author=team.cast.owner, target=team.features[0], text="bye")
    client = Client()
    client.force_login(team.cast.owner)
    back = reverse("collab:feature", kwargs={"pk": team.features[0].pk})
    response = client.post(f"/projects/comments/{comment.pk}/delete/", {"next": back})
    assert response["Location"] == back


@pytest.mark.parametrize("text", ["", "   ", "x" * 10_001])
def test_an_invalid_comment_form_says_why_and_keeps_the_text(team: Team, text: str) -> None:
    feature = team.features[0]
    client = Client()
    client.force_login(team.cast.collaborator)
    response = client.post(f"/projects/features/{feature.pk}/comment/", {"text": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error"' in html and not Comment.objects.exists()
    if text.strip():
        assert text in html  # the typed text comes back to be shortened, not lost


def test_a_refused_comment_says_why(team: Team) -> None:
    client = Client()
    client.force_login(team.cast.collaborator)
    response = client.post(f"/projects/features/{team.features[0].pk}/comment/", {"text": "pin", "lon": 10})
    assert response.status_code == 400
    assert "A pin needs both longitude and latitude." in response.content.decode() and not Comment.objects.exists()
