"""Schools whose pupils vanished since last month: a schooling file missing, most likely.

A department's extraction holds hundreds of school files. Leave one out of a month's crossing and
every child schooled there comes out « nouvellement sans scolarité connue », ready for the mayor's
letters. The monthly update compares each school's records (same source, same UAI; a source's
records without UAI, such as the CNED's, count as one school) with last month's, and names the
schools that lost most of them, so that the agent checks the files before acting on those children.

The thresholds are Veille's own reading of what a month changes (a school rarely loses half its
pupils between two monthly lists), not a rule of the Code de l'éducation.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import pandas as pd

#: a school is looked at from this many records last month (fewer, and a few departures are half)
MIN_RECORDS = 20
#: it is named when this month it keeps less than this share of last month's records
KEPT_SHARE = 0.5


@dataclass(frozen=True)
class VanishedSchool:
    """A school with far fewer records than last month (``vanished_schools``).

    Attributes:
        source: ``ONDE``, ``SIECLE``, ``PRIVE``…
        uai: the school's UAI (empty for the source's records without one).
        etablissement: its name as last month's files gave it (may be empty).
        before: its records last month.
        now: its records this month.
    """

    source: str
    uai: str
    etablissement: str
    before: int
    now: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def message(self) -> str:
        """What the agent reads (French)."""
        if self.uai:
            name = f" ({self.etablissement})" if self.etablissement else ""
            school = f"l'établissement {self.uai}{name}, source {self.source},"
        else:
            school = f"la source {self.source} (inscriptions sans UAI)"
        if self.now == 0:
            count = "n'en compte aucune ce mois-ci : son fichier manque sans doute"
        else:
            count = f"n'en compte que {self.now} ce mois-ci : son fichier est peut-être incomplet"
        return (
            f"{school[:1].upper()}{school[1:]} comptait {self.before} inscriptions le mois dernier et "
            f"{count}. Les enfants qui y étaient inscrits apparaissent « nouvellement sans scolarité "
            "connue » : vérifiez les fichiers de scolarité avant d'agir pour eux (ajoutez le fichier "
            "manquant et relancez le croisement)."
        )


def vanished_schools(before: pd.DataFrame, now: pd.DataFrame) -> list[VanishedSchool]:
    """The schools of ``before`` (last month's records: ``MonthlyState.records``) that kept less than
    ``KEPT_SHARE`` of their records in ``now`` (this month's schooling table), largest loss first.

    A state written before Veille kept each record's UAI says nothing: no school is named.
    """
    if "uai" not in before or "uai" not in now:
        return []
    kept = _counts(now)
    found = []
    for (source, uai), count in _counts(before).items():
        left = kept.get((source, uai), 0)
        if count >= MIN_RECORDS and left < KEPT_SHARE * count:
            found.append(VanishedSchool(source, uai, _name(before, source, uai), count, left))
    return sorted(found, key=lambda school: (school.now - school.before, school.source, school.uai))


def _counts(records: pd.DataFrame) -> dict[tuple[str, str], int]:
    """Records per school, counted on the distinct (source, UAI) of the table (a hundred thousand
    records, a few hundred schools): the UAI is compared whatever its case and spaces."""
    counts: dict[tuple[str, str], int] = {}
    pairs = pd.DataFrame({"source": records["source"], "uai": records["uai"]}).value_counts(dropna=False)
    for (source, uai), count in pairs.items():
        key = (_text(source), _text(uai).upper())
        counts[key] = counts.get(key, 0) + int(count)
    return counts


def _name(records: pd.DataFrame, source: str, uai: str) -> str:
    """The school's most frequent name last month (empty if none was given)."""
    if "etablissement" not in records:
        return ""
    uais = records["uai"].astype(object).fillna("").astype(str).str.strip().str.upper()
    sources = records["source"].astype(object).fillna("").astype(str).str.strip()
    names = records.loc[(sources == source) & (uais == uai), "etablissement"].astype(object).fillna("")
    names = names[names.astype(str).str.strip() != ""].astype(str).str.strip()
    return str(names.mode().iloc[0]) if len(names) else ""


def _text(value: object) -> str:
    return "" if value is None or pd.isna(value) else str(value).strip()
