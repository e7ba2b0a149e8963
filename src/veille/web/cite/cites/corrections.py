"""Correct or delete what was mistyped: the shared edit and delete steps, traced with old values."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.formats import localize

from veille.web.cite.cites.access import CiteRequest

from .journal import plain, save_traced, trace
from .rendering import render_cite


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Every concrete field's value (foreign keys as their label), for the trace of a deletion."""
    values: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.primary_key:
            continue
        value = getattr(obj, field.name)
        values[field.name] = plain(value)
    return values


def edit_object(
    request: CiteRequest, form: forms.ModelForm, *, heading: str, success: str, back: str
) -> HttpResponse:
    """Show the correction form; on a valid POST save it, trace the old and new values, go ``back``."""
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            save_traced(request, form)
        messages.success(request, success)
        return redirect(back)
    status = 400 if request.method == "POST" else 200
    return render_cite(
        request, "cites/form.html", {"form": form, "heading": heading, "back": back}, status=status
    )


def delete_object(
    request: CiteRequest, obj: models.Model, *, what: str, success: str, back: str
) -> HttpResponse:
    """Ask for confirmation on GET; on POST check ``obj.check_deletable()``, trace, delete, go ``back``.

    A refusal (a rule of the model, or another record that still points to the object) is shown on
    the confirmation page with its reason, and nothing is deleted.
    """
    error = ""
    try:
        if hasattr(obj, "check_deletable"):
            obj.check_deletable()
    except ValidationError as exc:
        error = " ".join(exc.messages)
    if request.method == "POST" and not error:
        try:
            with transaction.atomic():
                trace(request, obj, "suppression", snapshot(obj), cite=request.cite)
                obj.delete()
        except ProtectedError:
            error = "Cet élément est encore utilisé ailleurs dans la cité : il ne peut pas être supprimé."
        else:
            messages.success(request, success)
            return redirect(back)
    return render_cite(
        request,
        "cites/confirm_delete.html",
        {"object": obj, "what": what, "details": snapshot_rows(obj), "error": error, "back": back},
        status=400 if error and request.method == "POST" else 200,
    )


def snapshot_rows(obj: models.Model) -> list[tuple[str, str]]:
    """``(field label, value)`` of the object, as the confirmation page lists them."""
    rows = []
    for field in obj._meta.concrete_fields:
        if field.primary_key or field.name in {"cite", "created_by", "host"}:
            continue
        value = getattr(obj, f"get_{field.name}_display")() if field.choices else getattr(obj, field.name)
        if isinstance(value, bool):
            value = "oui" if value else "non"
        rows.append((str(field.verbose_name), "—" if value in (None, "") else str(localize(value))))
    return rows
