"""The référent manages who sits in the commune's cell, and with which role."""

from __future__ import annotations

import secrets

from django import forms
from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.views.decorators.http import require_POST

from veille.web.common.audit.log import record
from veille.web.common.audit.models import Action

from .access import member_required
from .models import Membership, User
from .roles import Capability, Role

# Readable, long enough, without look-alike characters: said on the phone or given by hand.
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"


def one_time_password() -> str:
    groups = ["".join(secrets.choice(ALPHABET) for _ in range(4)) for _ in range(4)]
    return "-".join(groups)


class MemberForm(forms.Form):
    username = forms.CharField(label="Identifiant de connexion", max_length=150)
    first_name = forms.CharField(label="Prénom", max_length=150, required=False)
    last_name = forms.CharField(label="Nom", max_length=150, required=False)
    organisation = forms.CharField(label="Organisme (mairie, DSDEN, CAF…)", max_length=200, required=False)
    role = forms.ChoiceField(label="Rôle dans la cellule", choices=Role.choices)


class RoleForm(forms.Form):
    role = forms.ChoiceField(label="Rôle", choices=Role.choices)


def add_member(
    *, commune, username: str, role: str, first_name: str = "", last_name: str = "", organisation: str = ""
) -> tuple[Membership, str]:
    """Seat a person in the cell; a new account gets a one-time password (returned, never stored
    in clear). Raises ValueError if the person already sits in this cell."""
    with transaction.atomic():
        user = User.objects.filter(username=username).first()
        password = ""
        if user is None:
            password = one_time_password()
            user = User(
                username=username, first_name=first_name, last_name=last_name, organisation=organisation
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


@member_required(Capability.MANAGE_MEMBERS)
def index(request: HttpRequest) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    form = MemberForm(request.POST or None)
    password = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            membership, password = add_member(commune=commune, **data)
        except ValueError as error:
            form.add_error("username", str(error))
        else:
            record(request, Action.CREATE, membership, detail=f"membre ajouté, rôle {membership.role}")
            messages.success(request, f"{membership.user.username} fait partie de la cellule.")
            if not password:
                return redirect("members:index", commune=commune.slug)
            form = MemberForm()
    members = Membership.objects.filter(commune=commune).select_related("user").order_by("-active", "role")
    return render(
        request,
        "accounts/members.html",
        {"form": form, "members": members, "password": password, "role_form": RoleForm},
    )


@require_POST
@member_required(Capability.MANAGE_MEMBERS)
def change(request: HttpRequest, pk: int) -> HttpResponse:
    commune = request.commune  # type: ignore[attr-defined]
    membership = get_object_or_404(Membership, pk=pk, commune=commune)
    if membership.pk == request.membership.pk:  # type: ignore[attr-defined]
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
