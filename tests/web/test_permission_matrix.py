"""The permission matrix: every URL pattern × every role × GET and POST, from Django's route table.

One world is built once for the module (the web demo: two communes, two cités) and every request
runs in a savepoint rolled back after its test. For each URL pattern, :data:`ROWS` says who may reach
it (a rule on the role table, never a list of observed answers) and which objects fill its address.
Each role then asks for it three ways:

- *own*: a member of commune A (or of the cité des Tilleuls) on its own place's objects: the status
  the row says (allowed: 200 or a redirect that is not to the login page; refused: 403, or 404 where
  the object is hidden from that role);
- *other place*: a member of commune B (or of the other cité) at commune A's address: 404;
- *other object*: the same member at its own place's address with commune A's objects: 403 or 404.

Every child of commune A carries a marker in each personal field (name, first names, birth date,
address, parent's name); a page, PDF, spreadsheet or document that shows it to a role without
``view_children``, or to anyone of commune B, is a leak. A URL pattern without a row fails the test.
"""

from __future__ import annotations

import io
import os
import time
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from veille.web.cellule.cases.models import Case
from veille.web.cellule.children.models import Child
from veille.web.cellule.documents.models import GeneratedLetter, LetterKind
from veille.web.cellule.imports.models import CrossingRun, Import, Outcome, SchoolingRecord
from veille.web.cellule.meetings.models import AgendaItem, Meeting, Participant
from veille.web.cite.actions.models import Action
from veille.web.cite.cites.models import Cite, CiteMembership, Partner, School
from veille.web.cite.cites.roles import CITE_PERMISSIONS, CiteCapability, CiteRole
from veille.web.cite.funds.models import Commitment, Contribution, Payment
from veille.web.cite.governance.models import Meeting as CiteMeeting
from veille.web.cite.network.models import Experience, NetworkMeeting
from veille.web.cite.review.models import Review
from veille.web.common.accounts.models import CHARTER_VERSION, Membership, User
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.territories.models import Commune
from veille.web.demo import seed

pytestmark = pytest.mark.django_db

CELL_ROLES = list(Role)
CITE_ROLES = list(CiteRole)
#: every account the matrix tries: the cell's roles, the cité's roles, a person with no seat, nobody
ROLES: list[str] = [r.value for r in CELL_ROLES] + [r.value for r in CITE_ROLES] + ["sans-siege", "anonyme"]

#: the markers every personal field of commune A's children carries (lower case: compared so)
MARKERS_A = ("zqxanom", "zqxaprenom", "zqxarue", "zqxaparent", "17/11/2013", "2013-11-17", "17 novembre 2013")
MARKERS_B = ("zqxbnom", "zqxbprenom", "zqxbrue", "zqxbparent")
BIRTH_A, BIRTH_B = date(2013, 11, 17), date(2014, 10, 19)


# --- the rules of the rows -------------------------------------------------------------------------


def cell(*capabilities: Capability, any_of: bool = False) -> frozenset[str]:
    """The cell roles holding every capability given (or one of them, with ``any_of``)."""
    test = any if any_of else all
    return frozenset(r.value for r in CELL_ROLES if test(c in PERMISSIONS[r] for c in capabilities))


def cite(*capabilities: CiteCapability, any_of: bool = False) -> frozenset[str]:
    test = any if any_of else all
    return frozenset(r.value for r in CITE_ROLES if test(c in CITE_PERMISSIONS[r] for c in capabilities))


ANY_CELL = frozenset(r.value for r in CELL_ROLES)
ANY_CITE = frozenset(r.value for r in CITE_ROLES)
EVERYONE = frozenset(ROLES) - {"anonyme"}
NOBODY: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Row:
    """Who may reach one URL pattern, and with which objects.

    Attributes:
        get, post: the roles allowed to GET / POST (``None``: the method is refused to all, 405).
        objects: the URL arguments (besides the place's slug) from the world, for one side.
        hidden: roles that get a 404 instead of a 403 (the object is not visible to them at all).
        public: reachable without logging in (the login page).
        query: a query string added to the address.
    """

    get: frozenset[str] | None
    post: frozenset[str] | None
    objects: Callable[[World, str], dict[str, Any]] = lambda w, side: {}
    hidden: frozenset[str] = frozenset()
    public: bool = False
    query: str = ""


