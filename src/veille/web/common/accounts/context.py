from __future__ import annotations

from django.http import HttpRequest

from .roles import PERMISSIONS, Role


def membership(request: HttpRequest) -> dict[str, object]:
    """``commune``, ``membership`` and ``caps`` (capability names) for the templates' menus."""
    current = getattr(request, "membership", None)
    caps = {c.value for c in PERMISSIONS[Role(current.role)]} if current is not None else set()
    return {"commune": getattr(request, "commune", None), "membership": current, "caps": caps}
