"""The one door into a commune's pages: membership first, then the role's capability."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from .models import Membership
from .roles import Capability

View = Callable[..., HttpResponse]


def member_required(*capabilities: Capability) -> Callable[[View], View]:
    """Let in members of the commune named in the URL who hold every capability given.

    The view receives the request with ``request.commune`` and ``request.membership`` set, and no
    longer the ``commune`` URL argument. A non-member gets a 404, as if the commune did not exist, so
    that guessing addresses teaches nothing; a member without the capability gets a 403.

    Example:
        >>> @member_required(Capability.VIEW_CASES)
        ... def case_list(request): ...
    """

    def decorator(view: View) -> View:
        @wraps(view)
        @login_required
        def wrapper(request: HttpRequest, commune: str, *args: Any, **kwargs: Any) -> HttpResponse:
            membership = Membership.objects.for_user(request.user).filter(commune__slug=commune).first()
            if membership is None:
                raise Http404("Commune inconnue.")
            if not all(membership.can(c) for c in capabilities):
                raise PermissionDenied("Votre rôle ne permet pas cette action.")
            request.membership = membership  # type: ignore[attr-defined]
            request.commune = membership.commune  # type: ignore[attr-defined]
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
