"""The door into a commune's pages: the common gate (``web.common.access``) with the cell's seats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

from veille.web.common.access import Place, gate

from .models import Membership

if TYPE_CHECKING:
    from veille.web.common.territories.models import Commune

    from .models import User


class AuthenticatedRequest(HttpRequest):
    """A request past ``login_required``: its user is a person, never the anonymous one.

    Only for annotations (django-stubs' advice): Django builds a plain ``HttpRequest``.
    """

    user: User


class CommuneRequest(AuthenticatedRequest):
    """A request past ``member_required``: the gate has set the commune and the member's seat."""

    commune: Commune
    membership: Membership


#: ``@member_required(Capability.VIEW_CASES)``: members of the commune named in the URL holding every
#: capability given; the view gets ``request.commune`` and ``request.membership``.
member_required = gate(
    Place(
        url_kwarg="commune",
        seats=Membership.objects.for_user,
        seat_attribute="membership",
        unknown="Commune inconnue.",
        refused="Votre rôle ne permet pas cette action.",
    )
)
