"""The glossary names identifiers that exist: a term renamed in the code must be renamed there too."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "docs" / "glossaire.md"
CODE_SUFFIXES = {".py", ".html", ".csv", ".json", ".txt"}


def _identifiers() -> list[tuple[str, str]]:
    """(term, identifier) for each backticked name in the identifier column of the glossary's tables."""
    found = []
    for line in GLOSSARY.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or set(cells[0]) <= {"-", " "} or cells[-1] == "identifiant":
            continue
        for name in re.findall(r"`([^`]+)`", cells[-1]):
            found.append((cells[0], name))
    return found


def _words(name: str) -> list[str]:
    """The words a backticked name stands for: ``Status.MATCHED`` → Status, MATCHED; ``cross()`` → cross."""
    name = re.sub(r"\(.*?\)", "", name)
    name = name.split("=")[-1].strip("\"' ")
    return [w for w in re.split(r"[.\s/:,]+", name) if w]


def _code_text() -> str:
    files = [p for p in (ROOT / "src").rglob("*") if p.suffix in CODE_SUFFIXES and p.is_file()]
    files += [p for p in (ROOT / "bench").rglob("*.py")]
    return "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in files)


def test_the_glossary_has_identifiers_to_check():
    assert len(_identifiers()) > 50


def test_every_identifier_named_in_the_glossary_exists_in_the_code():
    code = _code_text()
    missing = sorted(
        {
            f"{term} → `{name}`"
            for term, name in _identifiers()
            for word in _words(name)
            if not re.search(rf"(?<![\w]){re.escape(word)}(?![\w])", code)
        }
    )
    assert not missing, "Identifiants du glossaire absents du code :\n" + "\n".join(missing)
