"""The door into a cité's pages: the common gate (``web.common.access``) with the cité's seats."""

from __future__ import annotations

from typing import TYPE_CHECKING

from veille.web.common.access import Place, gate
from veille.web.common.accounts.access import AuthenticatedRequest

from .models import CiteMembership

if TYPE_CHECKING:
    from .models import Cite


class CiteRequest(AuthenticatedRequest):
    """A request past ``cite_member_required``: the gate has set the cité and the member's seat.

    Only for annotations: Django builds a plain ``HttpRequest``.
    """

    cite: Cite
    cite_membership: CiteMembership


#: ``@cite_member_required(CiteCapability.VALIDATE_ACTIONS)``: members of the cité named in the URL
#: holding every capability given; the view gets ``request.cite`` and ``request.cite_membership``.
cite_member_required = gate(
    Place(
        url_kwarg="cite",
        seats=CiteMembership.objects.for_user,
        seat_attribute="cite_membership",
        unknown="Cité inconnue.",
        refused="Votre rôle dans la cité ne permet pas cette action.",
    )
)
