"""What the Cité éducative may read of a cell: its indicators for one school year, small counts masked.

The two wings never import each other. The cell wing provides the figures (its indicators app registers
a provider when Django loads it); the Cité wing asks for them here. Only masked counts cross: no child,
no case, nothing a count of 1 to 4 could give away.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from veille.compulsory import SchoolYear

#: ``(period label, [(indicator label, masked value)])`` for one commune and one school year.
MaskedFigures = tuple[str, list[tuple[str, int | str]]]
Provider = Callable[[Any, SchoolYear], MaskedFigures]

_provider: Provider | None = None


def register(provider: Provider) -> None:
    """Called once by the cell wing's indicators app when it is ready."""
    global _provider
    _provider = provider


def masked_indicators(commune: Any, year: SchoolYear) -> MaskedFigures:
    """The cell's indicators of ``commune`` over ``year``, each count masked as anything leaving the cell.

    Raises:
        RuntimeError: when the cell wing is not installed (the Cité can run without it).
    """
    if _provider is None:
        raise RuntimeError("Les indicateurs de la cellule ne sont pas disponibles (application absente).")
    return _provider(commune, year)
