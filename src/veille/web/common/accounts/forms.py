from __future__ import annotations

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from .models import LoginAttempt


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, paused after too many failures for the same login."""

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "locked": "Trop d'essais infructueux : réessayez dans quelques minutes.",
    }

    def clean(self):  # type: ignore[no-untyped-def]
        username = self.cleaned_data.get("username") or ""
        password = self.cleaned_data.get("password")
        if username and LoginAttempt.is_locked(username):
            raise forms.ValidationError(self.error_messages["locked"], code="locked")
        if username and password:
            self.user_cache = authenticate(self.request, username=username, password=password)
            LoginAttempt.record(username, succeeded=self.user_cache is not None)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TotpForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres de votre application d'authentification",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
