"""An invitation sent to an email address reaches only an account that verified that address.

Registering with someone else's address is easy (nobody checks it at sign-up); receiving mail there is not.
Invitations by username are not about addresses and stay as they were.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.selectors import email_is_verified
from accounts.tokens import verification_token
from collab import access, selectors, services
from collab.errors import NotAllowed
from collab.models import Invitation, Notification
from tests.collab.conftest import Team, api_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEWHIRE = "newhire@uni.example"


def register(client: Client, username: str, email: str) -> Any:
    """Register through the form as a visitor would; returns the new account (signed in on ``client``)."""
    from django.contrib.auth import get_user_model

    mail.outbox.clear()
    password = "Hesperia-Planum-77"
    response = client.post(reverse("accounts:register"), {
        "username": username, "email": email, "password1": password, "password2": password})
    assert response.status_code == 302, response.content
    return get_user_model().objects.get(username=username)


def mailed_link(to: str) -> str:
    message = next(m for m in mail.outbox if m.to == [to])
    return next(line for line in message.body.splitlines() if "/accounts/verify/" in line).split("testserver", 1)[1]


def test_registering_with_an_invited_address_does_not_take_the_invitation(team: Team) -> None:
    owner = team.cast.owner
    invitation = services.invitation_create(project=team.project, by=owner, who=NEWHIRE, role="owner")
    assert invitation.user is None and invitation.email == NEWHIRE

    mallory_client = Client()
    mallory = register(mallory_client, "mallory", NEWHIRE.upper())
    assert not email_is_verified(mallory)
    assert list(selectors.invitations_for(mallory)) == []
    page = mallory_client.get(reverse("collab:invitations")).content.decode()
    assert "No pending invitations." in page and 'id="email-unverified"' in page
    assert "Arabia craters" not in page
    assert api_for(mallory).get("/api/v1/invitations/").json() == []
    # Knowing the invitation's number does not help, on the page or in the API.
    assert mallory_client.post(reverse("collab:invitation_accept", args=[invitation.pk])).status_code == 404
    assert api_for(mallory).post(f"/api/v1/invitations/{invitation.pk}/accept/").status_code == 404
    assert mallory_client.post(reverse("collab:invitation_decline", args=[invitation.pk])).status_code == 404
    with pytest.raises(NotAllowed, match="Confirm that address first"):
        services.invitation_accept(user=mallory, invitation=invitation)
    with pytest.raises(NotAllowed, match="Confirm that address first"):
        services.invitation_decline(user=mallory, invitation=invitation)
    assert access.role_in(mallory, team.project) is None
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING and invitation.user is None
    # The link went to the address, not to mallory: it is of no use to her without the mailbox.
    assert [m.to for m in mail.outbox] == [[NEWHIRE]]


def test_the_rightful_owner_of_the_address_verifies_and_accepts(team: Team) -> None:
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who=NEWHIRE, role="owner")
    client = Client()
    newhire = register(client, "newhire", NEWHIRE)
    assert list(selectors.invitations_for(newhire)) == []
    link = mailed_link(NEWHIRE)
    assert client.get(link).status_code == 200
    assert client.post(link).status_code == 302
    assert email_is_verified(newhire)

    assert list(selectors.invitations_for(newhire)) == [invitation]
    page = client.get(reverse("collab:invitations")).content.decode()
    assert "Arabia craters" in page and 'id="email-unverified"' not in page
    response = client.post(reverse("collab:invitation_accept", args=[invitation.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("collab:detail", args=[team.project.pk])
    assert access.role_in(newhire, team.project) == "owner"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED and invitation.user == newhire


def test_inviting_an_unverified_account_by_email_waits_for_its_verification(team: Team) -> None:
    owner = team.cast.owner
    unverified = UserFactory.create(username="ursula", email="ursula@uni.example", email_verified=False)
    invitation = services.invitation_create(project=team.project, by=owner, who="Ursula@Uni.example", role="editor")
    # Addressed to the address, not bound to the account that merely claims it; and no notification for it.
    assert invitation.status == Invitation.Status.PENDING
    assert invitation.user is None and invitation.email == "Ursula@Uni.example"
    assert not Notification.objects.filter(recipient=unverified).exists()
    assert list(selectors.invitations_for(unverified)) == []
    with pytest.raises(NotAllowed):
        services.invitation_accept(user=unverified, invitation=invitation)

    from accounts import services as account_services

    account_services.email_verify(user=unverified, token=verification_token(unverified))
    assert list(selectors.invitations_for(unverified)) == [invitation]
    services.invitation_accept(user=unverified, invitation=invitation)
    assert access.role_in(unverified, team.project) == "editor"


def test_a_verified_account_is_invited_by_email_directly(team: Team) -> None:
    verified = UserFactory.create(username="vic", email="vic@uni.example")
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who="VIC@uni.example")
    assert invitation.user == verified and invitation.email == ""
    assert Notification.objects.filter(recipient=verified, verb="invited").exists()
    assert list(selectors.invitations_for(verified)) == [invitation]


def test_invitations_by_username_do_not_need_a_verified_email(team: Team) -> None:
    unverified = UserFactory.create(username="ursula", email="ursula@uni.example", email_verified=False)
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who="ursula")
    assert invitation.user == unverified
    assert list(selectors.invitations_for(unverified)) == [invitation]
    services.invitation_accept(user=unverified, invitation=invitation)
    assert access.role_in(unverified, team.project) == "viewer"


def test_a_changed_email_no_longer_receives_invitations_sent_to_it(team: Team) -> None:
    # An administrator changes a verified account's email: the new address is unproven until verified.
    user = UserFactory.create(username="vic", email="vic@uni.example")
    user.email = "vic@elsewhere.example"
    user.save(update_fields=["email"])
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who="vic@elsewhere.example")
    assert invitation.user is None
    assert list(selectors.invitations_for(user)) == []
    with pytest.raises(NotAllowed):
        services.invitation_accept(user=user, invitation=invitation)
