"""The national deadline rules of the law's table as the CSV the migrations seed (``data/``)."""

from __future__ import annotations

import csv
import io

from veille import law

HEADER = ("cle", "libelle", "jours", "mois", "base_legale", "source", "a_verifier")


def deadlines_csv() -> str:
    """``data/deadlines_v2.csv`` as the law's table gives it (a test checks the file is the same)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(HEADER)
    for rule in law.DEADLINES.values():
        basis = rule.legal_basis + (f" Point de départ : {law.START_POINTS[rule.start]}.")
        source = rule.source + (f" [à vérifier : {rule.to_verify}]" if rule.to_verify else "")
        writer.writerow(
            (rule.key, rule.label, rule.days, rule.months, basis, source, "oui" if rule.to_verify else "non")
        )
    return buffer.getvalue()
