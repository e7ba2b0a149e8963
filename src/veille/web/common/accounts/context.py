from __future__ import annotations

from django.http import HttpRequest

from veille.web.common.ui.navigation import cell_menu

from .roles import PERMISSIONS, Role


def membership(request: HttpRequest) -> dict[str, object]:
    """``commune``, ``membership`` and ``caps`` (capability names) for the templates' menus."""
    current = getattr(request, "membership", None)
    caps = {c.value for c in PERMISSIONS[Role(current.role)]} if current is not None else set()
    return {"commune": getattr(request, "commune", None), "membership": current, "caps": caps}


def navigation(request: HttpRequest) -> dict[str, object]:
    """The cell's menu with its current item (``menu_work``, ``menu_management``, ``menu_section``).

    Here rather than in ``ui``: the menu follows the member's capabilities, and ``ui`` (labels,
    formats, the menu's shape) imports no account.
    """
    caps = membership(request)["caps"]
    return cell_menu(request, caps if isinstance(caps, set) else set())
