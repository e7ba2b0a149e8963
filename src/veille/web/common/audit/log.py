"""Write to the audit log from a view: ``audit.log.record(request, Action.VIEW, child)``."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.http import HttpRequest

from .models import Action, AuditEvent

if TYPE_CHECKING:
    from veille.web.common.territories.models import Commune


def client_ip(request: HttpRequest) -> str | None:
    """The client's address; behind the reverse proxy (``VEILLE_BEHIND_PROXY=1``), the last address
    of ``X-Forwarded-For``, the one the proxy itself added (the earlier ones are the client's word)."""
    if settings.BEHIND_PROXY:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if forwarded:
            return forwarded[-1]
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest | None,
    action: Action,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    detail: str = "",
    commune: Commune | None = None,
    shown: Iterable[object] = (),
) -> AuditEvent:
    """Append one entry. ``detail`` must hold no personal data (no name, no birth date); ``shown``
    lists the identifiers of the records a list displayed."""
    user = request.user if request is not None and request.user.is_authenticated else None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        commune = commune or getattr(obj, "commune", None)
    if commune is None and request is not None:
        commune = getattr(request, "commune", None)
    return AuditEvent.objects.create(
        user=user,
        commune=commune,
        action=action,
        object_type=object_type,
        object_id=object_id,
        detail=detail[:300],
        ip=client_ip(request) if request is not None else None,
        shown=",".join(str(i) for i in shown),
    )