def obj(key: str, kwarg: str = "pk") -> Callable[[World, str], dict[str, Any]]:
    return lambda w, side: {kwarg: w.ids[side][key]}


# --- the world -------------------------------------------------------------------------------------


@dataclass
class World:
    communes: dict[str, Commune] = field(default_factory=dict)
    cites: dict[str, Cite] = field(default_factory=dict)
    #: per side ("a": commune A and the cité des Tilleuls; "b": commune B and the other cité)
    ids: dict[str, dict[str, Any]] = field(default_factory=lambda: {"a": {}, "b": {}})
    users: dict[tuple[str, str], User] = field(default_factory=dict)


def _mark_children(ctx: seed.DemoContext) -> None:
    """Put the markers in every personal field, before cases, letters and meetings are made."""
    for side, slug, birth in (("a", seed.COMMUNE_A.slug, BIRTH_A), ("b", seed.COMMUNE_B.slug, BIRTH_B)):
        commune = ctx.communes[slug]
        Child.objects.filter(commune=commune).update(
            last_name=f"Zqx{side}nom",
            first_names=f"Zqx{side}prenom",
            birth_date=birth,
            claimant_last_name=f"Zqx{side}parent",
            claimant_first_name=f"Zqx{side}parent",
            address=f"1 Zqx{side}rue",
        )
        SchoolingRecord.objects.filter(commune=commune).update(
            last_name=f"Zqx{side}nom",
            first_names=f"Zqx{side}prenom",
            birth_date=birth.isoformat(),
            address=f"1 Zqx{side}rue",
        )


def _seat(world: World, side: str, role: str) -> User:
    user = User.objects.create(username=f"matrice-{side}-{role}", charter_version=CHARTER_VERSION)
    if role in {r.value for r in CELL_ROLES}:
        commune = world.communes[side]
        Membership.objects.create(user=user, commune=commune, role=role)
    elif role in {r.value for r in CITE_ROLES}:
        the_cite = world.cites[side]
        partner = Partner.objects.filter(cite=the_cite).first() if role == CiteRole.PARTNER else None
        if role == CiteRole.PARTNER and partner is None:
            partner = Partner.objects.create(cite=the_cite, name="Partenaire de la matrice")
        CiteMembership.objects.create(
            user=user,
            cite=the_cite,
            role=role,
            partner=partner,
            troika_seat=CiteMembership.TroikaSeat.PREFECT if role == CiteRole.TROIKA else "",
        )
    return user


BUILT = [0.0]


