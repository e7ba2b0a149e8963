"""A fictional cité for ``make demo``: territory, partners, ~25 actions, two years of execution, money.

Every name is invented; UAI codes start with 0599999 and QPV codes with QN059999 so they match no
real school or neighbourhood. Running it twice changes nothing (the cité is found by its slug).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction

from veille.web.cite.actions.models import Action, BudgetLine, Execution, Funder, Status, Transition
from veille.web.cite.cites.models import (
    Cite,
    CiteCommune,
    CiteMembership,
    Convention,
    Neighbourhood,
    Partner,
    School,
)
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.framework.models import SubObjective
from veille.web.cite.funds.budget import ensure_default_contributions
from veille.web.cite.funds.models import Commitment, Contribution, Contributor, Payment
from veille.web.common.accounts.models import User
from veille.web.common.territories.models import Commune
from veille.web.demo.seed import demo_user

from .cite_network import seed_other_cite, seed_second_half

YEARS = (2024, 2025)


@dataclass(frozen=True)
class CiteDemoAccount:
    username: str
    role: CiteRole
    first_name: str
    last_name: str
    organisation: str
    troika_seat: str = ""
    partner: str = ""

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"


@dataclass
class CiteDemo:
    cite: Cite
    accounts: list[CiteDemoAccount] = field(default_factory=list)


ACCOUNTS = (
    CiteDemoAccount(
        "cpo.tilleuls", CiteRole.PROJECT_LEAD, "Maëlle", "Courtilier", "Cité éducative des Tilleuls"
    ),
    CiteDemoAccount(
        "troika.tilleuls",
        CiteRole.TROIKA,
        "Anselme",
        "Vautrier",
        "Collège Aimé-Fictif",
        troika_seat="college",
    ),
    CiteDemoAccount(
        "partenaire.tilleuls",
        CiteRole.PARTNER,
        "Solène",
        "Marivaux-Dupré",
        "Association Lire et Grandir",
        partner="Association Lire et Grandir",
    ),
    CiteDemoAccount(
        "observateur.tilleuls", CiteRole.OBSERVER, "Gaspard", "Ollivret", "Conseil citoyen des Tilleuls"
    ),
)

PARTNERS = (
    ("Collège Aimé-Fictif", Partner.Kind.EDUCATION, True),
    ("Mairie — direction de l'éducation", Partner.Kind.COMMUNE, True),
    ("Préfecture — délégué du préfet", Partner.Kind.STATE, True),
    ("CAF du département", Partner.Kind.CAF, True),
    ("Conseil départemental — action sociale", Partner.Kind.DEPARTMENT, True),
    ("Région — service jeunesse", Partner.Kind.REGION, False),
    ("Association Lire et Grandir", Partner.Kind.ASSOCIATION, False),
    ("Centre social Les Glycines", Partner.Kind.SOCIAL_CENTRE, True),
    ("Conservatoire à rayonnement communal", Partner.Kind.CULTURE, False),
    ("Union sportive des Tilleuls", Partner.Kind.SPORT, False),
    ("Mission locale de l'agglomération", Partner.Kind.OTHER, False),
)

SCHOOLS = (
    ("0599999A", "Collège Aimé-Fictif", School.Kind.COLLEGE, "REP+", True),
    ("0599998B", "École maternelle Les Coquelicots", School.Kind.MATERNELLE, "REP+", False),
    ("0599997C", "École élémentaire Jules-Imaginaire", School.Kind.ELEMENTAIRE, "REP+", False),
    ("0599996D", "École primaire du Moulin", School.Kind.PRIMAIRE, "REP", False),
    ("0599995E", "Lycée professionnel des Tilleuls", School.Kind.LYCEE, "", False),
)

# (sub-objective codes, title, lead partner, publics, time slots, final status, budget per year by funder)
ACTIONS: tuple[tuple[tuple[str, ...], str, str, list[str], list[str], Status, dict[str, int]], ...] = (
    (
        ("1.1",),
        "Option théâtre au collège",
        "Collège Aimé-Fictif",
        ["11-16"],
        ["scolaire"],
        Status.IN_PROGRESS,
        {"etat_147": 6000, "commune": 2000},
    ),
    (
        ("1.2",),
        "Médiateurs dans la cour",
        "Mairie — direction de l'éducation",
        ["6-11", "11-16"],
        ["scolaire"],
        Status.IN_PROGRESS,
        {"etat_147": 12000, "commune": 12000},
    ),
    (
        ("1.3",),
        "Passerelle crèche–maternelle",
        "Centre social Les Glycines",
        ["0-3", "3-6", "parents"],
        ["scolaire", "familial"],
        Status.DONE,
        {"fonds_cite": 3000, "caf": 2000},
    ),
    (
        ("1.4",),
        "Devoirs faits renforcé",
        "Collège Aimé-Fictif",
        ["11-16"],
        ["periscolaire"],
        Status.IN_PROGRESS,
        {"fonds_cite": 5000, "etat_147": 4000},
    ),
    (
        ("1.5",),
        "Café des parents",
        "Centre social Les Glycines",
        ["parents"],
        ["familial"],
        Status.IN_PROGRESS,
        {"caf": 3000, "commune": 1500},
    ),
    (
        ("1.6",),
        "Formations croisées enseignants–animateurs",
        "Mairie — direction de l'éducation",
        ["professionnels"],
        ["periscolaire"],
        Status.VALIDATED,
        {"etat_147": 2500, "commune": 2500},
    ),
    (
        ("2.1",),
        "Lieu d'accueil enfants–parents",
        "CAF du département",
        ["0-3", "parents"],
        ["familial"],
        Status.IN_PROGRESS,
        {"caf": 9000, "commune": 3000},
    ),
    (
        ("2.2",),
        "Ouvrir l'école aux parents",
        "Association Lire et Grandir",
        ["parents"],
        ["scolaire"],
        Status.IN_PROGRESS,
        {"fonds_cite": 4000, "departement": 2000},
    ),
    (
        ("2.3",),
        "Petits déjeuners à l'école",
        "Mairie — direction de l'éducation",
        ["3-6", "6-11"],
        ["scolaire"],
        Status.DONE,
        {"etat_147": 8000, "commune": 4000},
    ),
    (
        ("2.3",),
        "Dépistage visuel en maternelle",
        "Conseil départemental — action sociale",
        ["3-6"],
        ["scolaire"],
        Status.VALIDATED,
        {"departement": 3500},
    ),
    (
        ("2.4", "1.3"),
        "Programme de réussite éducative renforcé",
        "Mairie — direction de l'éducation",
        ["6-11", "11-16", "parents"],
        ["extrascolaire", "familial"],
        Status.IN_PROGRESS,
        {"etat_147": 15000, "commune": 10000},
    ),
    (
        ("2.5",),
        "Orchestre à l'école",
        "Conservatoire à rayonnement communal",
        ["6-11"],
        ["scolaire"],
        Status.IN_PROGRESS,
        {"fonds_cite": 6000, "commune": 4000, "region": 2000},
    ),
    (
        ("2.5",),
        "Lectures de contes en bibliothèque",
        "Association Lire et Grandir",
        ["3-6", "parents"],
        ["extrascolaire"],
        Status.DONE,
        {"commune": 1200},
    ),
    (
        ("2.6",),
        "Sport au féminin",
        "Union sportive des Tilleuls",
        ["11-16"],
        ["extrascolaire"],
        Status.IN_PROGRESS,
        {"etat_147": 3000, "departement": 1500},
    ),
    (
        ("2.7",),
        "Club sciences et robotique",
        "Collège Aimé-Fictif",
        ["11-16"],
        ["periscolaire"],
        Status.VALIDATED,
        {"fonds_cite": 2500, "region": 2500},
    ),
    (
        ("2.8",),
        "École ouverte pendant les vacances",
        "Collège Aimé-Fictif",
        ["6-11", "11-16"],
        ["extrascolaire"],
        Status.ABANDONED,
        {"etat_147": 4000},
    ),
    (
        ("2.9",),
        "Tutorat par des étudiants",
        "Mission locale de l'agglomération",
        ["11-16", "16-25"],
        ["extrascolaire"],
        Status.IN_PROGRESS,
        {"etat_147": 5000, "region": 3000},
    ),
    (
        ("2.10",),
        "Éducation aux médias et aux réseaux",
        "Centre social Les Glycines",
        ["11-16"],
        ["periscolaire"],
        Status.VALIDATED,
        {"fonds_cite": 2000, "caf": 1000},
    ),
    (
        ("3.1",),
        "Forum des métiers et stages de 3e",
        "Collège Aimé-Fictif",
        ["11-16"],
        ["scolaire"],
        Status.IN_PROGRESS,
        {"fonds_cite": 1500, "region": 1500},
    ),
    (
        ("3.2",),
        "Français pour les parents allophones",
        "Association Lire et Grandir",
        ["parents"],
        ["familial"],
        Status.IN_PROGRESS,
        {"etat_147": 4500, "departement": 2000},
    ),
    (
        ("3.3",),
        "Chantiers éducatifs d'été",
        "Mission locale de l'agglomération",
        ["16-25"],
        ["extrascolaire"],
        Status.VALIDATED,
        {"etat_147": 6000, "departement": 3000},
    ),
    (
        ("3.4",),
        "Séjours de découverte hors du quartier",
        "Centre social Les Glycines",
        ["6-11", "11-16"],
        ["extrascolaire"],
        Status.IN_PROGRESS,
        {"fonds_cite": 3500, "caf": 2500, "commune": 2000},
    ),
    (
        ("3.5",),
        "Jumelage avec le musée de l'agglomération",
        "Conservatoire à rayonnement communal",
        ["6-11"],
        ["scolaire"],
        Status.PROPOSED,
        {"commune": 3000},
    ),
    (
        ("3.6",),
        "Fablab du quartier",
        "Région — service jeunesse",
        ["11-16", "16-25"],
        ["extrascolaire"],
        Status.PROPOSED,
        {"region": 8000, "etat_147": 4000},
    ),
    (
        ("3.7",),
        "Aide au permis de conduire",
        "Mission locale de l'agglomération",
        ["16-25"],
        ["extrascolaire"],
        Status.PROPOSED,
        {"departement": 2500},
    ),
)

PATH = {
    Status.PROPOSED: [],
    Status.VALIDATED: [Status.VALIDATED],
    Status.IN_PROGRESS: [Status.VALIDATED, Status.IN_PROGRESS],
    Status.DONE: [Status.VALIDATED, Status.IN_PROGRESS, Status.DONE],
    Status.ABANDONED: [Status.VALIDATED, Status.ABANDONED],
}


def _accounts(cite: Cite, partners: dict[str, Partner]) -> dict[CiteRole, User]:
    users = {}
    for account in ACCOUNTS:
        user, _ = demo_user(account)
        CiteMembership.objects.get_or_create(
            user=user,
            cite=cite,
            defaults={
                "role": account.role,
                "troika_seat": account.troika_seat,
                "partner": partners.get(account.partner),
            },
        )
        users[account.role] = user
    return users


def _execution(action: Action, year: int, planned: dict[str, int], index: int) -> None:
    total = Decimal(sum(planned.values()))
    # Paid share varies with the action so that the tables are not uniform; the current year lags.
    rate = Decimal("0.9") if year == YEARS[0] else Decimal("0.5") + Decimal(index % 4) / 10
    committed = total
    paid = (total * rate).quantize(Decimal("0.01"))
    Execution.objects.create(
        action=action,
        year=year,
        committed=committed,
        paid=paid,
        assessment="Action menée comme prévu ; fréquentation en hausse."
        if index % 3
        else "Démarrage plus lent que prévu.",
    )
    for indicator in action.indicators.all():
        reached = (indicator.target * (Decimal("0.7") + Decimal(index % 4) / 10)).quantize(Decimal("1"))
        indicator.values.create(year=year, value=reached)


@transaction.atomic
def seed_cite(*, cite_slug: str = "cite-des-tilleuls", communes: Sequence[Commune | str] = ()) -> CiteDemo:
    """Create the fictional cité (once) and return it with its demo accounts.

    Args:
        cite_slug: the cité's address (``/cites/<slug>/``).
        communes: Veille communes (linked to their cell) or plain names of the perimeter.
    """
    existing = Cite.objects.filter(slug=cite_slug).first()
    if existing:
        return CiteDemo(existing, list(ACCOUNTS))
    cite = Cite.objects.create(
        name="Les Tilleuls",
        slug=cite_slug,
        agglomeration="Agglomération du Val-Fictif",
        department="59",
        region="Hauts-de-France",
        labelled_on=dt.date(2023, 9, 1),
    )
    Convention.objects.create(
        cite=cite,
        signed_on=dt.date(2023, 12, 12),
        starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2026, 12, 31),
    )
    Neighbourhood.objects.create(cite=cite, name="Les Tilleuls – Le Moulin", code="QN0599991")
    Neighbourhood.objects.create(cite=cite, name="La Butte aux Cailles-Fictives", code="QN0599992")
    for commune in communes or ["Villeneuve-sur-Fictif"]:
        if isinstance(commune, Commune):
            CiteCommune.objects.create(cite=cite, commune=commune)
        else:
            CiteCommune.objects.create(cite=cite, name=commune)
    for uai, name, kind, network, is_lead in SCHOOLS:
        School.objects.create(
            cite=cite, uai=uai, name=name, kind=kind, priority_network=network, is_lead=is_lead
        )
    partners = {
        name: Partner.objects.create(
            cite=cite, name=name, kind=kind, contact="Accueil du service", on_steering_committee=copil
        )
        for name, kind, copil in PARTNERS
    }
    users = _accounts(cite, partners)
    troika, cpo = users[CiteRole.TROIKA], users[CiteRole.PROJECT_LEAD]
    subs = {s.code: s for s in SubObjective.objects.current()}
    for year in YEARS:
        ensure_default_contributions(cite, year)
        Contribution.objects.create(
            cite=cite, year=year, contributor=Contributor.COMMUNE, amount=Decimal("5000.00")
        )
    for index, (codes, title, lead, publics, slots, status, planned) in enumerate(ACTIONS, start=1):
        last_year = YEARS[-1] + (1 if index % 3 == 0 else 0)
        action = Action.objects.create(
            cite=cite,
            number=index,
            title=title,
            description=f"{title} : action de la cité des Tilleuls, décrite ici pour la démonstration.",
            lead_partner=partners[lead],
            publics=publics,
            time_slots=slots,
            place="Quartier des Tilleuls",
            start_year=YEARS[0],
            end_year=last_year,
            status=Status.PROPOSED,
            created_by=cpo,
        )
        action.sub_objectives.set([subs[c] for c in codes])
        if index % 5 == 0:
            action.partners.add(partners["Centre social Les Glycines"])
        for year in range(YEARS[0], last_year + 1):
            for funder, planned_amount in planned.items():
                BudgetLine.objects.create(
                    action=action, year=year, funder=Funder(funder), amount=Decimal(planned_amount)
                )
        action.indicators.create(
            kind="moyens", label="Séances organisées", unit="séances", target=Decimal(30)
        )
        action.indicators.create(
            kind="resultats", label="Participants", unit="personnes", target=Decimal(60 + index)
        )
        previous = Status.PROPOSED
        for step_number, target in enumerate(PATH[status]):
            by = troika if target in (Status.VALIDATED, Status.ABANDONED) else cpo
            comment = "Validée en comité de pilotage." if target == Status.VALIDATED else ""
            if target == Status.ABANDONED:
                comment = "Porteur indisponible ; action reportée."
            t = Transition.objects.create(
                action=action, from_status=previous, to_status=target, by=by, comment=comment
            )
            at = dt.datetime(2024, 1, 15 + step_number * 5, 10, 0, tzinfo=dt.UTC)
            Transition.objects.filter(pk=t.pk).update(at=at + dt.timedelta(days=index))
            previous = target
        action.status = status
        action.save(update_fields=["status"])
        if status in (Status.IN_PROGRESS, Status.DONE):
            for year in YEARS:
                _execution(action, year, planned, index)
            if "fonds_cite" in planned:
                for year in YEARS:
                    amount = Decimal(planned["fonds_cite"])
                    commitment = Commitment.objects.create(
                        cite=cite,
                        action=action,
                        year=year,
                        amount=amount,
                        decided_on=dt.date(year, 2, 10),
                        created_by=cpo,
                    )
                    share = amount if year == YEARS[0] else (amount / 2).quantize(Decimal("0.01"))
                    Payment.objects.create(
                        commitment=commitment,
                        amount=share,
                        paid_on=dt.date(year, 6, 30),
                        reference=f"M-{year}-{index:03d}",
                    )
    seed_second_half(cite, cpo)
    seed_other_cite(cite.region)
    return CiteDemo(cite, list(ACCOUNTS))


def accounts_table() -> str:
    """The demo accounts of the cité as a Markdown table (for the README)."""
    lines = ["| identifiant | mot de passe | rôle dans la cité |", "|---|---|---|"]
    lines += [f"| `{a.username}` | `{a.password}` | {a.role.label} |" for a in ACCOUNTS]
    return "\n".join(lines)
