"""Forms for registration and profile editing, with messages a user can act on."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.validators import UnicodeUsernameValidator

from accounts.models import Profile


class RegistrationForm(forms.Form):
    """Username, email and a password checked by Django's validators."""

    username = forms.CharField(
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text="Up to 150 characters: letters, digits and @/./+/-/_ only.",
    )
    email = forms.EmailField(help_text="Used for password resets and notifications.")
    password1 = forms.CharField(label="Password", strip=False, widget=forms.PasswordInput)
    password2 = forms.CharField(label="Password again", strip=False, widget=forms.PasswordInput)

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("That username is taken. Please choose another.")
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"].strip().lower()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise forms.ValidationError(
                "An account with this email exists already. Try logging in or resetting the password."
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", "The two passwords differ.")
        elif password1:
            user = get_user_model()(username=cleaned.get("username", ""), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    """The fields a user edits on their own profile."""

    class Meta:
        model = Profile
        fields = ["display_name", "affiliation", "bio"]
        widgets = {"bio": forms.Textarea(attrs={"rows": 5})}
