"""The menus of every page, built once: which links a role sees, and which one is the current page.

The current item is the one whose address is the longest prefix of the page's address (« À vérifier »
under /imports/a-verifier/ rather than « Fichiers » under /imports/), the home page only when it is the
page itself. Base.html marks it ``aria-current="page"`` and names it in the breadcrumbs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest

from veille.web.common.links import cached_reverse


@dataclass
class MenuItem:
    label: str
    url: str
    current: bool = False


#: the cell's menu: (label, URL name, capabilities of which one is enough), in two groups
CELL_WORK = (
    ("Accueil", "cellule:home", ()),
    ("Enfants", "children:index", ("view_children",)),
    ("Fichiers", "imports:index", ("import_files",)),
    ("À vérifier", "imports:review", ("review_matches",)),
    ("Dossiers", "cases:index", ("view_cases", "view_transmitted_cases")),
    ("À traiter", "cases:todo", ("edit_cases",)),
    ("Réunions", "meetings:index", ("view_meetings",)),
    ("Indicateurs", "indicators:index", ("view_indicators",)),
    ("Modèles de courriers", "documents:templates", ("edit_templates",)),
)
CELL_MANAGEMENT = (
    ("Exports", "protection:exports", ("export_data",)),
    ("Droit d'accès", "protection:right_of_access_search", ("right_of_access",)),
    ("Suppression des données", "protection:purge", ("purge",)),
    ("Membres", "members:index", ("manage_members",)),
    ("Journal des accès", "audit:index", ("view_audit",)),
)


def _items(entries: tuple, caps: set[str], **kwargs: str) -> list[MenuItem]:
    items = []
    for label, name, needed in entries:
        if needed and not caps.intersection(needed):
            continue
        url = cached_reverse(name, **kwargs)
        if url is not None:
            items.append(MenuItem(label, url))
    return items


def mark_current(path: str, *groups: list[MenuItem], home: str = "") -> MenuItem | None:
    """Mark and return the item of ``path``: the longest address that starts it (home: only itself)."""
    best: MenuItem | None = None
    for item in (i for group in groups for i in group):
        if item.url == home and path != home:
            continue
        if path.startswith(item.url) and (best is None or len(item.url) > len(best.url)):
            best = item
    if best is not None:
        best.current = True
    return best


def cell_menu(request: HttpRequest, caps: set[str]) -> dict[str, object]:
    commune = getattr(request, "commune", None)
    if commune is None or not request.user.is_authenticated:
        return {}
    work = _items(CELL_WORK, caps, commune=commune.slug)
    management = _items(CELL_MANAGEMENT, caps, commune=commune.slug)
    home = cached_reverse("cellule:home", commune=commune.slug) or ""
    section = mark_current(request.path, work, management, home=home)
    return {
        "menu_work": work,
        "menu_management": management,
        "menu_section": section,
        "institution_home": home,
    }
