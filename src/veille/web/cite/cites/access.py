"""The door into a cité's pages: the common gate (``web.common.access``) with the cité's seats."""

from __future__ import annotations

from veille.web.common.access import Place, gate

from .models import CiteMembership

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
