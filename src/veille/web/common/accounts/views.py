from __future__ import annotations

import pyotp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .forms import ThrottledLoginForm, TotpForm
from .middleware import SECOND_FACTOR_CHECKED
from .models import Membership


def _next(request: HttpRequest, default: str = "home") -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "registration/login.html"

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # One entry per commune of the user, so that each cell's log shows who logged in to it.
        user = self.request.user
        communes = [m.commune for m in Membership.objects.for_user(user)] or [None]
        for commune in communes:
            record(self.request, Action.LOGIN, object_type="compte", object_id=str(user.pk), commune=commune)
        return response


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = list(Membership.objects.for_user(request.user))
    cites = list(request.user.cite_memberships.filter(active=True).select_related("cite")[:2])
    # One cell and no cité: straight to the cell; one cité and no cell (a CPO, a partner): straight to
    # the cité. A person in both chooses on the home page.
    if len(memberships) == 1 and not cites:
        return redirect("cellule:home", commune=memberships[0].commune.slug)
    if not memberships and len(cites) == 1:
        return redirect("cites:home", cite=cites[0].cite.slug)
    return render(request, "veille/home.html", {"memberships": memberships, "has_cites": bool(cites)})


@login_required
def charter(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("accept") == "oui":
            request.user.accept_charter()
            messages.success(request, "Merci : la charte est acceptée.")
            return redirect(_next(request))
        messages.error(request, "Cochez la case pour accepter la charte : elle conditionne l'accès.")
    return render(request, "veille/charter.html", {"next": _next(request, "")})


@login_required
def totp_verify(request: HttpRequest) -> HttpResponse:
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if pyotp.TOTP(request.user.totp_secret).verify(form.cleaned_data["code"], valid_window=1):
            request.session[SECOND_FACTOR_CHECKED] = True
            return redirect(_next(request))
        form.add_error("code", "Code incorrect ou expiré.")
    return render(request, "veille/totp_verify.html", {"form": form, "next": _next(request, "")})


@login_required
def totp_setup(request: HttpRequest) -> HttpResponse:
    user = request.user
    if request.method == "POST" and request.POST.get("disable") == "oui":
        user.totp_enabled, user.totp_secret = False, ""
        user.save(update_fields=["totp_enabled", "totp_secret"])
        messages.success(request, "La double authentification est désactivée.")
        return redirect("accounts:totp_setup")
    if not user.totp_enabled and not request.session.get("veille_totp_pending"):
        request.session["veille_totp_pending"] = pyotp.random_base32()
    secret = request.session.get("veille_totp_pending", "")
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and secret:
        if pyotp.TOTP(secret).verify(form.cleaned_data["code"], valid_window=1):
            user.totp_secret, user.totp_enabled = secret, True
            user.save(update_fields=["totp_secret", "totp_enabled"])
            request.session.pop("veille_totp_pending", None)
            request.session[SECOND_FACTOR_CHECKED] = True
            messages.success(request, "La double authentification est activée.")
            return redirect("accounts:totp_setup")
        form.add_error("code", "Code incorrect : vérifiez l'heure de votre téléphone et réessayez.")
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Veille") if secret else ""
    # Drawn on the server as inline SVG: the secret never goes to a third-party QR service.
    qr = segno.make(uri, error="m").svg_inline(scale=5, title="QR code de configuration") if uri else ""
    return render(request, "veille/totp_setup.html", {"form": form, "secret": secret, "uri": uri, "qr": qr})


@require_POST
def logout(request: HttpRequest) -> HttpResponse:
    return auth_views.LogoutView.as_view()(request)