def build_world(data_dir) -> World:
    BUILT[0] = time.perf_counter()
    steps = [*seed.STEPS]
    steps.insert(steps.index(seed.open_cases), _mark_children)
    ctx = seed.seed_demo(children=40, force=True, say=lambda line: None, data_dir=data_dir, steps=steps)
    world = World()
    world.communes = {"a": ctx.communes[seed.COMMUNE_A.slug], "b": ctx.communes[seed.COMMUNE_B.slug]}
    tilleuls = Cite.objects.get(slug="cite-des-tilleuls")
    world.cites = {"a": tilleuls, "b": Cite.objects.exclude(pk=tilleuls.pk).get()}
    a = world.communes["a"]
    ids = world.ids["a"]
    prosecutor_cases = Case.objects.filter(events__kind="transmission", events__to_role=Role.PROSECUTOR)
    letter = GeneratedLetter.objects.filter(commune=a).exclude(case__in=prosecutor_cases).first()
    assert letter is not None, "the demo generates letters on a case not transmitted to the Parquet"
    meeting = Meeting.objects.filter(commune=a, items__isnull=False).first()
    ids.update(
        child=Child.objects.filter(commune=a).first().pk,
        case=letter.case_id,
        letter=letter.pk,
        rule=Case.objects.none().model._meta.apps.get_model("cases", "DeadlineRule").objects.first().pk,
        import_=Import.objects.filter(commune=a).first().pk,
        run=CrossingRun.objects.filter(commune=a).first().pk,
        outcome=Outcome.objects.filter(run__commune=a).first().pk,
        meeting=meeting.pk,
        participant=Participant.objects.filter(meeting=meeting).first().pk,
        item=AgendaItem.objects.filter(meeting=meeting).first().pk,
        step=next(
            iter(letter.case.available_transitions(Membership(commune=a, role=Role.REFERENT)))
        ).name.replace("_", "-"),
    )
    t = world.cites["a"]
    action = Action.objects.filter(cite=t).first()
    ids.update(
        school=School.objects.filter(cite=t).first().pk,
        partner=Partner.objects.filter(cite=t).first().pk,
        cite_member=CiteMembership.objects.filter(cite=t).first().pk,
        action=action.pk,
        contribution=Contribution.objects.filter(cite=t).first().pk,
        commitment=Commitment.objects.filter(cite=t).first().pk,
        payment=Payment.objects.filter(commitment__cite=t).first().pk,
        cite_meeting=CiteMeeting.objects.filter(cite=t).first().pk,
        year=Review.objects.filter(cite=t).first().year,
        experience=Experience.objects.filter(cite=t).first().pk,
    )
    ids["member"] = Membership.objects.filter(commune=a).exclude(role=Role.REFERENT).first().pk
    ids["kind"] = LetterKind.values[0]
    ids["network_meeting"] = NetworkMeeting.objects.create(
        region=t.region, host=t, held_on=date(2026, 3, 12), place="Salle de la matrice"
    ).pk
    # Side B asks for side A's objects: its own place's slug with A's identifiers.
    world.ids["b"] = dict(ids)
    for side in ("a", "b"):
        for role in ROLES[:-1]:
            world.users[(side, role)] = _seat(world, side, role)
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock(), transaction.atomic():
        yield build_world(tmp_path_factory.mktemp("matrice"))
        transaction.set_rollback(True)


# --- the rows --------------------------------------------------------------------------------------

C, K = Capability, CiteCapability
CASE_READERS = cell(C.VIEW_CASES, C.VIEW_TRANSMITTED_CASES, any_of=True)


def kw(**keys: str) -> Callable[[World, str], dict[str, Any]]:
    """URL arguments from the world's identifiers: ``kw(pk="case")``; a value in quotes is literal."""

    def objects(w: World, side: str) -> dict[str, Any]:
        return {k: (v[1:-1] if v.startswith("'") else w.ids[side][v]) for k, v in keys.items()}

    return objects


def R(get: frozenset[str] | None = NOBODY, post: frozenset[str] | None = NOBODY, **options: Any) -> Row:
    return Row(get=get, post=post, **options)


