"""Row validation, vectorised: one pass per column, Python work only per distinct value or bad row."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from veille.columns import CHILD_COLUMNS, CHILD_ORGANISATIONS, SCHOOLING_COLUMNS, SCHOOLING_SOURCES
from veille.distinct import per_distinct_text
from veille.sources import limits
from veille.sources.dates import NOT_A_DATE, iso_dates
from veille.sources.problems import Problem
from veille.sources.values import (
    ORGANISATION_VALUES,
    SEX_HINT,
    SEX_VALUES,
    SOURCE_VALUES,
    normalise_value,
    organisation_from_name,
    source_from_name,
)

#: Birth dates before this one are refused (no child subject to compulsory instruction was born then).
EARLIEST_BIRTH_DATE = datetime.date(1990, 1, 1)


@dataclass(frozen=True)
class Kind:
    """What differs between a children file and a schooling file."""

    label: str  # "enfants" / "scolarité", for messages
    columns: tuple[str, ...]
    #: column naming where the row comes from (organisme / source), inferable from the file name
    category: str
    category_values: dict[str, str]
    category_hint: str
    category_from_name: Callable[[str], list[str]]
    required: tuple[str, ...]


CHILDREN = Kind(
    label="enfants",
    columns=CHILD_COLUMNS,
    category="organisme",
    category_values=ORGANISATION_VALUES,
    category_hint=", ".join(CHILD_ORGANISATIONS),
    category_from_name=organisation_from_name,
    required=("identifiant", "nom", "prenoms", "date_naissance"),
)

SCHOOLING = Kind(
    label="scolarité",
    columns=SCHOOLING_COLUMNS,
    category="source",
    category_values=SOURCE_VALUES,
    category_hint=", ".join(SCHOOLING_SOURCES),
    category_from_name=source_from_name,
    required=("identifiant", "nom", "prenoms", "date_naissance"),
)


_FOUR_DIGITS = re.compile(r"\d{4}")


def _map_vocabulary(values: pd.Series, vocabulary: dict[str, str]) -> pd.Series:
    """Each value's canonical spelling, ``""`` for an empty cell, ``None`` for an unknown value."""
    codes, uniques = pd.factorize(values, sort=False)
    if len(uniques) == 0:
        return pd.Series([], index=values.index, dtype=object)
    mapped = np.array(
        [vocabulary.get(normalise_value(value)) if value != "" else "" for value in uniques], dtype=object
    )
    return pd.Series(mapped[codes], index=values.index, dtype=object)


class _Collector:
    """Gathers problems and the rows they make invalid."""

    def __init__(self, fichier: str, lines: np.ndarray, size: int) -> None:
        self.fichier = fichier
        self.lines = lines
        self.bad = np.zeros(size, dtype=bool)
        self.problems: list[Problem] = []

    def add(self, mask: np.ndarray, column: str | None, values: pd.Series | None, message: str) -> None:
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        self.bad[positions] = True
        texts = values.to_numpy(dtype=object)[positions] if values is not None else [None] * len(positions)
        for position, value in zip(positions, texts, strict=True):
            self.problems.append(Problem(self.fichier, int(self.lines[position]), column, value, message))

    def add_each(self, mask: np.ndarray, column: str, values: pd.Series, messages: pd.Series) -> None:
        positions = np.flatnonzero(mask)
        if len(positions) == 0:
            return
        self.bad[positions] = True
        texts = values.to_numpy(dtype=object)[positions]
        notes = messages.to_numpy(dtype=object)[positions]
        for position, value, note in zip(positions, texts, notes, strict=True):
            self.problems.append(Problem(self.fichier, int(self.lines[position]), column, value, str(note)))


