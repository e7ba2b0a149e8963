"""Refused attempts go to the audit log: they are what an auditor looks for.

A view that raises ``Http404`` (another commune's object, a place the person does not sit in) or
``PermissionDenied`` (a role without the capability) leaves one entry: who, when, the URL pattern's
name and its identifiers. The query string is left out (a search may carry a name), and so are
download tokens (a secret).
"""

from __future__ import annotations

from collections.abc import Callable

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from veille.web.common.territories.models import Commune

from .log import record
from .models import Action

SECRET_KWARGS = frozenset({"token"})


class RefusalAudit:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if not isinstance(exception, Http404 | PermissionDenied) or not request.user.is_authenticated:
            return None
        match = request.resolver_match
        kwargs = dict(match.kwargs) if match is not None else {}
        shown = {k: ("…" if k in SECRET_KWARGS else v) for k, v in kwargs.items()}
        name = match.view_name if match is not None else ""
        status = 404 if isinstance(exception, Http404) else 403
        where = " ".join(f"{k}={v}" for k, v in sorted(shown.items()))
        commune = Commune.objects.filter(slug=kwargs["commune"]).first() if "commune" in kwargs else None
        record(
            request,
            Action.REFUSED,
            object_type="page",
            object_id=name[:64],
            detail=f"{status} {request.method} {name} {where}".strip(),
            commune=commune,
        )
        return None
