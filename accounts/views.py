"""Account pages: register, verify the email, profile. Login, logout and passwords use Django's own views."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from accounts import selectors, services
from accounts.errors import AccountError
from accounts.forms import ProfileForm, RegistrationForm
from geoplanet.errors import status_for


def _site(request: HttpRequest) -> str:
    """Scheme and host as the visitor reached us: the base of the links we mail them."""
    return request.build_absolute_uri("/")


@require_http_methods(["GET", "POST"])
def register(request: HttpRequest) -> HttpResponse:
    """Create an account, sign the new user in and mail them the link that verifies their email."""
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = services.user_register(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
        )
        login(request, user, backend="accounts.backends.ModelBackend")
        messages.success(request, f"Welcome to GeoPlanet, {user.get_username()}.")
        try:
            services.email_verification_send(user=user, base_url=_site(request))
        except AccountError as error:
            messages.warning(request, error.message)
        else:
            messages.info(request, f"We emailed a link to {user.email}: open it to confirm the address is yours.")
        return redirect("accounts:profile")
    return render(request, "accounts/register.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def verify_email(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows what the link would confirm, POST confirms it (mail scanners follow links, they do not post)."""
    user = cast(User, request.user)  # login_required: never anonymous here
    try:
        if request.method == "POST":
            services.email_verify(user=user, token=token)
            messages.success(
                request, f"Thank you: {user.email} is confirmed. Invitations sent to it are on your invitations page."
            )
            return redirect("accounts:profile")
        email = selectors.verification_address(user, token)
    except AccountError as error:
        context = {"error": error, "verified": selectors.email_is_verified(user)}
        return render(request, "accounts/verify_email_failed.html", context, status=status_for(error) or 400)
    return render(request, "accounts/verify_email.html", {"email": email, "token": token})


@login_required
@require_POST
def verify_email_resend(request: HttpRequest) -> HttpResponse:
    """Mail a new verification link (at most one a minute), then go back to the page that asked."""
    user = cast(User, request.user)  # login_required: never anonymous here
    try:
        services.email_verification_send(user=user, base_url=_site(request))
    except AccountError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"We emailed a new link to {user.email}.")
    back = request.POST.get("next", "")
    # Only a path: a bare word ("profile") would be taken for a URL name by redirect() and fail to reverse.
    if not back.startswith("/") or not url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        back = ""
    return redirect(back or "accounts:profile")


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """The signed-in user's own profile."""
    user = cast(User, request.user)  # login_required: never anonymous here
    return render(request, "accounts/profile.html", {
        "profile": services.profile_for(user), "email_verified": selectors.email_is_verified(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest) -> HttpResponse:
    """Edit display name, affiliation and bio."""
    current = services.profile_for(cast(User, request.user))  # login_required: never anonymous here
    form = ProfileForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        services.profile_update(profile=current, **form.cleaned_data)
        messages.success(request, "Profile saved.")
        return redirect("accounts:profile")
    return render(request, "accounts/profile_edit.html", {"form": form})


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's reset confirmation; setting a password from the emailed link also proves the address."""

    def form_valid(self, form: SetPasswordForm) -> HttpResponse:
        response = super().form_valid(form)
        services.email_mark_verified(user=form.user)
        return response
