"""The layout keeps its promises: two wings on a common ground, arrows pointing down, drawn in the docs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "veille"
WEB = SRC / "web"
ARCHITECTURE = Path(__file__).resolve().parents[1] / "docs" / "architecture.md"

# What each part may not import: a wing never imports the other, the ground imports no wing,
# and the engine imports nothing of the web.
FORBIDDEN = {
    WEB / "cellule": ("veille.web.cite", "veille.web.demo"),
    WEB / "cite": ("veille.web.cellule", "veille.web.demo"),
    WEB / "common": ("veille.web.cellule", "veille.web.cite", "veille.web.demo"),
    SRC / "matching": ("veille.web", "django"),
    SRC / "sources": ("veille.web", "django"),
    SRC / "identity": ("veille.web", "django"),
    SRC / "synth": ("veille.web", "django"),
}


def _imports(path: Path) -> list[str]:
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
        elif isinstance(node, ast.Import):
            names.extend(n.name for n in node.names)
    return names


@pytest.mark.parametrize("part", sorted(FORBIDDEN), ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_imports_upwards_or_across_the_wings(part):
    wrong = [
        f"{path.relative_to(SRC)} importe {name}"
        for path in part.rglob("*.py")
        for name in _imports(path)
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[part])
    ]
    assert not wrong, "\n".join(wrong)


def test_every_django_app_lives_in_a_wing_or_the_common_ground():
    apps = {p.parent for p in WEB.rglob("apps.py")}
    homes = {WEB / "common", WEB / "cellule", WEB / "cite", WEB / "demo"}
    assert apps and all(app.parent in homes or app in homes for app in apps), sorted(map(str, apps))


def test_the_architecture_page_draws_every_folder_of_the_package():
    page = ARCHITECTURE.read_text(encoding="utf-8")
    folders = [
        p
        for p in SRC.rglob("*")
        if p.is_dir()
        and (p / "__init__.py").exists()
        and "migrations" not in p.parts
        and "templatetags" not in p.parts
        and "management" not in p.parts
        and "commands" not in p.parts
    ]
    missing = [str(p.relative_to(SRC)) for p in folders if f"{p.name}/" not in page]
    assert not missing, "Dossiers absents de docs/architecture.md : " + ", ".join(missing)
