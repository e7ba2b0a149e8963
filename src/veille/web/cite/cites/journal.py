"""Trace every change of a cité: ``journal.trace(request, obj, "modification", changes)``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TypeVar

from django import forms
from django.db import models
from django.http import HttpRequest

from .models import Cite, Trace

M = TypeVar("M", bound=models.Model)


def plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple | set | models.QuerySet):
        return sorted(str(v) for v in value)
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)


def trace(
    request: HttpRequest | None,
    obj: models.Model,
    verb: str,
    changes: dict[str, Any] | None = None,
    *,
    cite: Cite | None = None,
    user: Any = None,
) -> Trace:
    """Append one entry to the cité's journal (``changes``: field → [old, new] or a plain value)."""
    if user is None and request is not None and request.user.is_authenticated:
        user = request.user
    cite = cite or (obj if isinstance(obj, Cite) else getattr(obj, "cite", None))
    if cite is None and request is not None:
        cite = getattr(request, "cite", None)
    if cite is None:
        raise ValueError("Une entrée du journal appartient toujours à une cité.")
    return Trace.objects.create(
        cite=cite,
        user=user,
        verb=verb,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk or ""),
        label=str(obj)[:200],
        changes={
            k: plain(v) if not isinstance(v, list) else [plain(x) for x in v]
            for k, v in (changes or {}).items()
        },
    )


def form_changes(form: forms.ModelForm) -> dict[str, list[Any]]:
    """Field → [old, new] for the fields a bound, valid model form changed."""
    return {
        name: [plain(form.initial.get(name)), plain(form.cleaned_data.get(name))]
        for name in form.changed_data
    }


def save_traced(request: HttpRequest, form: forms.ModelForm[M], **extra: Any) -> M:
    """Save a model form (``extra`` set on the instance first) and trace a creation or its changes."""
    creating = form.instance.pk is None
    obj = form.save(commit=False)
    for key, value in extra.items():
        setattr(obj, key, value)
    obj.save()
    form.save_m2m()
    if creating:
        trace(request, obj, "création", {k: plain(v) for k, v in form.cleaned_data.items()})
    elif form.changed_data:
        trace(request, obj, "modification", form_changes(form))
    return obj
