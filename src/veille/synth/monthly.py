"""The same synthetic commune one month later: the files of the next monthly update (R131-3).

From one month to the next (the 1st of each month, with the schools' *état des mutations*) a few
families arrive or leave, a few unschooled children are enrolled, a few households move within the
commune. :func:`next_month` derives month 2 from month 1 (``generate_commune``), with its truth, so
that a monthly crossing can be measured like a first one. The web demo's next-year files
(``veille.web.demo.seed.write_next_year``) are derived the same way, one school year on.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, replace

import pandas as pd

from veille.synth.generator import SyntheticCommune, generate_commune


@dataclass(frozen=True)
class MonthlyRates:
    """Shares of month 1's children concerned by each change (figures of a large city's month)."""

    arrivals: float = 0.005
    departures: float = 0.005
    #: of month 1's unschooled children
    enrolled: float = 0.10
    moved: float = 0.005


def _split(ids: str) -> list[str]:
    return [i for i in str(ids).split("|") if i]


def next_month(
    commune: SyntheticCommune, *, seed: int, rates: MonthlyRates | None = None
) -> SyntheticCommune:
    """Month 2 of ``commune``: arrivals, departures, newly enrolled children, moves within the commune.

    - departures: whole rows of the children files go, and their schooling records with them;
    - arrivals: the children of a small commune generated with another seed (its families, its
      records, its unschooled), their identifiers kept apart from month 1's;
    - newly enrolled: unschooled children of month 1 get an ONDE or SIECLE record (tag ``inscrit_ce_mois``);
    - moves: households change address in the children files (their records keep the old one, as a
      school learns of a move late: tag ``demenagement_ce_mois``).

    The truth (``statut_reel``) follows: enrolled children are ``scolarise``, arrivals bring theirs.
    """
    rates = rates or MonthlyRates()
    rng = random.Random(seed)
    children = commune.children.copy()
    truth = commune.truth.copy()
    schooling = {source: frame.copy() for source, frame in commune.schooling.items()}
    n = len(children)
    key = children["organisme"] + "|" + children["identifiant"]
    truth_key = truth["organisme"] + "|" + truth["identifiant"]

    # Departures: the child, and the records that were its own.
    leaving = set(rng.sample(range(n), max(1, round(n * rates.departures))))
    gone_keys = set(key.iloc[sorted(leaving)])
    gone_records = {
        r for ids in truth.loc[truth_key.isin(gone_keys), "identifiants_scolarite"] for r in _split(ids)
    }
    keep = ~key.isin(gone_keys)
    children, key = children[keep], key[keep]
    truth = truth[~truth_key.isin(gone_keys)]
    for source, frame in schooling.items():
        schooling[source] = frame[~frame["identifiant"].isin(gone_records)]

    # Newly enrolled: a record in the public lists, typed from the child's own row.
    truth_key = truth["organisme"] + "|" + truth["identifiant"]
    unschooled = sorted(truth.index[truth["statut_reel"] == "non_scolarise"])
    enrolled = rng.sample(unschooled, round(len(unschooled) * rates.enrolled)) if unschooled else []
    by_key = children.set_index(key)
    # Numbered after the records of earlier months' enrolments: month 3 must not give month 2's again.
    used = {i for frame in schooling.values() for i in frame["identifiant"]}
    numbers = (n for n in itertools.count(980000000) if f"{n:09d}MO" not in used)
    for index in enrolled:
        row = by_key.loc[truth_key[index]]
        born = pd.to_datetime(row["date_naissance"], format="%d/%m/%Y")
        source = "ONDE" if born.year >= int(commune.school_year[:4]) - 11 else "SIECLE"
        target = schooling[source]
        model = target.iloc[rng.randrange(len(target))] if len(target) else None
        record_id = f"{next(numbers):09d}MO"
        record = {
            "source": source,
            "identifiant": record_id,
            "nom": str(row["nom"]).upper(),
            "prenoms": str(row["prenoms"]).replace(",", " ").split()[0],
            "date_naissance": born.strftime("%Y-%m-%d" if source == "ONDE" else "%d/%m/%Y"),
            "sexe": row["sexe"],
            "etablissement": "" if model is None else model["etablissement"],
            "uai": "" if model is None else model["uai"],
            "niveau": "" if model is None else model["niveau"],
            "adresse": row["adresse"],
            "code_postal": row["code_postal"],
            "commune": row["commune"],
        }
        schooling[source] = pd.concat(
            [target, pd.DataFrame([record], columns=target.columns)], ignore_index=True
        )
        truth.loc[index, "statut_reel"] = "scolarise"
        truth.loc[index, "sources"] = source
        truth.loc[index, "identifiants_scolarite"] = record_id
        truth.loc[index, "difficultes"] = "|".join(
            [*_split(truth.loc[index, "difficultes"]), "inscrit_ce_mois"]
        )

    # Moves within the commune: another household's address (a flat that was freed).
    movers = rng.sample(range(len(children)), max(1, round(n * rates.moved)))
    addresses = children["adresse"].to_numpy()
    moved_keys = set()
    for position in movers:
        children.iloc[position, children.columns.get_loc("adresse")] = addresses[
            rng.randrange(len(addresses))
        ]
        moved_keys.add(key.iloc[position])
    moved = truth_key.isin(moved_keys)
    truth.loc[moved, "difficultes"] = truth.loc[moved, "difficultes"].map(
        lambda tags: "|".join([*_split(tags), "demenagement_ce_mois"])
    )

    # Arrivals: the families of another small commune, their identifiers apart from month 1's.
    count = max(1, round(n * rates.arrivals))
    newcomers = generate_commune(count, seed=seed + 7919, school_year=commune.school_year)
    taken = set(key)
    new_key = newcomers.children["organisme"] + "|" + newcomers.children["identifiant"]
    fresh = ~new_key.isin(taken)
    arrived_children = newcomers.children[fresh.to_numpy()]
    arrived_truth = newcomers.truth[newcomers.truth["identifiant"].isin(arrived_children["identifiant"])]
    own = {r for ids in arrived_truth["identifiants_scolarite"] for r in _split(ids)}
    existing = {i for frame in schooling.values() for i in frame["identifiant"]}
    for source, frame in newcomers.schooling.items():
        theirs = frame[frame["identifiant"].isin(own) & ~frame["identifiant"].isin(existing)]
        schooling[source] = pd.concat([schooling[source], theirs], ignore_index=True)
    arrived_truth = arrived_truth.assign(
        difficultes=arrived_truth["difficultes"].map(lambda tags: "|".join([*_split(tags), "arrive_ce_mois"]))
    )
    children = pd.concat([children, arrived_children], ignore_index=True)
    truth = pd.concat([truth, arrived_truth], ignore_index=True)
    return replace(
        commune,
        children=children.reset_index(drop=True),
        schooling={source: frame.reset_index(drop=True) for source, frame in schooling.items()},
        truth=truth.reset_index(drop=True),
        n_children=len(children),
    )
