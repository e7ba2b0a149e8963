"""Write to the audit log from a view: ``audit.log.record(request, Action.VIEW, child)``."""

from __future__ import annotations

from django.db import models
from django.http import HttpRequest

from .models import Action, AuditEvent


def client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def record(
    request: HttpRequest | None,
    action: Action,
    obj: models.Model | None = None,
    *,
    object_type: str = "",
    object_id: str = "",
    detail: str = "",
    commune: models.Model | None = None,
) -> AuditEvent:
    """Append one entry. ``detail`` must hold no personal data (no name, no birth date)."""
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
    )
