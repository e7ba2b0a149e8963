from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyotp
import segno
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .access import AuthenticatedRequest
from .forms import ThrottledLoginForm, TotpForm
from .middleware import SECOND_FACTOR_CHECKED
from .models import Invitation, Membership, forgive, reserve, totp_limit

if TYPE_CHECKING:
    from veille.web.common.territories.models import Commune


def _next(request: HttpRequest, default: str = "home") -> str:
    target = request.GET.get("next") or request.POST.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


class LoginView(auth_views.LoginView):
    form_class = ThrottledLoginForm
    template_name = "registration/login.html"

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        response = super().form_valid(form)
        # One entry per commune of the user, so that each cell's log shows who logged in to it.
        user = form.get_user()
        communes: list[Commune | None] = [m.commune for m in Membership.objects.for_user(user)] or [None]
        for commune in communes:
            record(self.request, Action.LOGIN, object_type="compte", object_id=str(user.pk), commune=commune)
        return response


@login_required
def home(request: AuthenticatedRequest) -> HttpResponse:
    memberships = list(Membership.objects.for_user(request.user))
    invitations = list(Invitation.objects.pending_for(request.user))
    cites = list(request.user.cite_memberships.filter(active=True).select_related("cite")[:2])
    # One cell and no cité: straight to the cell; one cité and no cell (a CPO, a partner): straight to
    # the cité. A person in both, or invited, chooses on the home page.
    if len(memberships) == 1 and not cites and not invitations:
        return redirect("cellule:home", commune=memberships[0].commune.slug)
    if not memberships and len(cites) == 1 and not invitations:
        return redirect("cites:home", cite=cites[0].cite.slug)
    return render(
        request,
        "veille/home.html",
        {"memberships": memberships, "has_cites": bool(cites), "invitations": invitations},
    )


@login_required
def charter(request: AuthenticatedRequest) -> HttpResponse:
    if request.method == "POST":
        if request.POST.get("accept") == "oui":
            request.user.accept_charter()
            messages.success(request, "Merci : la charte est acceptée.")
            return redirect(_next(request))
        messages.error(request, "Cochez la case pour accepter la charte : elle conditionne l'accès.")
    return render(request, "veille/charter.html", {"next": _next(request, "")})


TOTP_LOCKED = "Trop de codes erronés : réessayez dans quelques minutes."


def _check_code(request: AuthenticatedRequest, form: TotpForm, *, secret: str | None = None) -> bool:
    """Whether the form's code is right and unused; wrong codes are counted, then paused."""
    user = request.user
    limit = totp_limit(user)
    if not reserve([limit]):
        form.add_error("code", TOTP_LOCKED)
        return False
    if user.use_totp_code(form.cleaned_data["code"], secret=secret):
        forgive(reset=[limit.key])
        return True
    form.add_error("code", "Code incorrect, expiré ou déjà utilisé.")
    return False


@login_required
def totp_verify(request: AuthenticatedRequest) -> HttpResponse:
    if not request.user.totp_enabled:  # nothing to check: not an error
        return redirect(_next(request))
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _check_code(request, form):
        request.session[SECOND_FACTOR_CHECKED] = True
        return redirect(_next(request))
    return render(request, "veille/totp_verify.html", {"form": form, "next": _next(request, "")})


@login_required
def totp_setup(request: AuthenticatedRequest) -> HttpResponse:
    user = request.user
    form = TotpForm(request.POST or None)
    if user.totp_enabled:
        # Turning it off takes a code too: a session left open must not be enough.
        if request.method == "POST" and form.is_valid() and _check_code(request, form):
            user.totp_enabled, user.totp_secret = False, ""
            user.save(update_fields=["totp_enabled", "totp_secret"])
            messages.success(request, "La double authentification est désactivée.")
            return redirect("accounts:totp_setup")
        return render(request, "veille/totp_setup.html", {"form": form})
    if not request.session.get("veille_totp_pending"):
        request.session["veille_totp_pending"] = pyotp.random_base32()
    secret = request.session["veille_totp_pending"]
    if request.method == "POST" and form.is_valid() and _check_code(request, form, secret=secret):
        user.totp_secret, user.totp_enabled = secret, True
        user.save(update_fields=["totp_secret", "totp_enabled"])
        request.session.pop("veille_totp_pending", None)
        request.session[SECOND_FACTOR_CHECKED] = True
        messages.success(request, "La double authentification est activée.")
        return redirect("accounts:totp_setup")
    uri = pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name="Veille")
    # Drawn on the server as inline SVG: the secret never goes to a third-party QR service.
    qr = segno.make(uri, error="m").svg_inline(scale=5, title="QR code de configuration")
    response = render(
        request, "veille/totp_setup.html", {"form": form, "secret": secret, "uri": uri, "qr": qr}
    )
    return response


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's page (old password, new one twice, AUTH_PASSWORD_VALIDATORS); it ends the provisional
    password the référent gave, and keeps this session open (Django logs the others out)."""

    template_name = "registration/password_change.html"

    def get_success_url(self) -> str:
        return _next(self.request)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        return {**super().get_context_data(**kwargs), "next": _next(self.request, "")}

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        user = form.user
        user.must_change_password = False
        user.save(update_fields=["must_change_password"])
        record(
            self.request,
            Action.CHANGE,
            object_type="compte",
            object_id=str(user.pk),
            detail="mot de passe changé",
        )
        messages.success(self.request, "Votre mot de passe est changé.")
        return response


@require_POST
@login_required
def answer_invitation(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    """The invited account accepts or declines a référent's invitation into a cell."""
    invitation = get_object_or_404(Invitation.objects.pending_for(request.user), pk=pk)
    accept = request.POST.get("reponse") == "accepter"
    membership = invitation.answer(request.user, accept=accept)
    record(
        request,
        Action.CHANGE,
        invitation,
        commune=invitation.commune,
        detail="invitation acceptée" if accept else "invitation déclinée",
    )
    if membership is not None:
        messages.success(request, f"Vous faites partie de la cellule de {invitation.commune.name}.")
    else:
        messages.success(request, "Invitation déclinée.")
    return redirect("home")


@require_POST
def logout(request: HttpRequest) -> HttpResponseBase:
    return auth_views.LogoutView.as_view()(request)
