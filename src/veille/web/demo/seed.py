"""The web demo's data: two fictional communes, one account per role, the synthetic commune's children.

``seed_demo()`` runs :data:`STEPS` in order, each a small function of a :class:`DemoContext`; the
apps that land later (crossings, cases, letters, meetings) add their own step at the end of the list.
Every step is idempotent: running the seed twice changes nothing the second time.

Demo accounts have known passwords: :func:`seed_demo` refuses to run unless ``DEBUG`` is on or
``force`` is given, so that a production database never gets them by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from veille.web.accounts.models import Membership, User
from veille.web.accounts.roles import Role
from veille.web.audit.log import record
from veille.web.audit.models import Action
from veille.web.children.models import Child, end_of_school_year_turning_16
from veille.web.territories.models import Commune

DEFAULT_CHILDREN = 5000
DEFAULT_SEED = 2026
DEFAULT_SCHOOL_YEAR = "2026-2027"
CHILD_FIELDS = (
    "last_name",
    "first_names",
    "birth_date",
    "sex",
    "claimant_last_name",
    "claimant_first_name",
    "address",
    "postal_code",
    "city",
    "retention_until",
)


class DemoRefused(Exception):
    """Seeding known passwords into a database that is not a development one."""


@dataclass(frozen=True)
class DemoCommune:
    name: str
    slug: str
    insee_code: str
    address: str
    signatory: str
    #: share of the ``children`` option this commune receives (the second one is smaller)
    children_share: float
    seed_offset: int


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: Role
    commune_slug: str
    first_name: str
    last_name: str
    organisation: str

    @property
    def password(self) -> str:
        return f"demo-{self.username}-2026"


# INSEE codes starting with 99 belong to no French commune (99 is the code of foreign countries).
COMMUNE_A = DemoCommune(
    name="Villeneuve-sur-Fictif",
    slug="villeneuve-sur-fictif",
    insee_code="99101",
    address="Hôtel de ville\n1 place de la République\n99100 Villeneuve-sur-Fictif",
    signatory="Le maire, Anselme Grivolet",
    children_share=1.0,
    seed_offset=0,
)
COMMUNE_B = DemoCommune(
    name="Bourg-Imaginaire",
    slug="bourg-imaginaire",
    insee_code="99202",
    address="Mairie\n3 rue du Lavoir\n99200 Bourg-Imaginaire",
    signatory="La maire, Clémence Ardouvel",
    children_share=0.1,
    seed_offset=1,
)
DEMO_COMMUNES: tuple[DemoCommune, ...] = (COMMUNE_A, COMMUNE_B)

_A, _B = COMMUNE_A.slug, COMMUNE_B.slug
#: One account per role in the first commune, a référent in the second (invented names).
DEMO_ACCOUNTS: tuple[DemoAccount, ...] = (
    DemoAccount("referent", Role.REFERENT, _A, "Aurore", "Vantelle", "Mairie de Villeneuve-sur-Fictif"),
    DemoAccount("agent", Role.AGENT, _A, "Bastien", "Corvelle", "Mairie de Villeneuve-sur-Fictif"),
    DemoAccount("education", Role.EDUCATION, _A, "Inès", "Morvandel", "DSDEN du Fictif"),
    DemoAccount("prefecture", Role.PREFECTURE, _A, "Gaspard", "Trémontel", "Préfecture du Fictif"),
    DemoAccount("caf", Role.CAF, _A, "Nadia", "Quillerot", "CAF du Fictif"),
    DemoAccount("departement", Role.DEPARTMENT, _A, "Romane", "Ferlandis", "Conseil départemental"),
    DemoAccount("parquet", Role.PROSECUTOR, _A, "Hugo", "Sarveline", "Parquet du tribunal judiciaire"),
    DemoAccount("lecteur", Role.READER, _A, "Maëlle", "Drouvanne", "Mairie de Villeneuve-sur-Fictif"),
    DemoAccount("auditeur", Role.AUDITOR, _A, "Théo", "Lambrequin", "Délégué à la protection des données"),
    DemoAccount("referent-bourg", Role.REFERENT, _B, "Solène", "Vimerande", "Mairie de Bourg-Imaginaire"),
)


@dataclass
class DemoContext:
    """What the steps share: the options, and what earlier steps created."""

    children: int
    seed: int
    school_year: str
    data_dir: Path
    say: Callable[[str], None]
    communes: dict[str, Commune] = field(default_factory=dict)
    users: dict[str, User] = field(default_factory=dict)
    #: per commune slug, the synthetic files written (name -> path): children, schooling, truth
    files: dict[str, dict[str, Path]] = field(default_factory=dict)


Step = Callable[[DemoContext], None]


def create_communes(ctx: DemoContext) -> None:
    """The two fictional communes, looked up by their slug."""
    for demo in DEMO_COMMUNES:
        commune, created = Commune.objects.get_or_create(
            slug=demo.slug,
            defaults={
                "name": demo.name,
                "insee_code": demo.insee_code,
                "department": demo.insee_code[:2],
                "address": demo.address,
                "signatory": demo.signatory,
            },
        )
        ctx.communes[demo.slug] = commune
        ctx.say(f"Commune {commune.name} : {'créée' if created else 'déjà présente'}.")


def create_accounts(ctx: DemoContext) -> None:
    """One account per demo login, charter not accepted: the person accepts it at first login.

    An account already there keeps its password, charter and second factor: the seed only adds
    what is missing.
    """
    created = 0
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            user = User(
                username=account.username,
                first_name=account.first_name,
                last_name=account.last_name,
                organisation=account.organisation,
            )
            user.set_password(account.password)
            user.save()
            created += 1
        Membership.objects.get_or_create(
            user=user, commune=ctx.communes[account.commune_slug], defaults={"role": account.role}
        )
        ctx.users[account.username] = user
    ctx.say(f"Comptes de démonstration : {created} créé(s), {len(DEMO_ACCOUNTS) - created} déjà présent(s).")


def import_children_files(*, commune: Commune, user: User | None, children_paths: Sequence[Path]) -> int:
    """Load children files (CAF, MSA) into ``Child`` rows, updating the children already known.

    Stands in for ``veille.web.imports.services.import_files`` until the imports app lands: the demo
    imports children through this function only, so that replacing it is a one-line change.

    Returns:
        The number of children created or changed.
    """
    from veille.sources import read_children_files

    table = read_children_files(children_paths).table
    known = {(c.organisme, c.source_id): c for c in Child.objects.filter(commune=commune)}
    new, changed = [], []
    for row in table.to_dict("records"):
        birth = pd.Timestamp(row["date_naissance"]).date()
        values: dict[str, Any] = {
            "last_name": row["nom"][:200],
            "first_names": row["prenoms"][:200],
            "birth_date": birth,
            "sex": row["sexe"][:1],
            "claimant_last_name": row["nom_allocataire"][:200],
            "claimant_first_name": row["prenom_allocataire"][:200],
            "address": row["adresse"][:300],
            "postal_code": row["code_postal"][:10],
            "city": row["commune"][:120],
            "retention_until": end_of_school_year_turning_16(birth),
        }
        child = known.get((row["organisme"], row["identifiant"]))
        if child is None:
            child = Child(commune=commune, organisme=row["organisme"], source_id=row["identifiant"], **values)
            known[(child.organisme, child.source_id)] = child
            new.append(child)
        elif any(getattr(child, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(child, name, value)
            child.last_seen_at = timezone.now()
            changed.append(child)
    # bulk_create skips Child.save(): retention_until is computed above, as save() would.
    Child.objects.bulk_create(new, batch_size=1000)
    Child.objects.bulk_update(changed, [*CHILD_FIELDS, "last_seen_at"], batch_size=1000)
    if new or changed:
        record(
            None,
            Action.CREATE if new else Action.CHANGE,
            object_type=Child._meta.label_lower,
            detail=f"démonstration : {len(new)} enfant(s) créé(s), {len(changed)} mis à jour "
            f"depuis {len(children_paths)} fichier(s)",
            commune=commune,
        )
    return len(new) + len(changed)


def import_children(ctx: DemoContext) -> None:
    """Write each commune's synthetic files (``veille.synth``) and import its children files."""
    from veille.synth import generate_commune, write_commune

    for demo in DEMO_COMMUNES:
        commune = ctx.communes[demo.slug]
        count = max(50, round(ctx.children * demo.children_share))
        synthetic = generate_commune(count, seed=ctx.seed + demo.seed_offset, school_year=ctx.school_year)
        written = write_commune(synthetic, ctx.data_dir / demo.slug)
        ctx.files[demo.slug] = written
        paths = [path for name, path in sorted(written.items()) if name.startswith("enfants_")]
        touched = import_children_files(commune=commune, user=None, children_paths=paths)
        total = Child.objects.filter(commune=commune).count()
        ctx.say(f"Enfants de {commune.name} : {total} dans la liste ({touched} ajouté(s) ou mis à jour).")


