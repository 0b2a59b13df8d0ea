from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core import mail

from accounts.models import Profile
from accounts.selectors import email_is_verified
from tests.conftest import ARTIFACTS

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_register_login_edit_profile_logout(browser_page: Any, live_server: Any) -> None:
    page = browser_page
    page.goto(f"{live_server.url}/accounts/register/")
    page.fill("#id_username", "vera")
    page.fill("#id_email", "vera@example.org")
    page.fill("#id_password1", "Valles-Marineris-4000")
    page.fill("#id_password2", "Valles-Marineris-4000")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Welcome to GeoPlanet, vera.")
    assert page.is_visible("#email-unverified")
    page.screenshot(path=str(ARTIFACTS / "accounts-01-registered.png"))

    # The mailed link (the test mail backend keeps it in this process) opens a page whose button confirms.
    (message,) = mail.outbox
    link = next(line for line in message.body.splitlines() if "/accounts/verify/" in line)
    assert link.startswith(live_server.url), link
    page.goto(link)
    assert not email_is_verified(User.objects.get(username="vera"))
    with page.expect_navigation():
        page.click("#verify-email-form button[type=submit]")
    page.wait_for_selector("text=vera@example.org is confirmed")
    assert page.inner_text("#email-status") == "confirmed" and not page.is_visible("#email-unverified")
    assert email_is_verified(User.objects.get(username="vera"))

    page.click("button:has-text('Log out')")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "vera")
    page.fill("#id_password", "wrong-password")
    page.click("button[type=submit]")
    page.wait_for_selector("text=Please enter a correct username and password")
    page.fill("#id_password", "Valles-Marineris-4000")
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/accounts/profile/edit/")
    page.fill("#id_display_name", "Vera Rubin")
    page.fill("#id_affiliation", "Mars Mapping Group")
    page.click("button:has-text('Save')")
    page.wait_for_selector("text=Profile saved.")
    page.screenshot(path=str(ARTIFACTS / "accounts-02-profile.png"))
    assert Profile.objects.get(user__username="vera").affiliation == "Mars Mapping Group"

    page.click("button:has-text('Log out')")
    page.goto(f"{live_server.url}/accounts/profile/")
    assert "/accounts/login/" in page.url
