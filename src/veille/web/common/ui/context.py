from __future__ import annotations

from django.http import HttpRequest

from veille.web.common.accounts.context import membership

from .navigation import cell_menu


def navigation(request: HttpRequest) -> dict[str, object]:
    """The cell's menu with its current item (``menu_work``, ``menu_management``, ``menu_section``)."""
    caps = membership(request)["caps"]
    return cell_menu(request, caps if isinstance(caps, set) else set())