ROWS: dict[str, Row] = {
    # the account pages
    "home": R(),
    "accounts:login": R(public=True),
    "accounts:logout": R(),
    "accounts:charter": R(),
    "accounts:totp_setup": R(),
    "accounts:totp_verify": R(),
    # the commune's cell
    "cellule:home": R(),
    "audit:index": R(),
    "members:index": R(),
    "members:change": R(objects=kw(pk="member")),
    "children:index": R(),
    "children:detail": R(objects=kw(pk="child")),
    "imports:index": R(),
    "imports:upload": R(),
    "imports:detail": R(objects=kw(pk="import_")),
    "imports:confirm": R(objects=kw(pk="import_")),
    "imports:cancel": R(objects=kw(pk="import_")),
    "imports:launch": R(),
    "imports:run": R(objects=kw(pk="run")),
    "imports:run_progress": R(objects=kw(pk="run")),
    "imports:review": R(),
    "imports:review_item": R(objects=kw(pk="outcome")),
    "imports:decide": R(objects=kw(pk="outcome")),
    "cases:index": R(),
    "cases:todo": R(),
    "cases:open": R(),
    "cases:rules": R(),
    "cases:rule_edit": R(objects=kw(pk="rule")),
    "cases:detail": R(objects=kw(pk="case")),
    "cases:fire": R(objects=kw(pk="case", name="step")),
    "cases:note": R(objects=kw(pk="case")),
    "cases:hand_over": R(objects=kw(pk="case")),
    "documents:templates": R(),
    "documents:template_edit": R(objects=kw(kind="kind")),
    "documents:letterhead": R(),
    "documents:case_letters": R(objects=kw(case="case")),
    "documents:generate": R(objects=kw(case="case")),
    "documents:download": R(objects=kw(pk="letter")),
    "meetings:index": R(),
    "meetings:create": R(),
    "meetings:detail": R(objects=kw(pk="meeting")),
    "meetings:edit": R(objects=kw(pk="meeting")),
    "meetings:mark_held": R(objects=kw(pk="meeting")),
    "meetings:add_participant": R(objects=kw(pk="meeting")),
    "meetings:update_participant": R(objects=kw(pk="meeting", participant="participant")),
    "meetings:add_case": R(objects=kw(pk="meeting")),
    "meetings:remove_case": R(objects=kw(pk="meeting", item="item")),
    "meetings:decide": R(objects=kw(pk="meeting", item="item")),
    "meetings:report": R(objects=kw(pk="meeting")),
    "protection:purge": R(),
    "protection:exports": R(),
    "protection:export_open_cases": R(),
    "protection:download": R(objects=kw(token="'jeton-inconnu'")),
    "protection:right_of_access_search": R(),
    "protection:right_of_access": R(objects=kw(child="child")),
    "indicators:index": R(),
    "indicators:report_pdf": R(),
    "indicators:report_xlsx": R(),
    "indicators:export_json": R(),
    "indicators:export_csv": R(),
    "indicators_department:index": R(),
    "indicators_department:import": R(),
    # the cité éducative
    "cites:list": R(),
    "cites:home": R(),
    "cites:edit": R(),
    "cites:territory": R(),
    "cites:add_to_territory": R(objects=kw(kind="'etablissement'")),
    "cites:edit_in_territory": R(objects=kw(kind="'etablissement'", pk="school")),
    "cites:delete_from_territory": R(objects=kw(kind="'etablissement'", pk="school")),
    "cites:partners": R(),
    "cites:partner_create": R(),
    "cites:partner_edit": R(objects=kw(pk="partner")),
    "cites:members": R(),
    "cites:deactivate_member": R(objects=kw(pk="cite_member")),
    "cites:journal": R(),
    "framework:index": R(),
    "diagnostic:index": R(),
    "diagnostic:add_finding": R(),
    "diagnostic:add_indicator": R(),
    "diagnostic:import_csv": R(),
    "actions:index": R(),
    "actions:create": R(),
    "actions:detail": R(objects=kw(pk="action")),
    "actions:edit": R(objects=kw(pk="action")),
    "actions:transition": R(objects=kw(pk="action")),
    "actions:budget": R(objects=kw(pk="action")),
    "actions:add_indicator": R(objects=kw(pk="action")),
    "actions:execution": R(objects=kw(pk="action")),
    "funds:index": R(),
    "funds:add_contribution": R(),
    "funds:add_default_contributions": R(),
    "funds:add_commitment": R(),
    "funds:add_payment": R(),
    "funds:edit_contribution": R(objects=kw(pk="contribution")),
    "funds:delete_contribution": R(objects=kw(pk="contribution")),
    "funds:edit_commitment": R(objects=kw(pk="commitment")),
    "funds:delete_commitment": R(objects=kw(pk="commitment")),
    "funds:edit_payment": R(objects=kw(pk="payment")),
    "funds:delete_payment": R(objects=kw(pk="payment")),
    "governance:index": R(),
    "governance:instance_create": R(),
    "governance:meeting_create": R(),
    "governance:meeting": R(objects=kw(pk="cite_meeting")),
    "governance:meeting_edit": R(objects=kw(pk="cite_meeting")),
    "governance:attendance": R(objects=kw(pk="cite_meeting")),
    "governance:decision": R(objects=kw(pk="cite_meeting")),
    "governance:minutes": R(objects=kw(pk="cite_meeting")),
    "review:index": R(),
    "review:protocol_add": R(),
    "review:protocol_prefill": R(),
    "review:create": R(),
    "review:detail": R(objects=kw(year="year")),
    "review:pdf": R(objects=kw(year="year")),
    "review:docx": R(objects=kw(year="year")),
    "network_cite:index": R(),
    "network_cite:create": R(objects=kw(action="action")),
    "network_cite:edit": R(objects=kw(pk="experience")),
    "network_cite:publish": R(objects=kw(pk="experience")),
    "network:index": R(),
    "network:experience": R(objects=kw(pk="experience")),
    "network:meetings": R(),
    "network:meeting_create": R(),
    "network:meeting_edit": R(objects=kw(pk="network_meeting")),
    "network:minutes": R(objects=kw(pk="network_meeting")),
}


