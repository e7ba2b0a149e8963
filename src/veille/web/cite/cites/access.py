"""The one door into a cité's pages: membership of the cité first, then the role's capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import CiteMembership
from .roles import CiteCapability

View = Callable[..., HttpResponse]


def cite_member_required(*capabilities: CiteCapability) -> Callable[[View], View]:
    """Let in members of the cité named in the URL who hold every capability given.

    The view receives the request with ``request.cite`` and ``request.cite_membership`` set, and no
    longer the ``cite`` URL argument. A non-member gets a 404, as if the cité did not exist; a member
    without the capability gets a 403.

    Example:
        >>> @cite_member_required(CiteCapability.VALIDATE_ACTIONS)
        ... def validate(request, pk): ...
    """

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, cite: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = CiteMembership.objects.for_user(request.user).filter(cite__slug=cite).first()
            if membership is None:
                raise Http404("Cité inconnue.")
            if not all(membership.can(c) for c in capabilities):
                raise PermissionDenied("Votre rôle dans la cité ne permet pas cette action.")
            request.cite_membership = membership  # type: ignore[attr-defined]
            request.cite = membership.cite  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
