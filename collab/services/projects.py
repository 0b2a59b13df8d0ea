"""Projects, invitations and memberships, and putting an image in a project with a visibility."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse

from accounts.selectors import email_is_verified, users_with_verified_email
from collab.access import PRIVATE, PROJECT, PUBLIC, can_manage_project, role_in
from collab.errors import Conflict, InvalidInput, NotAllowed
from collab.models import Invitation, Membership, Project, Role
from collab.services.activity import activity_record, notify


@transaction.atomic
def project_create(*, owner: Any, name: str, description: str = "") -> Project:
    """A new project whose creator is its first owner."""
    name = name.strip()
    if not name:
        raise InvalidInput("A project needs a name.")
    project = Project.objects.create(name=name[:200], description=description, created_by=owner)
    Membership.objects.create(project=project, user=owner, role=Role.OWNER)
    activity_record(owner, "created project", project, project=project)
    return project


def _invitee(who: str) -> Any:
    """The account ``who`` names: by email when it holds an "@", else by username (case-insensitive); or None.

    Never both: usernames may contain "@", and an account named like an address must not take its invitation.
    An email names only an account that verified it; until one does, the invitation waits for the address.
    """
    users = get_user_model().objects
    if "@" in who:
        matches = list(users_with_verified_email(who).order_by("pk")[:2])
        if len(matches) > 1:
            raise InvalidInput("Several accounts use this email; invite by username instead.")
        return matches[0] if matches else None
    exact = users.filter(username=who).first()
    if exact is not None:
        return exact
    matches = list(users.filter(username__iexact=who).order_by("pk")[:2])
    return matches[0] if len(matches) == 1 else None


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise InvalidInput(f"Unknown role “{role}”: use owner, editor or viewer.")
    return role


@transaction.atomic
def invitation_create(*, project: Project, by: Any, who: str, role: str = Role.VIEWER) -> Invitation:
    """Invite a user by username or email (an email no account has verified waits until one does)."""
    if not can_manage_project(by, project):
        raise NotAllowed("Only a project owner can invite.")
    _check_role(role)
    who = who.strip()
    if not who:
        raise InvalidInput("Name someone to invite.")
    user = _invitee(who)
    if user is None and "@" not in who:
        raise InvalidInput("No user with that name; invite by email instead.")
    if user is not None and role_in(user, project) is not None:
        raise Conflict(f"{user.get_username()} is already a member.")
    invitation = Invitation.objects.create(
        project=project, invited_by=by, user=user, email="" if user else who, role=role
    )
    if user is not None:
        notify([user], by, "invited", f"{by.get_username()} invited you to “{project.name}” as {role}.",
               reverse("collab:invitations"))
    activity_record(by, "invited", invitation.user or project, project=project)
    return invitation


def _invitation_for(user: Any, invitation: Invitation) -> Invitation:
    """``invitation`` if ``user`` may answer it: addressed to their account, or to an email they verified."""
    email = (getattr(user, "email", "") or "").lower()
    by_email = invitation.user_id is None and bool(email) and invitation.email.lower() == email
    if invitation.status != Invitation.Status.PENDING or not (invitation.user_id == user.pk or by_email):
        raise NotAllowed("This invitation is not yours to answer.")
    if invitation.user_id is None and not email_is_verified(user):
        raise NotAllowed(
            f"This invitation was sent to {invitation.email}. Confirm that address first with the link we emailed "
            "you (your profile page sends a new one)."
        )
    return invitation


@transaction.atomic
def invitation_accept(*, user: Any, invitation: Invitation) -> Membership:
    """Join the project with the invited role."""
    _invitation_for(user, invitation)
    membership, _ = Membership.objects.get_or_create(
        project=invitation.project, user=user, defaults={"role": invitation.role}
    )
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.ACCEPTED, user=user)
    notify([invitation.invited_by], user, "joined", f"{user.get_username()} joined “{invitation.project.name}”.",
           reverse("collab:detail", kwargs={"pk": invitation.project_id}))
    activity_record(user, "joined", invitation.project, project=invitation.project)
    return membership


def invitation_decline(*, user: Any, invitation: Invitation) -> None:
    _invitation_for(user, invitation)
    Invitation.objects.filter(pk=invitation.pk).update(status=Invitation.Status.DECLINED)


def _owners_left(project: Project, without: Any) -> int:
    return project.memberships.filter(role=Role.OWNER).exclude(user=without).count()


@transaction.atomic
def project_leave(*, user: Any, project: Project) -> None:
    """Leave a project; its last owner cannot leave (hand ownership over first)."""
    if role_in(user, project) == Role.OWNER and _owners_left(project, user) == 0:
        raise Conflict("The last owner cannot leave the project.")
    project.memberships.filter(user=user).delete()
    activity_record(user, "left", project, project=project)


@transaction.atomic
def member_remove(*, by: Any, project: Project, user: Any) -> None:
    """An owner removes a member (never the last owner)."""
    if not can_manage_project(by, project):
        raise NotAllowed("Only a project owner can remove members.")
    if role_in(user, project) == Role.OWNER and _owners_left(project, user) == 0:
        raise Conflict("The last owner cannot be removed.")
    project.memberships.filter(user=user).delete()
    activity_record(by, "removed member", user, project=project)


@transaction.atomic
def member_set_role(*, by: Any, project: Project, user: Any, role: str) -> Membership:
    """An owner changes a member's role (the project keeps at least one owner)."""
    if not can_manage_project(by, project):
        raise NotAllowed("Only a project owner can change roles.")
    _check_role(role)
    membership = project.memberships.filter(user=user).first()
    if membership is None:
        raise InvalidInput("Not a member of this project.")
    if membership.role == Role.OWNER and role != Role.OWNER and _owners_left(project, user) == 0:
        raise Conflict("The project needs at least one owner.")
    membership.role = role
    membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def raster_share_settings(*, by: Any, raster: Any, project: Project | None, visibility: str) -> Any:
    """Put the image (owned by ``by``) in ``project`` (one ``by`` belongs to) with a visibility."""
    if raster.owner_id != by.pk:
        raise NotAllowed("Only the image's owner changes who sees it.")
    if visibility not in {PRIVATE, PROJECT, PUBLIC}:
        raise InvalidInput("Visibility is private, project or public.")
    if project is not None and role_in(by, project) is None:
        raise NotAllowed("You are not a member of that project.")
    if visibility == PROJECT and project is None:
        raise InvalidInput("Choose a project to share the image with.")
    raster.project = project
    raster.visibility = visibility
    raster.save(update_fields=["project", "visibility", "updated_at"])
    activity_record(by, f"shared image ({visibility})", raster, project=project)
    return raster
