from __future__ import annotations

from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.staticfiles import finders
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.models import Profile
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "username": "ada",
    "email": "ada@example.org",
    "password1": "Planetary-Rocks-42",
    "password2": "Planetary-Rocks-42",
}


def test_register_creates_user_and_profile_and_logs_in(client: Client) -> None:
    response = client.post(reverse("accounts:register"), GOOD, follow=True)
    assert response.status_code == 200
    user = get_user_model().objects.get(username="ada")
    assert Profile.objects.filter(user=user).exists()
    assert response.context["user"] == user
    assert b"Welcome to GeoPlanet" in response.content


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"password2": "something-else-42"}, "The two passwords differ."),
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password1": "12345678901", "password2": "12345678901"}, "This password is entirely numeric."),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"username": "bad name!"}, "Enter a valid username."),
        ({"username": ""}, "This field is required."),
    ],
)
def test_register_bad_input_gets_clear_message(client: Client, change: dict[str, str], message: str) -> None:
    response = client.post(reverse("accounts:register"), {**GOOD, **change})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username=GOOD["username"]).exists()


def test_register_duplicate_username_and_email(client: Client) -> None:
    UserFactory.create(username="ada", email="ada@example.org")
    response = client.post(reverse("accounts:register"), {**GOOD, "username": "ADA"})
    assert "That username is taken" in response.content.decode()
    response = client.post(reverse("accounts:register"), {**GOOD, "username": "ada2", "email": "Ada@Example.org"})
    assert "An account with this email exists already" in response.content.decode()


def test_login_bad_password_message(client: Client) -> None:
    UserFactory.create(username="ada")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_login_locks_out_after_repeated_failures(client: Client, settings: object) -> None:
    UserFactory.create(username="ada")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": "ada", "password": "wrong"})
    # Even the right password is refused while locked out.
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_login_success(client: Client) -> None:
    user = UserFactory.create(username="ada")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(user.pk)


def test_profile_pages_need_login(client: Client) -> None:
    for name in ["accounts:profile", "accounts:profile_edit", "accounts:password_change"]:
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


def test_profile_edit(client: Client) -> None:
    user = UserFactory.create(username="ada")
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile_edit"),
        {"display_name": "Ada L.", "affiliation": "Lunar Lab", "bio": "<b>craters</b>"},
        follow=True,
    )
    assert "Profile saved." in response.content.decode()
    profile = Profile.objects.get(user=user)
    assert (profile.display_name, profile.affiliation) == ("Ada L.", "Lunar Lab")
    # User text is escaped, never rendered as markup.
    assert "&lt;b&gt;craters&lt;/b&gt;" in client.get(reverse("accounts:profile")).content.decode()


def test_profile_edit_too_long_is_refused(client: Client) -> None:
    user = UserFactory.create(username="ada")
    client.force_login(user)
    response = client.post(reverse("accounts:profile_edit"), {"display_name": "x" * 500, "affiliation": "", "bio": ""})
    assert "Ensure this value has at most 120 characters" in response.content.decode()


def test_forms_require_csrf() -> None:
    csrf_client = Client(enforce_csrf_checks=True)
    assert csrf_client.post(reverse("accounts:register"), GOOD).status_code == 403
    assert csrf_client.post(reverse("accounts:login"), {"username": "x", "password": "y"}).status_code == 403
    assert not get_user_model().objects.filter(username="ada").exists()


def test_password_reset_sends_mail_and_link_works(client: Client) -> None:
    from accounts.selectors import email_is_verified

    UserFactory.create(username="ada", email="ada@example.org", email_verified=False)
    client.post(reverse("accounts:password_reset"), {"email": "ada@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert response.status_code == 200
    set_url = response.redirect_chain[-1][0]
    response = client.post(
        set_url, {"new_password1": "Another-Pass-77", "new_password2": "Another-Pass-77"}, follow=True
    )
    assert "Your new password is set" in response.content.decode()
    assert get_user_model().objects.get(username="ada").check_password("Another-Pass-77")
    assert email_is_verified(get_user_model().objects.get(username="ada"))  # the reset link proved the mailbox


def test_password_change(client: Client) -> None:
    user = UserFactory.create(username="ada")
    client.force_login(user)
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": "Brand-New-Pass-12", "new_password2": "Brand-New-Pass-12"},
        follow=True,
    )
    assert "Your password was changed" in response.content.decode()


def test_logout_is_post_only(client: Client) -> None:
    client.force_login(UserFactory.create(username="ada"))
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert "_auth_user_id" not in client.session


def test_api_token_exchange(client: Client) -> None:
    UserFactory.create(username="ada")
    response = client.post(reverse("api-token"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 200
    assert len(response.json()["token"]) == 40
    response = client.post(reverse("api-token"), {"username": "ada", "password": "nope"})
    assert response.status_code == 400
    assert "Unable to log in" in response.content.decode()


def test_home_and_error_pages(client: Client) -> None:
    home = client.get("/")
    assert home.status_code == 200
    assert "craters, valleys and ridges" in home.content.decode()
    assert "Robbins" in home.content.decode()  # the footer credits the data sources
    missing = client.get("/no/such/page/")
    assert missing.status_code == 404
    assert "Error 404" in missing.content.decode()


def test_front_end_libraries_are_local() -> None:
    for asset in ["leaflet/leaflet.js", "leaflet/leaflet.css", "leaflet/leaflet.extras.js", "leaflet/leaflet.forms.js",
                  "vendor/leaflet-draw/leaflet.draw.js", "vendor/chart.js/chart.umd.js"]:
        assert finders.find(asset), asset
    # One Leaflet: django-leaflet's path serves npm's copy (the one the plugins attach to), not its bundled one.
    for asset in ["leaflet/leaflet.js", "leaflet/leaflet-src.js", "leaflet/leaflet.css"]:
        assert Path(str(finders.find(asset))).parent == settings.BASE_DIR / "node_modules" / "leaflet" / "dist", asset
