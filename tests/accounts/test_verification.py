"""Email verification: the mailed link, its refusals (altered, expired, used, another account's, a changed email),
the resend limit, and the accounts that start verified (factories, the migration, the demo)."""

from __future__ import annotations

import importlib
import time
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.core import mail, signing
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from accounts import services
from accounts.models import Profile
from accounts.selectors import email_is_verified, users_with_verified_email
from accounts.tokens import VERIFICATION_MAX_AGE, verification_token
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

ADA = {"username": "ada", "email": "Ada@Example.org", "password1": "Planetary-Rocks-42",
       "password2": "Planetary-Rocks-42"}


def mailed_link(message: Any) -> str:
    """The path of the verification link in a mail (the host is the test client's)."""
    line = next(line for line in message.body.splitlines() if "/accounts/verify/" in line)
    assert line.startswith("http://testserver/accounts/verify/"), line
    return line.split("testserver", 1)[1]


def register(client: Client, **change: str) -> Any:
    mail.outbox.clear()
    response = client.post(reverse("accounts:register"), {**ADA, **change}, follow=True)
    assert response.status_code == 200
    return get_user_model().objects.get(username=change.get("username", "ada"))


def test_register_mails_a_link_and_confirming_it_verifies_the_email(client: Client) -> None:
    response = client.post(reverse("accounts:register"), ADA, follow=True)
    ada = get_user_model().objects.get(username="ada")
    assert response.context["user"] == ada  # signed in at once, as before
    assert "We emailed a link to ada@example.org" in response.content.decode()
    assert 'id="email-unverified"' in response.content.decode()
    assert not email_is_verified(ada)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ada@example.org"]
    assert "ada" in mail.outbox[0].body and "3 days" in mail.outbox[0].body
    link = mailed_link(mail.outbox[0])

    page = client.get(link)  # a mail scanner's GET confirms nothing
    assert page.status_code == 200
    assert "ada@example.org" in page.content.decode() and 'id="verify-email-form"' in page.content.decode()
    assert not email_is_verified(ada)

    done = client.post(link, follow=True)
    assert done.redirect_chain[-1][0] == reverse("accounts:profile")
    assert "ada@example.org is confirmed" in done.content.decode()
    assert 'id="email-unverified"' not in done.content.decode()
    assert email_is_verified(ada)
    assert list(users_with_verified_email("ADA@example.ORG")) == [ada]

    # Used once: the same link now says so, and changes nothing.
    for again in (client.get(link), client.post(link)):
        assert again.status_code == 409
        assert "This link was used already" in again.content.decode()
    assert email_is_verified(ada)


def test_link_works_only_for_its_own_account_and_when_intact(client: Client) -> None:
    ada = register(client)
    link = mailed_link(mail.outbox[0])
    token = link.rstrip("/").rsplit("/", 1)[1]

    anonymous = Client()
    response = anonymous.get(link)
    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
    assert anonymous.post(link).status_code == 302

    other = Client()
    other.force_login(UserFactory.create(username="mallory", email_verified=False))
    for response in (other.get(link), other.post(link)):
        assert response.status_code == 400
        assert "sent to another account" in response.content.decode()

    payload, stamp, signature = token.split(":")
    # Another account's id (or another address) under ada's signature.
    other_payload = signing.dumps({"u": ada.pk + 1, "a": "x"}, salt="accounts.email-verification").split(":")[0]
    tampered = [
        f"{other_payload}:{stamp}:{signature}",
        f"{payload}:{stamp}:{signature[:-1]}{'A' if signature[-1] != 'A' else 'B'}",  # signature altered
        token[:-4],  # cut short
        signing.dumps({"u": ada.pk, "a": "0" * 32}, salt="some.other.salt"),  # signed for another purpose
        "not-a-token",
    ]
    for bad in tampered:
        for response in (client.get(f"/accounts/verify/{bad}/"), client.post(f"/accounts/verify/{bad}/")):
            assert response.status_code == 400, bad
            assert "This verification link is not valid" in response.content.decode()
    assert not email_is_verified(ada)
    assert client.post(link).status_code == 302 and email_is_verified(ada)  # the genuine link still works


