"""Page forms of the collab app (validation only)."""

from __future__ import annotations

from django import forms

from collab.models import Role


class ProjectForm(forms.Form):
    name = forms.CharField(max_length=200)
    description = forms.CharField(max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class InviteForm(forms.Form):
    who = forms.CharField(max_length=254, label="Username or email")
    role = forms.ChoiceField(choices=Role.choices, initial=Role.VIEWER)


class SharingForm(forms.Form):
    project = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    visibility = forms.ChoiceField(choices=[("private", "Private"), ("project", "Project"), ("public", "Public")])

    def __init__(self, *args: object, projects: list[tuple[int, str]], **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["project"].choices = [("", "— none —"), *projects]  # type: ignore[attr-defined]


class ShareLinkForm(forms.Form):
    expires_at = forms.DateTimeField(label="Expires", required=False, help_text="Optional, e.g. 2030-01-31 12:00")


class CommentForm(forms.Form):
    text = forms.CharField(max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}))
    lon = forms.FloatField(required=False, widget=forms.HiddenInput)
    lat = forms.FloatField(required=False, widget=forms.HiddenInput)
