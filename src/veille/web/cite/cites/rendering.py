"""Render a cité page with what base.html and the cité's menu need."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.shortcuts import render

from veille.web.cite.cites.access import CiteRequest

from .roles import CITE_PERMISSIONS, CiteRole


def render_cite(
    request: CiteRequest, template: str, context: dict[str, Any] | None = None, **kwargs: Any
) -> HttpResponse:
    """``render`` plus ``cite``, ``cite_membership`` and ``cite_caps`` (capability values)."""
    membership = request.cite_membership
    caps = {c.value for c in CITE_PERMISSIONS[CiteRole(membership.role)]} if membership.active else set()
    return render(
        request,
        template,
        {"cite": request.cite, "cite_membership": membership, "cite_caps": caps, **(context or {})},
        **kwargs,
    )
