"""The audit log page: read-only, one commune's entries, filtered and paginated.

It lives with the accounts, not in ``audit``: it needs the commune's gate, and ``audit`` stays the
bottom that every app writes to (``audit.log.record``) without importing any of them.
"""

from __future__ import annotations

from typing import cast

from django import forms
from django.apps import apps
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import path
from django.views.decorators.http import require_GET

from veille.web.common.audit.models import Action, AuditEvent
from veille.web.common.ui import labels

from .access import CommuneRequest, member_required
from .models import User
from .roles import Capability

PAGE_SIZE = 50

#: object types that are not a model's label (``record(object_type=...)``), as the page says them
OTHER_TYPES = {"compte": "compte utilisateur", "page": "page", "archive": "archive chiffrée"}


def type_label(object_type: str) -> str:
    """The French name of an entry's object type: ``children.child`` -> ``enfant``.

    A model's ``verbose_name`` when the type is a model label, else :data:`OTHER_TYPES`, else the type.
    """
    if object_type in OTHER_TYPES:
        return OTHER_TYPES[object_type]
    try:
        return str(apps.get_model(object_type)._meta.verbose_name)
    except (LookupError, ValueError):
        return labels.label(object_type) or "—"


class AuditFilterForm(forms.Form):
    """Filters of the log (a GET form: it reads, it changes nothing)."""

    utilisateur = forms.ModelChoiceField(
        label="Utilisateur", queryset=User.objects.none(), required=False, empty_label="tous"
    )
    action = forms.ChoiceField(label="Action", required=False, choices=[("", "toutes"), *Action.choices])
    type = forms.ChoiceField(label="Type de donnée", required=False)
    du = forms.DateField(label="Du", required=False, widget=forms.DateInput(attrs={"type": "date"}))
    au = forms.DateField(label="Au (inclus)", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, data: QueryDict | None, *, events: QuerySet[AuditEvent]) -> None:
        super().__init__(data)
        users = events.exclude(user=None).values("user")
        # self.fields types each field as a bare Field: these two are the ones declared above.
        people = cast(forms.ModelChoiceField, self.fields["utilisateur"])
        people.queryset = User.objects.filter(pk__in=users).order_by("username")
        types = events.order_by("object_type").values_list("object_type", flat=True).distinct()
        kinds = cast(forms.ChoiceField, self.fields["type"])
        kinds.choices = [("", "tous"), *((t, type_label(t)) for t in types)]

    def filter(self, events: QuerySet[AuditEvent]) -> QuerySet[AuditEvent]:
        if not self.is_valid():
            return events
        data = self.cleaned_data
        if data["utilisateur"]:
            events = events.filter(user=data["utilisateur"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["type"]:
            events = events.filter(object_type=data["type"])
        if data["du"]:
            events = events.filter(at__date__gte=data["du"])
        if data["au"]:
            events = events.filter(at__date__lte=data["au"])
        return events


@require_GET
@member_required(Capability.VIEW_AUDIT)
def index(request: CommuneRequest) -> HttpResponse:
    """Entries of this commune only, newest first; nothing on this page can change them."""
    events = AuditEvent.objects.filter(commune=request.commune)
    form = AuditFilterForm(request.GET or None, events=events)
    filtered = form.filter(events).select_related("user")
    page = Paginator(filtered, PAGE_SIZE).get_page(request.GET.get("page"))
    for event in page.object_list:
        event.type_label = type_label(event.object_type)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "audit/index.html",
        {"form": form, "page": page, "query": query.urlencode(), "total": page.paginator.count},
    )


app_name = "audit"
urlpatterns = [
    path("", index, name="index"),
]
