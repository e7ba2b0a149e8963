"""The référent manages who sits in the commune's cell, and with which role."""

from __future__ import annotations

import re
import secrets
import unicodedata

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .access import CommuneRequest, member_required
from .models import Invitation, Membership, User, normalise_username, validate_username
from .roles import Capability, Role

# Readable, long enough, without look-alike characters: said on the phone or given by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


class NewAccountForm(forms.Form):
    first_name = forms.CharField(label="Prénom", max_length=150)
    last_name = forms.CharField(label="Nom", max_length=150)
    organisation = forms.CharField(label="Organisme (mairie, DSDEN, CAF…)", max_length=200, required=False)
    role = forms.ChoiceField(label="Rôle dans la cellule", choices=Role.choices)


class InviteForm(forms.Form):
    username = forms.CharField(label="Identifiant de connexion de la personne", max_length=150)
    role = forms.ChoiceField(label="Rôle dans la cellule", choices=Role.choices)

    def clean_username(self) -> str:
        return normalise_username(self.cleaned_data["username"])


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


def new_username(first_name: str, last_name: str) -> str:
    """``prenom.nom-xxxx``: ASCII, and with a random tail so that a taken name never shows."""
    stem = (
        ".".join(
            "-".join(
                re.findall(
                    r"[a-z0-9]+",
                    unicodedata.normalize("NFKD", part).encode("ascii", "ignore").decode().lower(),
                )
            )
            for part in (first_name, last_name)
        ).strip(".")[:120]
        or "membre"
    )
    while True:
        candidate = f"{stem}-{''.join(secrets.choice(ALPHABET) for _ in range(4))}"
        if not User.objects.filter(username__iexact=candidate).exists():
            return candidate


def add_member(
    *, commune, username: str, role: str, first_name: str = "", last_name: str = "", organisation: str = ""
) -> tuple[Membership, str]:
    """Seat a person in the cell by login (the command ``creer_commune``, run by the administrator).

    A new account gets a one-time password (returned, never stored in clear) that it must change at
    first login. Raises ValueError if the login is not valid or the person already sits in this cell.
    """
    username = normalise_username(username)
    try:
        validate_username(username)
    except ValidationError as error:
        raise ValueError(error.messages[0]) from None
    with transaction.atomic():
        user = User.objects.filter(username__iexact=username).first()
        password = ""
        if user is None:
            password = one_time_password()
            user = User(
                username=username,
                first_name=first_name,
                last_name=last_name,
                organisation=organisation,
                must_change_password=True,
            )
            user.set_password(password)
            user.save()
        existing = Membership.objects.filter(user=user, commune=commune).first()
        if existing is not None and existing.active:
            raise ValueError(f"{username} est déjà membre de la cellule ({existing.get_role_display()}).")
        if existing is not None:
            existing.active, existing.role = True, role
            existing.save(update_fields=["active", "role"])
            return existing, password
        return Membership.objects.create(user=user, commune=commune, role=role), password


def create_account(
    *, commune, role: str, first_name: str, last_name: str, organisation: str = ""
) -> tuple[Membership, str]:
    """A new account for a new person, seated in the cell, with a provisional password."""
    return add_member(
        commune=commune,
        username=new_username(first_name, last_name),
        role=role,
        first_name=first_name,
        last_name=last_name,
        organisation=organisation,
    )


@member_required(Capability.MANAGE_MEMBERS)
def index(request: CommuneRequest) -> HttpResponse:
    """Create an account for a new person, or invite an existing account (which must accept).

    The invitation's answer is the same whether an account has that login or not: a référent
    learns nothing of the people of other communes, and cannot seat them without their consent.
    """
    commune = request.commune
    action = request.POST.get("action") if request.method == "POST" else None
    create_form = NewAccountForm(request.POST if action == "creer" else None, prefix="nouveau")
    invite_form = InviteForm(request.POST if action == "inviter" else None, prefix="invitation")
    password = new_login = ""
    if action == "creer" and create_form.is_valid():
        membership, password = create_account(commune=commune, **create_form.cleaned_data)
        new_login = membership.user.username
        record(request, Action.CREATE, membership, detail=f"compte créé, rôle {membership.role}")
        messages.success(request, f"Compte {new_login} créé dans la cellule.")
        create_form = NewAccountForm(prefix="nouveau")
    elif action == "inviter" and invite_form.is_valid():
        data = invite_form.cleaned_data
        invitation, _ = Invitation.objects.update_or_create(
            commune=commune,
            username=data["username"],
            answered_at=None,
            defaults={"role": data["role"], "invited_by": request.user},
        )
        record(request, Action.CREATE, invitation, detail=f"invitation, rôle {invitation.role}")
        messages.success(
            request,
            f"Invitation enregistrée pour « {invitation.username} » : si un compte porte cet identifiant, "
            "la personne la verra à sa prochaine connexion et pourra l'accepter.",
        )
        return redirect("members:index", commune=commune.slug)
    members = Membership.objects.filter(commune=commune).select_related("user").order_by("-active", "role")
    invitations = Invitation.objects.filter(commune=commune, answered_at=None).order_by("-created_at")
    response = render(
        request,
        "accounts/members.html",
        {
            "create_form": create_form,
            "invite_form": invite_form,
            "members": members,
            "invitations": invitations,
            "password": password,
            "new_login": new_login,
            "role_form": RoleForm,
        },
    )
    return response


@require_POST
@member_required(Capability.MANAGE_MEMBERS)
def change(request: CommuneRequest, pk: int) -> HttpResponse:
    commune = request.commune
    membership = get_object_or_404(Membership, pk=pk, commune=commune)
    if membership.pk == request.membership.pk:
        messages.error(request, "Vous ne pouvez pas changer votre propre rôle ni vous retirer vous-même.")
        return redirect("members:index", commune=commune.slug)
    if request.POST.get("action") == "retirer":
        membership.active = False
        membership.save(update_fields=["active"])
        record(request, Action.CHANGE, membership, detail="membre retiré de la cellule")
        messages.success(request, f"{membership.user.username} n'a plus accès à la cellule.")
    else:
        form = RoleForm(request.POST)
        if form.is_valid():
            membership.role = form.cleaned_data["role"]
            membership.save(update_fields=["role"])
            record(request, Action.CHANGE, membership, detail=f"rôle changé en {membership.role}")
            messages.success(
                request, f"Rôle de {membership.user.username} : {membership.get_role_display()}."
            )
    return redirect("members:index", commune=commune.slug)


app_name = "members"
urlpatterns = [
    path("", index, name="index"),
    path("<int:pk>/", change, name="change"),
]
