"""Pages: projects, members and invitations, notifications, and an image's sharing settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from collab import access, selectors, services
from collab.errors import CollabError
from collab.forms import InviteForm, ProjectForm, ShareLinkForm, SharingForm
from rasters.selectors import raster_for_user
from segmentation.models import Analysis
from segmentation.selectors import class_summary


@login_required
@require_http_methods(["GET", "POST"])
def project_list(request: HttpRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        project = services.project_create(owner=request.user, **form.cleaned_data)
        messages.success(request, f"Project “{project.name}” created.")
        return redirect("collab:detail", pk=project.pk)
    projects = access.projects_visible_to(request.user)
    return render(request, "collab/project_list.html", {"projects": projects, "form": form})


@login_required
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.project_for_user(request.user, pk)
    rasters = list(selectors.project_rasters(request.user, project))
    analyses = Analysis.objects.filter(raster__in=rasters, status=Analysis.Status.DONE).select_related("raster")
    return render(request, "collab/project_detail.html", {
        "project": project,
        "role": access.role_in(request.user, project),
        "members": project.memberships.select_related("user"),
        "rasters": rasters,
        "summaries": [(a, class_summary(a)) for a in analyses],
        "activity": selectors.project_activity(request.user, project),
        "invite_form": InviteForm(),
    })


def _run(request: HttpRequest, action: object, success: str) -> bool:
    """Call a service; a domain error becomes a message on the page instead of a 500."""
    try:
        action()  # type: ignore[operator]
    except CollabError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


@login_required
@require_POST
def project_invite(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.project_for_user(request.user, pk, manage=True)
    form = InviteForm(request.POST)
    if form.is_valid():
        _run(request, lambda: services.invitation_create(project=project, by=request.user, **form.cleaned_data),
             f"Invited {form.cleaned_data['who']}.")
    return redirect("collab:detail", pk=project.pk)


@login_required
@require_POST
def project_leave(request: HttpRequest, pk: int) -> HttpResponse:
    project = access.project_for_user(request.user, pk)
    if _run(request, lambda: services.project_leave(user=request.user, project=project), f"You left {project}."):
        return redirect("collab:list")
    return redirect("collab:detail", pk=project.pk)


@login_required
@require_POST
def member_remove(request: HttpRequest, pk: int, user_id: int) -> HttpResponse:
    project = access.project_for_user(request.user, pk, manage=True)
    user = get_object_or_404(get_user_model(), pk=user_id, memberships__project=project)
    _run(request, lambda: services.member_remove(by=request.user, project=project, user=user), "Member removed.")
    return redirect("collab:detail", pk=project.pk)


@login_required
def invitations(request: HttpRequest) -> HttpResponse:
    return render(request, "collab/invitations.html", {"invitations": selectors.invitations_for(request.user)})


@login_required
@require_POST
def invitation_answer(request: HttpRequest, pk: int, answer: str) -> HttpResponse:
    invitation = selectors.invitation_for_user(request.user, pk)
    if answer == "accept":
        if _run(request, lambda: services.invitation_accept(user=request.user, invitation=invitation),
                f"You joined {invitation.project}."):
            return redirect("collab:detail", pk=invitation.project_id)
    else:
        _run(request, lambda: services.invitation_decline(user=request.user, invitation=invitation), "Declined.")
    return redirect("collab:invitations")


@login_required
@require_http_methods(["GET", "POST"])
def notifications(request: HttpRequest) -> HttpResponse:
    """The notification list; POST marks them all read."""
    if request.method == "POST":
        services.notifications_mark_read(request.user)
        return redirect("collab:notifications")
    rows = list(selectors.notifications_for(request.user)[:100])
    return render(request, "collab/notifications.html", {"notifications": rows})


@login_required
@require_http_methods(["GET", "POST"])
def raster_sharing(request: HttpRequest, pk: int) -> HttpResponse:
    """Owner's page: put the image in a project, set its visibility, create and revoke share links."""
    raster = raster_for_user(request.user, pk, write=True)
    choices = [(p.pk, p.name) for p in access.projects_visible_to(request.user)]
    initial = {"project": raster.project_id, "visibility": raster.visibility}
    form = SharingForm(request.POST or None, initial=initial, projects=choices)
    if request.method == "POST" and form.is_valid():
        project_id = form.cleaned_data["project"]
        project = access.project_for_user(request.user, project_id) if project_id else None
        if _run(request, lambda: services.raster_share_settings(
                by=request.user, raster=raster, project=project, visibility=form.cleaned_data["visibility"]),
                "Sharing saved."):
            return redirect("collab:raster_sharing", pk=raster.pk)
    links = selectors.share_links_to_raster(request.user, raster)
    return render(request, "collab/raster_sharing.html", {
        "raster": raster, "form": form, "links": links, "link_form": ShareLinkForm(),
        "is_owner": raster.owner_id == request.user.pk,
    })


@login_required
@require_POST
def share_link_new(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """Create a link to an image or an analysis, then show the list it appears in."""
    from segmentation.selectors import analysis_for_user

    target = raster_for_user(request.user, pk) if kind == "raster" else analysis_for_user(request.user, pk)
    form = ShareLinkForm(request.POST)
    if not form.is_valid():  # never a link without the expiry that was asked for
        for name, errors in form.errors.items():
            text = " ".join(str(error) for error in errors)
            messages.error(request, f"{form.fields[name].label}: {text}" if name in form.fields else text)
        return redirect("collab:share_links")
    expires = form.cleaned_data.get("expires_at")
    _run(request, lambda: services.share_link_create(user=request.user, target=target, expires_at=expires),
         "Share link created.")
    return redirect("collab:share_links")


@login_required
def share_links(request: HttpRequest) -> HttpResponse:
    return render(request, "collab/share_links.html", {"links": selectors.share_links_of(request.user)})


@login_required
@require_POST
def share_link_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    link = selectors.share_link_for_user(request.user, pk)
    _run(request, lambda: services.share_link_revoke(user=request.user, link=link), "Link revoked.")
    return redirect("collab:share_links")
