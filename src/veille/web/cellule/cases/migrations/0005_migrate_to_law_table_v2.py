"""Existing data under the law's table version 2 (issue 9).

- every event recorded so far carries version 1 (the table it was recorded under);
- the national deadline rules of version 2 (``data/deadlines_v2.csv``) are added: a new key gets its
  version 1, a changed key a new national version (the old one stays for the events that used it);
- each open case lands on the nearest step of its domain's new procedure, with one ``migration``
  event (version 2) saying from which step it came; its history is kept as it was.
"""

import csv
from datetime import date
from pathlib import Path

from django.db import migrations
from django.db.models import Max

DATA = Path(__file__).resolve().parents[1] / "data" / "deadlines_v2.csv"
VALID_FROM = date(2026, 12, 1)

# The steps of each domain in version 2 (frozen here: later versions add their own migration).
STEPS_V2 = {
    "absence_instruction": {"verification", "alerte", "ief_demande", "famille_informee", "famille_convoquee",
                            "mediation", "mise_en_demeure", "rescolarise", "signale_parquet", "enquete",
                            "stage_parental", "clos"},
    "absenteisme": {"verification", "equipe_educative", "avertissement", "communaute_educative",
                    "referent_designe", "signale_parquet", "enquete", "stage_parental", "clos"},
    "controle_ief": {"verification", "ief_demande", "ief_autorisee", "ief_refusee", "rapo_en_cours",
                     "refus_definitif", "enquete_mairie", "suivi_ief", "second_controle",
                     "controles_insuffisants", "controle_refuse", "autorisation_retiree", "mise_en_demeure",
                     "rescolarise", "signale_parquet", "enquete", "stage_parental", "clos"},
    "ecole_de_fait": {"verification", "constat", "avis_dasen", "fermeture_ordonnee", "parents_mis_en_demeure",
                      "signale_parquet", "enquete", "clos"},
}  # fmt: skip
# Nearest new step of an old step that the domain no longer has: (domain, step) -> (domain, step).
NEAREST = {
    # an absence case the DSDEN had warned: the mayor's report to the DASEN is the nearest act
    ("absence_instruction", "avertissement"): ("absence_instruction", "alerte"),
    # an absence case followed as home instruction is a home-instruction case
    ("absence_instruction", "enquete_mairie"): ("controle_ief", "enquete_mairie"),
    ("absence_instruction", "suivi_ief"): ("controle_ief", "suivi_ief"),
    ("absence_instruction", "second_controle"): ("controle_ief", "second_controle"),
    # an IEF case with an alert: no authorisation known, an absence of instruction
    ("controle_ief", "alerte"): ("absence_instruction", "alerte"),
    ("controle_ief", "famille_informee"): ("controle_ief", "suivi_ief"),
    ("controle_ief", "famille_convoquee"): ("controle_ief", "suivi_ief"),
    ("controle_ief", "mediation"): ("controle_ief", "suivi_ief"),
    ("controle_ief", "avertissement"): ("controle_ief", "suivi_ief"),
}


def nearest(domain, state, warned):
    if state in STEPS_V2.get(domain, {state}):
        return domain, state
    if (domain, state) in NEAREST:
        return NEAREST[(domain, state)]
    if domain == "absenteisme":
        # after the DSDEN's warning the procedure of R131-7 goes on from the warning
        return domain, "avertissement" if warned else "verification"
    if domain == "ecole_de_fait":
        return domain, "constat"
    return domain, "verification"


def seed_rules(DeadlineRule):
    with DATA.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            values = {
                "label": row["libelle"],
                "days": int(row["jours"]),
                "months": int(row["mois"]),
                "legal_basis": row["base_legale"],
                "source": row["source"],
                "to_verify": row["a_verifier"] == "oui",
            }
            current = DeadlineRule.objects.filter(commune=None, key=row["cle"], active=True).first()
            if current is not None and all(getattr(current, k) == v for k, v in values.items()):
                continue
            latest = DeadlineRule.objects.filter(key=row["cle"]).aggregate(Max("version"))["version__max"]
            DeadlineRule.objects.filter(commune=None, key=row["cle"]).update(active=False)
            DeadlineRule.objects.create(
                commune=None, key=row["cle"], version=(latest or 0) + 1, valid_from=VALID_FROM, active=True,
                **values,
            )  # fmt: skip


def forward(apps, schema_editor):
    Case = apps.get_model("cases", "Case")
    CaseEvent = apps.get_model("cases", "CaseEvent")
    DeadlineRule = apps.get_model("cases", "DeadlineRule")
    CaseEvent.objects.filter(law_version="").update(law_version="1")
    seed_rules(DeadlineRule)
    for case in Case.objects.exclude(state="clos").iterator():
        warned = CaseEvent.objects.filter(case=case, kind="issue_warning").exists()
        domain, state = nearest(case.domain, case.state, warned)
        moved = (domain, state) != (case.domain, case.state)
        CaseEvent.objects.create(
            case=case,
            kind="migration",
            from_state=case.state,
            to_state=state,
            note=(
                f"Table des règles version 2 : étape « {case.state} » ({case.domain}) reprise en « {state} »"
                f" ({domain})."
                if moved
                else "Table des règles version 2 : étape inchangée."
            ),
            effective_date=VALID_FROM,
            law_version="2",
        )
        if moved:
            Case.objects.filter(pk=case.pk).update(domain=domain, state=state)


class Migration(migrations.Migration):
    dependencies = [("cases", "0004_law_table_v2")]

    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