def test_link_expires_after_three_days(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    ada = register(client)
    now = int(time.time())

    def made_ago(seconds: int) -> str:
        with monkeypatch.context() as patch:
            patch.setattr(signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(now - seconds))
            return verification_token(ada)

    old = made_ago(int(VERIFICATION_MAX_AGE.total_seconds()) + 60)
    response = client.post(f"/accounts/verify/{old}/")
    assert response.status_code == 410
    assert "This verification link has expired" in response.content.decode()
    assert 'id="verify-email-resend"' in response.content.decode()
    assert not email_is_verified(ada)
    recent = made_ago(int(VERIFICATION_MAX_AGE.total_seconds()) - 3600)
    assert client.post(f"/accounts/verify/{recent}/").status_code == 302
    assert email_is_verified(ada)


def test_changing_the_email_unverifies_the_account_and_ends_its_links(client: Client) -> None:
    # Users cannot change their email themselves; an administrator can, and the proof does not carry over.
    ada = register(client)
    first_link = mailed_link(mail.outbox[0])
    ada.email = "ada@elsewhere.example"
    ada.save(update_fields=["email"])
    response = client.post(first_link)
    assert response.status_code == 400
    assert "no longer your account" in response.content.decode()
    assert not email_is_verified(ada)

    services.email_verify(user=ada, token=verification_token(ada))
    assert email_is_verified(ada)
    ada.email = "ada@third.example"
    ada.save(update_fields=["email"])
    assert not email_is_verified(ada)
    assert not users_with_verified_email("ada@elsewhere.example").exists()


def test_resend_at_most_once_a_minute(client: Client) -> None:
    ada = register(client)
    assert len(mail.outbox) == 1
    response = client.post(reverse("accounts:verify_email_resend"), follow=True)
    assert "less than a minute ago" in response.content.decode()
    assert len(mail.outbox) == 1  # registration's mail counts: no second one yet
    cache.delete(services._resend_key(ada))  # the minute has passed
    response = client.post(reverse("accounts:verify_email_resend"), {"next": reverse("collab:invitations")},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("collab:invitations")
    assert "We emailed a new link to ada@example.org" in response.content.decode()
    assert len(mail.outbox) == 2
    assert client.post(reverse("accounts:verify_email_resend")).status_code == 302
    assert len(mail.outbox) == 2  # and again limited
    assert client.post(mailed_link(mail.outbox[1])).status_code == 302
    cache.delete(services._resend_key(ada))
    response = client.post(reverse("accounts:verify_email_resend"), follow=True)
    assert "verified already" in response.content.decode() and len(mail.outbox) == 2


def test_resend_needs_login_post_and_goes_back_only_to_this_site(client: Client) -> None:
    assert client.post(reverse("accounts:verify_email_resend")).status_code == 302
    assert len(mail.outbox) == 0
    client.force_login(UserFactory.create(username="ada", email_verified=False))
    assert client.get(reverse("accounts:verify_email_resend")).status_code == 405
    response = client.post(reverse("accounts:verify_email_resend"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("accounts:profile")
    assert len(mail.outbox) == 1


def test_a_mail_server_failure_keeps_the_account_and_allows_a_resend_at_once(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise ConnectionRefusedError("no SMTP server")

    monkeypatch.setattr(services, "send_mail", refuse)
    response = client.post(reverse("accounts:register"), ADA, follow=True)
    assert "Welcome to GeoPlanet, ada." in response.content.decode()
    assert "could not be sent just now" in response.content.decode()
    monkeypatch.undo()
    client.post(reverse("accounts:verify_email_resend"))
    assert len(mail.outbox) == 1


def test_profile_shows_whether_the_email_is_confirmed(client: Client) -> None:
    unverified = UserFactory.create(username="ada", email_verified=False)
    client.force_login(unverified)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "not confirmed" in page and 'id="email-unverified"' in page
    client.force_login(UserFactory.create(username="bob"))
    page = client.get(reverse("accounts:profile")).content.decode()
    assert 'id="email-status">confirmed' in page and 'id="email-unverified"' not in page


def test_factories_default_to_verified_and_plain_accounts_start_unverified(django_user_model: Any) -> None:
    assert email_is_verified(UserFactory.create(username="ada"))
    assert not email_is_verified(UserFactory.create(username="bob", email_verified=False))
    assert not email_is_verified(django_user_model.objects.create_user("cy", "cy@example.org", PASSWORD))
    assert not email_is_verified(UserFactory.create(username="dee", email=""))


def test_migration_marks_the_accounts_that_existed_verified(django_user_model: Any) -> None:
    migration = importlib.import_module("accounts.migrations.0002_profile_email_verified")
    without_profile = django_user_model.objects.create_user("old1", "Old1@Example.org", PASSWORD)
    with_profile = UserFactory.create(username="old2", email_verified=False)
    no_email = django_user_model.objects.create_user("old3", "", PASSWORD)
    migration.verify_existing_accounts(apps, None)
    assert email_is_verified(without_profile) and email_is_verified(with_profile)
    assert Profile.objects.get(user=without_profile).email_verified_for == "Old1@example.org"
    assert not email_is_verified(no_email)
