"""collab.access: one rule for every visibility and role, and rasters.selectors follows it."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from collab import access, services
from collab.errors import InvalidInput, NotAllowed
from rasters.selectors import raster_for_user, rasters_visible_to
from segmentation.selectors import analysis_for_user, features_visible_to
from tests.collab.conftest import Team, raster_row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_project_image_is_seen_by_members_only(team: Team) -> None:
    cast = team.cast
    assert set(rasters_visible_to(cast.owner)) == {team.raster}
    assert set(rasters_visible_to(cast.collaborator)) == {team.raster}
    assert list(rasters_visible_to(cast.stranger)) == []
    assert list(rasters_visible_to(AnonymousUser())) == []
    assert features_visible_to(cast.collaborator).count() == 3
    assert features_visible_to(cast.stranger).count() == 0
    with pytest.raises(Http404):
        analysis_for_user(cast.stranger, team.analysis.pk)


def test_roles_decide_writing(team: Team) -> None:
    cast = team.cast
    assert raster_for_user(cast.collaborator, team.raster.pk, write=True) == team.raster
    services.member_set_role(by=cast.owner, project=team.project, user=cast.collaborator, role="viewer")
    assert access.role_in(cast.collaborator, team.project) == "viewer"
    assert raster_for_user(cast.collaborator, team.raster.pk) == team.raster
    with pytest.raises(Http404):
        raster_for_user(cast.collaborator, team.raster.pk, write=True)
    with pytest.raises(NotAllowed):
        services.feature_review(user=cast.collaborator, feature=team.features[0], action="reject")


def test_private_image_in_a_project_stays_private(team: Team) -> None:
    mine = raster_row(team.cast.owner, project=team.project, visibility="private")
    assert mine not in rasters_visible_to(team.cast.collaborator)
    assert not access.can_edit_raster(team.cast.collaborator, mine)


def test_public_image_is_read_only_for_strangers(team: Team) -> None:
    public = raster_row(team.cast.owner, visibility="public")
    assert public in rasters_visible_to(team.cast.stranger)
    assert not access.can_edit_raster(team.cast.stranger, public)
    assert public not in rasters_visible_to(AnonymousUser())


def test_leaving_and_removal_end_access(team: Team) -> None:
    cast = team.cast
    services.project_leave(user=cast.collaborator, project=team.project)
    assert list(rasters_visible_to(cast.collaborator)) == []
    with pytest.raises(Exception, match="last owner"):
        services.project_leave(user=cast.owner, project=team.project)


def test_invite_by_email_waits_for_the_account(team: Team) -> None:
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who="newbie@example.org")
    assert invitation.user is None
    newbie = UserFactory.create(username="newbie", email="newbie@example.org")  # verified: see test_invitations.py
    services.invitation_accept(user=newbie, invitation=invitation)
    assert access.role_in(newbie, team.project) == "viewer"
    assert team.raster in rasters_visible_to(newbie)


def test_invite_reads_an_address_as_an_email_and_a_name_as_a_username(team: Team) -> None:
    # Usernames may contain "@": an account named like the address must not receive the invitation meant for it.
    impostor = UserFactory.create(username="newbie@example.org", email="sam2@example.org")
    invitation = services.invitation_create(project=team.project, by=team.cast.owner, who="NewBie@Example.org")
    assert invitation.user is None and invitation.email == "NewBie@Example.org"
    with pytest.raises(NotAllowed):
        services.invitation_accept(user=impostor, invitation=invitation)
    with pytest.raises(InvalidInput):  # the impostor's name is not an address anyone registered
        services.invitation_create(project=team.project, by=team.cast.owner, who="sam2")
    by_email = services.invitation_create(project=team.project, by=team.cast.owner, who="SAM2@example.org")
    assert by_email.user == impostor
    assert services.invitation_create(project=team.project, by=team.cast.owner, who="Sam").user == team.cast.stranger


def test_invite_by_an_email_two_accounts_share_is_refused(team: Team) -> None:
    UserFactory.create(username="twin1", email="twin@example.org")
    UserFactory.create(username="twin2", email="TWIN@example.org")  # possible through the admin only
    with pytest.raises(InvalidInput, match="username"):
        services.invitation_create(project=team.project, by=team.cast.owner, who="twin@example.org")


def test_only_owners_manage(team: Team) -> None:
    with pytest.raises(NotAllowed):
        services.invitation_create(project=team.project, by=team.cast.collaborator, who="sam")
    with pytest.raises(NotAllowed):
        services.raster_share_settings(by=team.cast.collaborator, raster=team.raster, project=None, visibility="public")
