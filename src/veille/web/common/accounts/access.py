"""The door into a commune's pages: the common gate (``web.common.access``) with the cell's seats."""

from __future__ import annotations

from veille.web.common.access import Place, gate

from .models import Membership

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
