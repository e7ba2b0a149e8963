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


# Two apps that import each other, each with why it stays: the crossing writes the children, and the
# children's list shows each child's status in the latest crossing; the actions belong to a cité, and
# the cité's home counts its actions by status.
KNOWN_MUTUAL_IMPORTS = {("children", "imports"), ("actions", "cites")}


def _runtime_imports(path: Path) -> list[str]:
    """Absolute names imported anywhere in the module (functions too), but not for type checking only."""
    package = ".".join(path.relative_to(SRC.parent).with_suffix("").parts[:-1])
    names = []

    def visit(node: ast.AST) -> None:
        if (
            isinstance(node, ast.If)
            and getattr(node.test, "id", getattr(node.test, "attr", "")) == "TYPE_CHECKING"
        ):
            return
        if isinstance(node, ast.Import):
            names.extend(n.name for n in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
            module = node.module if not node.level else ".".join(filter(None, (base, node.module)))
            # ``from veille.web.cite import actions`` names the app in what it imports, not in the module.
            names.extend([module, *(f"{module}.{n.name}" for n in node.names)])
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text(encoding="utf-8")))
    return names


def test_no_two_django_apps_import_each_other_but_the_known_pairs():
    apps = {".".join(p.parent.relative_to(SRC.parent).parts) for p in WEB.rglob("apps.py")}

    def app_of(name: str) -> str | None:
        owners = [a for a in apps if name == a or name.startswith(a + ".")]
        return max(owners, key=len) if owners else None

    edges = {
        (app_of(".".join(path.relative_to(SRC.parent).with_suffix("").parts)), app_of(name))
        for path in WEB.rglob("*.py")
        if "migrations" not in path.parts
        for name in _runtime_imports(path)
    }
    mutual = {
        tuple(sorted((a.rsplit(".", 1)[1], b.rsplit(".", 1)[1])))
        for a, b in edges
        if a and b and a < b and (b, a) in edges
    }
    assert mutual == KNOWN_MUTUAL_IMPORTS, f"Applications qui s'importent l'une l'autre : {sorted(mutual)}"