#: The seeding, in order. Later apps append their step (e.g. crossings, cases, letters, meetings).
STEPS: list[Step] = [create_communes, create_accounts, import_children]


def ensure_allowed(*, force: bool) -> None:
    """Refuse known passwords outside development, unless forced.

    Raises:
        DemoRefused: ``DEBUG`` is off and ``force`` is not given.
    """
    if not settings.DEBUG and not force:
        raise DemoRefused(
            "démonstration refusée : ses comptes ont des mots de passe connus de tous. Ils ne sont "
            "créés qu'en mode développement (VEILLE_DEBUG=1), ou avec --force sur une base de test, "
            "jamais sur la base de production."
        )


def seed_demo(
    *,
    children: int = DEFAULT_CHILDREN,
    seed: int = DEFAULT_SEED,
    school_year: str = DEFAULT_SCHOOL_YEAR,
    force: bool = False,
    data_dir: Path | None = None,
    say: Callable[[str], None] = print,
    steps: Sequence[Step] | None = None,
) -> DemoContext:
    """Fill the database with the web demo (the database must be migrated).

    Args:
        children: children of the first commune's CAF/MSA files (the second gets a tenth).
        seed: seed of the synthetic communes; the same seed gives the same children.
        school_year: school year of the synthetic files.
        force: seed even though ``DEBUG`` is off (never on a production database).
        data_dir: where the synthetic files are written (default ``DATA_DIR/demo``).
        say: receives one French line per step.
        steps: the steps to run (default :data:`STEPS`).

    Raises:
        DemoRefused: ``DEBUG`` is off and ``force`` is not given.
    """
    ensure_allowed(force=force)
    if children < 1:
        raise ValueError("le nombre d'enfants doit être positif")
    ctx = DemoContext(
        children=children,
        seed=seed,
        school_year=school_year,
        data_dir=Path(data_dir or Path(settings.DATA_DIR) / "demo"),
        say=say,
    )
    for step in STEPS if steps is None else steps:
        with transaction.atomic():
            step(ctx)
    return ctx


def accounts_table() -> str:
    """The demo accounts as the terminal shows them after seeding."""
    width = max(len(a.username) for a in DEMO_ACCOUNTS)
    lines = []
    for account in DEMO_ACCOUNTS:
        commune = next(c.name for c in DEMO_COMMUNES if c.slug == account.commune_slug)
        lines.append(
            f"  {account.username:<{width}}  {account.password:<28}  {account.role.label} — {commune}"
        )
    return "\n".join(lines)
