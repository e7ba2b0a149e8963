"""Search and sort names as a person reads them: « ismael » finds « Ismaël », « ait » finds « Aït »,
« benali » finds « Ben Ali », and « d'Arc » sorts with « Dupont », not after every capital.

``Fold(expression)`` is the same function on SQLite (a Python function registered on each connection)
and on PostgreSQL (``translate`` of the lowered text): no column to keep in step, no extension to install.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any, TypeVar

from django.db.models import CharField, Func, Q, QuerySet

#: what folding removes between letters: spaces, hyphens, apostrophes, dots
_SEPARATORS = " -'’.\u00a0"
#: ligatures, which Unicode decomposition leaves whole
_LIGATURES = {"œ": "oe", "æ": "ae", "ß": "ss"}
#: the accented lower-case letters of French and the usual names, for PostgreSQL's ``translate``
_ACCENTED = "àáâãäåāçćčèéêëēėęìíîïīłñńòóôõöøōùúûüūýÿžźż"


# Remembered: the children's list sorts every child of the commune by its folded names on each request
# (SQLite calls back into Python for each row), and the same names come back request after request.
@functools.lru_cache(maxsize=65_536)
def fold(text: str | None) -> str:
    """Lower case, no accents, no separators.

    Example:
        >>> fold("Aït-Ben Ali"), fold("ISMAËL"), fold("Lætitia d'Œuf")
        ('aitbenali', 'ismael', 'laetitiadoeuf')
    """
    if not text:
        return ""
    lowered = text.lower()
    for ligature, letters in _LIGATURES.items():
        lowered = lowered.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", lowered)
    return "".join(c for c in decomposed if not unicodedata.combining(c) and c not in _SEPARATORS)


_PLAIN = "".join(fold(c) for c in _ACCENTED)
assert len(_PLAIN) == len(_ACCENTED), "chaque lettre accentuée se replie en une seule lettre"


class Fold(Func):
    """``fold()`` in SQL, for filters and ordering."""

    output_field = CharField()
    function = "veille_fold"
    arity = 1

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        text = f"LOWER(COALESCE({sql}, ''))"
        for ligature, letters in _LIGATURES.items():
            text = f"REPLACE({text}, '{ligature}', '{letters}')"
        # translate() drops the characters of its second argument that have no counterpart in the third.
        separators = _SEPARATORS.replace("'", "''")
        return f"TRANSLATE({text}, '{_ACCENTED}{separators}', '{_PLAIN}')", params


def register_sqlite_fold(sender: Any, connection: Any, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        connection.connection.create_function("veille_fold", 1, fold, deterministic=True)


#: the queryset searched, of whatever model and queryset class: it comes back as it went in
_Rows = TypeVar("_Rows", bound=QuerySet[Any])


def search_names(queryset: _Rows, query: str, *fields: str) -> _Rows:
    """Keep the rows where every word of ``query`` is found, folded, in one of ``fields`` folded."""
    words = [w for w in (fold(word) for word in query.split()) if w]
    if not words:
        return queryset
    queryset = queryset.alias(**{f"_fold_{f}": Fold(f) for f in fields})
    for word in words:
        condition = Q()
        for field in fields:
            condition |= Q(**{f"_fold_{field}__contains": word})
        queryset = queryset.filter(condition)
    return queryset