# --- the run ---------------------------------------------------------------------------------------


def url_patterns() -> list[tuple[str, str]]:
    """Every named URL pattern of the route table: (name, route)."""
    found: list[tuple[str, str]] = []

    def walk(patterns: Iterable[Any], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern):
                found.append((f"{namespace}{p.name}", prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def body_text(response) -> str:
    """What a person could read in the answer: the page, or the text inside a PDF or an Office file."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content.startswith(b"%PDF"):
        from pypdf import PdfReader

        return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)
    if content.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
    return content.decode("utf-8", "replace")


def address(world: World, name: str, route: str, row: Row, side: str) -> str:
    kwargs = row.objects(world, side) if row.objects else {}
    if "<slug:commune>" in route:
        kwargs["commune"] = world.communes[side].slug
    if "<slug:cite>" in route:
        kwargs["cite"] = world.cites[side].slug
    return reverse(name, kwargs=kwargs) + (f"?{row.query}" if row.query else "")


def ask(client, world: World, side: str, role: str, method: str, url: str):
    client.logout()
    if role != "anonyme":
        client.force_login(world.users[(side, role)])
    call = client.get if method == "GET" else client.post
    return call(url)


PATTERNS = url_patterns()


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing = sorted(name for name, _ in PATTERNS if name not in ROWS)
    stale = sorted(set(ROWS) - {name for name, _ in PATTERNS})
    assert not missing, f"URL sans ligne dans la matrice des droits : {missing}"
    assert not stale, f"lignes de la matrice sans URL : {stale}"


DUMP = os.environ.get("VEILLE_MATRIX_DUMP")


@pytest.mark.skipif(not DUMP, reason="dump mode only")
def test_dump(world, client):
    with open(DUMP, "w") as f:  # written line by line: a long run shows its progress
        f.write(f"world built {time.perf_counter() - BUILT[0]:.1f}s\n")
        for name, route in PATTERNS:
            row = ROWS[name]
            url = address(world, name, route, row, "a")
            started = time.perf_counter()
            line = []
            for role in ROLES:
                codes = []
                for method in ("GET", "POST"):
                    with transaction.atomic():
                        r = ask(client, world, "a", role, method, url)
                        text = body_text(r).lower() if r.status_code == 200 else ""
                        leak = any(m in text for m in MARKERS_A)
                        codes.append(f"{r.status_code}{'!' if leak else ''}")
                        transaction.set_rollback(True)
                line.append(f"{role}={'/'.join(codes)}")
            f.write(f"{name} {url} {time.perf_counter() - started:.2f}s\n    " + " ".join(line) + "\n")
            f.flush()