def validate(
    frame: pd.DataFrame,
    kind: Kind,
    fichier: str,
    bad_lines: dict[int, str],
    today: datetime.date | None = None,
) -> tuple[pd.DataFrame, list[Problem], np.ndarray]:
    """Check and normalise the canonical columns of one file.

    ``frame`` holds the canonical columns (stripped strings) and ``ligne``. Returns the normalised
    frame (all rows, modified in place), the problems, and the mask of invalid rows.
    """
    lines = frame["ligne"].to_numpy()
    collector = _Collector(fichier, lines, len(frame))
    out = frame

    if bad_lines:
        shape_bad = frame["ligne"].isin(list(bad_lines)).to_numpy()
        for position in np.flatnonzero(shape_bad):
            line = int(lines[position])
            collector.bad[position] = True
            collector.problems.append(Problem(fichier, line, None, None, bad_lines[line]))

    identifiers = frame["identifiant"]
    empty_id = identifiers.to_numpy() == ""
    collector.add(empty_id, "identifiant", identifiers, "identifiant vide : chaque ligne doit en avoir un")
    collector.add(
        frame["nom"].to_numpy() == "", "nom", frame["nom"], "nom vide : chaque ligne doit en avoir un"
    )

    # Values longer than the database keeps (PostgreSQL would refuse them at confirmation).
    for column, mask, limit in limits.overlong_cells(frame):
        collector.add(
            mask,
            column,
            None,
            f"valeur trop longue : plus de {limit} caractères, le maximum pour cette colonne ; vérifiez "
            "que les colonnes ne sont pas décalées, ou raccourcissez la valeur dans le fichier source",
        )

    # Birth date: format, then plausibility, decided once per distinct date and spread to the rows.
    raw_dates = frame["date_naissance"]
    codes, uniques = pd.factorize(raw_dates, sort=False)
    distinct = np.asarray(uniques, dtype=object)
    # A missing cell (code -1) reads as an extra last value: not empty, not a date.
    codes = np.where(codes < 0, len(distinct), codes)
    iso = np.append(iso_dates(distinct), "")
    parsed = (iso != "")[codes]
    empty_date = np.append(distinct == "", False)[codes]
    not_a_date = ~parsed & ~empty_date
    collector.add(empty_date, "date_naissance", raw_dates, "date de naissance vide : elle est obligatoire")
    collector.add(not_a_date, "date_naissance", raw_dates, NOT_A_DATE)
    today_iso = (today or datetime.date.today()).isoformat()
    too_old = parsed & (iso < EARLIEST_BIRTH_DATE.isoformat())[codes]
    future = parsed & (iso > today_iso)[codes]
    collector.add(
        too_old,
        "date_naissance",
        raw_dates,
        f"est antérieure au {EARLIEST_BIRTH_DATE:%d/%m/%Y} : ce n'est pas la date de naissance d'un enfant "
        "soumis à l'obligation d'instruction, vérifiez-la",
    )
    collector.add(future, "date_naissance", raw_dates, "est dans le futur : vérifiez la date de naissance")
    out["date_naissance"] = pd.Series(
        np.where(parsed, iso[codes], raw_dates.to_numpy(dtype=object)), index=frame.index, dtype=object
    )

    # Sex: M, F or empty.
    sexes = frame["sexe"]
    mapped_sex = _map_vocabulary(sexes, SEX_VALUES)
    unknown_sex = mapped_sex.isna().to_numpy()
    collector.add(unknown_sex, "sexe", sexes, f"n'est pas un sexe reconnu ({SEX_HINT})")
    out["sexe"] = mapped_sex.where(~unknown_sex, sexes)

    # Organisation (children) or source (schooling).
    category = kind.category
    categories = frame[category]
    mapped_category = _map_vocabulary(categories, kind.category_values)
    empty_category = categories.to_numpy() == ""
    unknown_category = mapped_category.isna().to_numpy()
    noun = "organisme" if category == "organisme" else "source"
    collector.add(
        empty_category,
        category,
        categories,
        f"{noun} vide : valeurs acceptées {kind.category_hint}",
    )
    collector.add(
        unknown_category,
        category,
        categories,
        f"n'est pas {'un organisme reconnu' if noun == 'organisme' else 'une source reconnue'} "
        f"(valeurs acceptées : {kind.category_hint})",
    )
    out[category] = mapped_category.where(~unknown_category, categories)

    # Postal code: a spreadsheet number loses the leading zero of 01000.
    postal = out["code_postal"]
    out["code_postal"] = pd.Series(
        per_distinct_text(postal, lambda code: "0" + code if _FOUR_DIGITS.fullmatch(code) else code),
        index=postal.index,
        dtype=object,
    )

    # Duplicated identifier: each repeat names the line where the identifier first appeared.
    duplicated = identifiers.duplicated(keep="first").to_numpy() & ~empty_id
    if duplicated.any():
        first_lines = pd.Series(lines[~duplicated & ~empty_id], index=identifiers[~duplicated & ~empty_id])
        firsts = identifiers[duplicated].map(first_lines)
        messages = pd.Series("", index=identifiers.index, dtype=object)
        messages[duplicated] = "identifiant en double : il apparaît déjà ligne " + firsts.astype(str)
        collector.add_each(duplicated, "identifiant", identifiers, messages)

    order = {column: rank for rank, column in enumerate(kind.columns)}
    problems = sorted(
        collector.problems,
        key=lambda problem: (
            problem.ligne or 0,
            -1 if problem.colonne is None else order.get(problem.colonne, 99),
        ),
    )
    return out, problems, collector.bad
