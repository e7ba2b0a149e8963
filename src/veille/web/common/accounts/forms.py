from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm

from veille.web.common.audit.log import client_ip

from .models import forgive, login_limits, normalise_username, reserve


class ThrottledLoginForm(AuthenticationForm):
    """Django's login form, with each attempt counted before the password is checked.

    Limits (``settings.LOGIN_*``): per account and address, per address, and a short backoff per
    account from anywhere; see :func:`accounts.models.login_limits`.
    """

    error_messages = {
        "invalid_login": "Identifiant ou mot de passe incorrect.",
        "inactive": "Ce compte est désactivé.",
        "locked": "Trop d'essais infructueux : réessayez dans quelques minutes.",
    }

    def clean(self) -> dict[str, Any]:
        username = normalise_username(self.cleaned_data.get("username") or "")
        password = self.cleaned_data.get("password")
        if username and password:
            address = (client_ip(self.request) if self.request else None) or "inconnue"
            limits = login_limits(username, address)
            if not reserve(limits):
                raise forms.ValidationError(self.error_messages["locked"], code="locked")
            self.user_cache = authenticate(self.request, username=username, password=password)
            if self.user_cache is None:
                raise self.get_invalid_login_error()
            forgive(reset=[limits[0].key, limits[2].key], discount=[limits[1].key])
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class TotpForm(forms.Form):
    code = forms.CharField(
        label="Code à 6 chiffres de votre application d'authentification",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
