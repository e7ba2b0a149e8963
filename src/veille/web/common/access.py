"""The one access gate of both wings: membership of the place named in the URL, then the role's capability.

A place is a commune (the cell's pages) or a cité (the Cité éducative's pages). Each wing declares its
gate with :func:`gate`, naming the URL argument, where memberships live and which request attributes
the view receives; the checks, their order and their answers are the same for both:

- an anonymous visitor goes to the login page;
- a person who does not sit in that place gets a 404, as if it did not exist, so that guessing
  addresses teaches nothing;
- a member whose role lacks one of the capabilities gets a 403.

Both refusals are written to the audit log by ``audit.middleware.RefusalAudit``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any, Protocol

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]


class Seat(Protocol):
    """A membership row: one person, one place, one role."""

    def can(self, capability: Any) -> bool: ...


@dataclass(frozen=True)
class Place:
    """How one wing names its places and seats.

    Attributes:
        url_kwarg: the URL argument holding the place's slug (``commune``, ``cite``); it is also the
            membership's field naming the place and the request attribute the view reads it from.
        seats: the wing's ``for_user(user)``: the person's active memberships.
        seat_attribute: the request attribute the view reads the membership from (``membership``).
        unknown: the 404 message; refused: the 403 message.
    """

    url_kwarg: str
    seats: Callable[[Any], models.QuerySet[Any]]
    seat_attribute: str
    unknown: str
    refused: str

    def seat_of(self, user: Any, slug: str) -> Any:
        return self.seats(user).filter(**{f"{self.url_kwarg}__slug": slug}).first()


def gate(place: Place) -> Callable[..., Callable[[View], View]]:
    """The decorator factory of one wing: ``@factory(*capabilities)`` on a view.

    The view receives the request with the place and the membership set as attributes, and no longer
    the place's URL argument.

    Example:
        >>> member_required = gate(Place(url_kwarg="commune", seats=..., seat_attribute="membership", ...))
        >>> @member_required(Capability.VIEW_CASES)
        ... def case_list(request): ...
    """

    def required(*capabilities: Any) -> Callable[[View], View]:
        def decorator(view: View) -> View:
            @wraps(view)
            @login_required
            def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
                slug = kwargs.pop(place.url_kwarg)
                seat = place.seat_of(request.user, slug)
                if seat is None:
                    raise Http404(place.unknown)
                if not all(seat.can(c) for c in capabilities):
                    raise PermissionDenied(place.refused)
                setattr(request, place.seat_attribute, seat)
                setattr(request, place.url_kwarg, getattr(seat, place.url_kwarg))
                return view(request, *args, **kwargs)

            return wrapper

        return decorator

    return required
