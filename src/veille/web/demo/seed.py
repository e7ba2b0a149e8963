"""The web demo's data: two fictional communes, one account per role, the synthetic commune's children.

``seed_demo()`` runs :data:`STEPS` in order, each a small function of a :class:`DemoContext`: the
communes and accounts, the synthetic files (and next year's, to upload from the browser), their import
through ``imports.services``, the crossing (run synchronously), two settled uncertain matches, then
cases at every step of the procedure with their letters and two meetings (``casework``). Every step
is idempotent: running the seed twice changes nothing the second time.

Demo accounts have known passwords: :func:`seed_demo` refuses to run unless ``DEBUG`` is on or
``force`` is given, so that a production database never gets them by mistake.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import transaction

from veille.web.cellule.children.models import Child
from veille.web.common.accounts.models import Membership, User
from veille.web.common.accounts.roles import Role
from veille.web.common.territories.models import Commune

from .casework import ensure_deadline_rules, generate_letters, hold_meetings, open_cases

DEFAULT_CHILDREN = 5000
DEFAULT_SEED = 2026
DEFAULT_SCHOOL_YEAR = "2026-2027"
#: one CAF / MSA row in this many is gone from next year's children files (the family moved away)
NEXT_YEAR_MOVED_EVERY = 40
#: one child in this many turning 3 next year is not enrolled in petite section (a new case to find)
NEXT_YEAR_UNENROLLED_EVERY = 25
#: The demo's schools mistype more than the calibrated commune of ``veille.synth``: the engine settles
#: nearly all of the calibrated commune's pairs by itself, and a demo of a few hundred children would
#: leave nothing in « À vérifier ». With these rates it leaves a few real hard cases (a mistyped digit
#: of the birth date with an old address, a year off with no address...), about 1 % of the children.
DEMO_RATES: dict[str, float] = {
    "digit_typo": 0.06,
    "day_month_swap": 0.12,
    "year_off": 0.02,
    "surname_typo": 0.08,
    "first_name_typo": 0.08,
    "address_empty": 0.10,
}


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
    #: where the first commune's files of the next school year are written (None: not written)
    next_year_dir: Path | None = None
    #: per commune slug, the synthetic files written (name -> path): children, schooling, truth
    files: dict[str, dict[str, Path]] = field(default_factory=dict)
    #: the demo cases opened by this seeding, by story key (``casework.STORIES``)
    cases: dict[str, Any] = field(default_factory=dict)

    def referent(self, slug: str) -> User:
        """The demo référent of a commune: the seeded imports, runs and decisions are theirs."""
        return next(
            self.users[a.username]
            for a in DEMO_ACCOUNTS
            if a.commune_slug == slug and a.role == Role.REFERENT
        )


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


class NamedAccount(Protocol):
    """A demo account of either wing (read-only: the accounts are frozen dataclasses)."""

    @property
    def username(self) -> str: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def organisation(self) -> str: ...
    @property
    def password(self) -> str: ...


def demo_user(account: NamedAccount) -> tuple[User, bool]:
    """The demo account's user, created with its password if missing (an existing one is left as it is:
    its password, charter and second factor stay); and whether it was created."""
    user = User.objects.filter(username=account.username).first()
    if user is not None:
        return user, False
    user = User(
        username=account.username,
        first_name=account.first_name,
        last_name=account.last_name,
        organisation=account.organisation,
    )
    user.set_password(account.password)
    user.save()
    return user, True


def create_accounts(ctx: DemoContext) -> None:
    """One account per demo login, charter not accepted: the person accepts it at first login.

    An account already there keeps its password, charter and second factor: the seed only adds
    what is missing.
    """
    created = 0
    for account in DEMO_ACCOUNTS:
        user, new = demo_user(account)
        created += new
        Membership.objects.get_or_create(
            user=user, commune=ctx.communes[account.commune_slug], defaults={"role": account.role}
        )
        ctx.users[account.username] = user
    ctx.say(f"Comptes de démonstration : {created} créé(s), {len(DEMO_ACCOUNTS) - created} déjà présent(s).")


def write_files(ctx: DemoContext) -> None:
    """Write each commune's synthetic files (``veille.synth``), and the first commune's next year.

    The same seed gives the same children, so writing again changes nothing.
    """
    from veille.synth import generate_commune, write_commune

    for demo in DEMO_COMMUNES:
        count = max(50, round(ctx.children * demo.children_share))
        synthetic = generate_commune(
            count, seed=ctx.seed + demo.seed_offset, school_year=ctx.school_year, rates=DEMO_RATES
        )
        ctx.files[demo.slug] = write_commune(synthetic, ctx.data_dir / demo.slug)
        if demo is COMMUNE_A and ctx.next_year_dir is not None:
            write_next_year(synthetic, ctx.next_year_dir)
            ctx.say(f"Fichiers de l'année scolaire suivante à déposer vous-même : {ctx.next_year_dir}")


def next_school_year(school_year: str) -> str:
    """``"2026-2027"`` -> ``"2027-2028"``."""
    first = int(school_year.split("-")[0])
    return f"{first + 1}-{first + 2}"


def write_next_year(synthetic: Any, out_dir: Path) -> dict[str, Path]:
    """The same commune one school year later: the same children (one year older), a few gone.

    ``veille.synth`` draws birth dates relative to the school year it is given, so generating the next
    year with the same seed would make every child one year younger than in the database. The files
    of next year are derived from this year's instead:

    - children files: the same rows (identifiers, names, birth dates), less one in
      :data:`NEXT_YEAR_MOVED_EVERY` (the family moved away);
    - schooling files: the same records, each child one class up (``TPS`` -> ``PS`` … ``3E`` -> ``2DE``);
    - the children who turn 3 that year enter *petite section* in the commune's nursery school (an ONDE
      record), except one in :data:`NEXT_YEAR_UNENROLLED_EVERY`, left for the cell to find.

    ``verite.csv`` is not written: nothing there is to upload.
    """
    from itertools import pairwise

    import pandas as pd

    from veille.synth import write_commune
    from veille.synth.generator import LEVELS

    next_year = next_school_year(synthetic.school_year)
    children = synthetic.children
    kept = children[children.index % NEXT_YEAR_MOVED_EVERY != NEXT_YEAR_MOVED_EVERY - 1]
    up = {"TPS": "PS", **dict(pairwise(LEVELS))}
    schooling = {
        source: frame.assign(niveau=frame["niveau"].map(lambda level: up.get(level, level)))
        for source, frame in synthetic.schooling.items()
    }
    born = pd.to_datetime(kept["date_naissance"], format="%d/%m/%Y", errors="coerce")
    turning_3 = kept[born.dt.year == int(next_year[:4]) - 3]
    rank = pd.Series(range(len(turning_3)), index=turning_3.index)
    entering = turning_3[rank % NEXT_YEAR_UNENROLLED_EVERY != NEXT_YEAR_UNENROLLED_EVERY - 1]
    onde = schooling["ONDE"]
    nursery = onde[onde["niveau"].isin(["PS", "MS", "GS"])].groupby(["etablissement", "uai"]).size().idxmax()
    petite_section = pd.DataFrame(
        {
            "source": "ONDE",
            "identifiant": [f"{990000000 + i:09d}PS" for i in range(len(entering))],
            "nom": entering["nom"].str.upper(),
            "prenoms": entering["prenoms"].str.split().str[0],
            "date_naissance": pd.to_datetime(entering["date_naissance"], format="%d/%m/%Y").dt.strftime(
                "%Y-%m-%d"
            ),
            "sexe": entering["sexe"],
            "etablissement": nursery[0],
            "uai": nursery[1],
            "niveau": "PS",
            "adresse": entering["adresse"],
            "code_postal": entering["code_postal"],
            "commune": entering["commune"],
        },
        columns=onde.columns,
    )
    schooling["ONDE"] = pd.concat([onde, petite_section], ignore_index=True)
    following = replace(synthetic, children=kept, schooling=schooling, school_year=next_year)
    written = write_commune(following, out_dir)
    written.pop("verite.csv").unlink()
    # The same ONDE and SIECLE records as the schools export them, and one archive of them to upload
    # instead of scolarite_onde.csv and scolarite_siecle.csv. The pupils who left did so last summer,
    # a date already past when the demo runs (a future one would still count them as enrolled).
    from veille.synth.exports import pack_real_exports, write_real_exports

    real = out_dir / "exports-reels"
    write_real_exports(following, real, exit_date=date(int(synthetic.school_year[:4]), 7, 5))
    written["exports-reels/onde_siecle.7z"] = pack_real_exports(real, real / "onde_siecle.7z")
    return written


def _has_rows(path: Path) -> bool:
    with path.open("rb") as lines:
        return sum(1 for line in lines if line.strip()) > 1


def import_files(ctx: DemoContext) -> None:
    """Import each commune's children and schooling files of the school year, as the upload form does.

    A commune that already has a confirmed import for the year is left as it is.
    """
    from veille.web.cellule.imports.models import Import
    from veille.web.cellule.imports.services import import_files as import_from_disk

    for demo in DEMO_COMMUNES:
        commune = ctx.communes[demo.slug]
        if Import.objects.confirmed_for(commune, ctx.school_year).exists():
            ctx.say(f"Fichiers {ctx.school_year} de {commune.name} : déjà importés.")
            continue
        # A small commune may have no child in some source (e.g. CNED): its file has only headers.
        files = {name: path for name, path in ctx.files[demo.slug].items() if _has_rows(path)}
        import_from_disk(
            commune=commune,
            user=ctx.referent(demo.slug),
            children_paths=[p for name, p in sorted(files.items()) if name.startswith("enfants_")],
            schooling_paths=[p for name, p in sorted(files.items()) if name.startswith("scolarite_")],
            school_year=ctx.school_year,
        )
        total = Child.objects.filter(commune=commune).count()
        ctx.say(f"Fichiers {ctx.school_year} de {commune.name} importés : {total} enfants dans la liste.")


def cross(ctx: DemoContext) -> None:
    """Cross each commune's files of the school year, synchronously (no worker during the seeding).

    A commune already crossed for the year is not crossed again.
    """
    from veille.web.cellule.imports.models import CrossingRun, RunStatus
    from veille.web.cellule.imports.services import execute_run

    for demo in DEMO_COMMUNES:
        commune = ctx.communes[demo.slug]
        done = CrossingRun.objects.filter(commune=commune, school_year=ctx.school_year, status=RunStatus.DONE)
        if done.exists():
            ctx.say(f"Croisement {ctx.school_year} de {commune.name} : déjà fait.")
            continue
        run = CrossingRun.objects.create(
            commune=commune, school_year=ctx.school_year, launched_by=ctx.referent(demo.slug)
        )
        run = execute_run(run.pk)
        if run.status != RunStatus.DONE:
            raise RuntimeError(f"le croisement de démonstration n° {run.pk} a échoué : {run.error}")
        counts = ", ".join(f"{label.lower()} : {n}" for label, n in run.status_counts())
        ctx.say(f"Croisement {ctx.school_year} de {commune.name} : {counts}.")


def settle_matches(ctx: DemoContext) -> None:
    """The référent settles the two first uncertain matches (one the same child, one not); the others
    wait in « À vérifier ».

    However few the crossing left, one at least is left undecided: the demo shows the review too.
    """
    from veille.web.cellule.imports.models import MatchDecision, Outcome
    from veille.web.cellule.imports.services import decide

    commune = ctx.communes[COMMUNE_A.slug]
    if MatchDecision.objects.filter(commune=commune).exists():
        return
    to_review = Outcome.objects.to_review(commune)
    settled = min(2, to_review.count() - 1)
    pending = list(to_review.exclude(candidate=None).order_by("-score", "pk")[: max(settled, 0)])
    for outcome, same in zip(pending, (True, False), strict=False):
        decide(outcome=outcome, same=same, user=ctx.referent(COMMUNE_A.slug))
    left = Outcome.objects.to_review(commune).count()
    ctx.say(f"Rapprochements incertains : {len(pending)} tranché(s), {left} à vérifier.")


def seed_cite_educative(ctx: DemoContext) -> None:
    """The fictional Cité éducative of the first commune: actions, funds, governance, review,
    regional network (and a second cité in the same region)."""
    from veille.web.demo.cite import seed_cite

    demo = seed_cite(communes=[ctx.communes[COMMUNE_A.slug], "Commune voisine (hors Veille)"])
    ctx.say(f"Cité éducative « {demo.cite.name} » : {demo.cite.actions.count()} fiches action.")


#: What the browser tests start from: communes, accounts and files, nothing imported yet.
BASE_STEPS: list[Step] = [ensure_deadline_rules, create_communes, create_accounts, write_files]
#: The seeding, in order.
STEPS: list[Step] = [
    *BASE_STEPS,
    import_files,
    cross,
    settle_matches,
    open_cases,
    generate_letters,
    hold_meetings,
    seed_cite_educative,
]


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
    next_year_dir: Path | None = None,
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
        next_year_dir: where the first commune's files of the next school year are written, for a
            person to upload them from the browser (not written if None).
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
        next_year_dir=None if next_year_dir is None else Path(next_year_dir),
        say=say,
    )
    for step in STEPS if steps is None else steps:
        with transaction.atomic():
            step(ctx)
    return ctx


def accounts_table() -> str:
    """The demo accounts as the terminal shows them after seeding (the cell's, then the cité's)."""
    from veille.web.demo.cite import ACCOUNTS as CITE_ACCOUNTS

    rows = [
        (
            a.username,
            a.password,
            f"{a.role.label} — {next(c.name for c in DEMO_COMMUNES if c.slug == a.commune_slug)}",
        )
        for a in DEMO_ACCOUNTS
    ]
    rows += [(a.username, a.password, f"{a.role.label} — cité éducative") for a in CITE_ACCOUNTS]
    login = max(len(r[0]) for r in rows)
    password = max(len(r[1]) for r in rows)
    return "\n".join(f"  {user:<{login}}  {secret:<{password}}  {role}" for user, secret, role in rows)
