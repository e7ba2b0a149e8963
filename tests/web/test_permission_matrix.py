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
``view_children``, or to anyone of commune B, is a leak. Every answer carries ``Cache-Control:
no-store`` and the CSP. A URL pattern without a row fails the test.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import SimpleNamespace
from typing import Any

import pytest
import weasyprint
from django.conf import settings
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from veille.web.cellule.cases.models import ACT_ROLES, Case
from veille.web.cellule.children.models import Child, Link, ResponsiblePerson
from veille.web.cellule.documents.law import AUTHORITY_ROLES, Authority
from veille.web.cellule.documents.models import GeneratedLetter, LetterKind
from veille.web.cellule.imports.models import (
    CrossingRun,
    EncodedUpload,
    Import,
    Outcome,
    RevealItem,
    RunStatus,
    SchoolingRecord,
)
from veille.web.cellule.meetings.models import AgendaItem, Meeting, Participant
from veille.web.cite.actions.models import Action
from veille.web.cite.cites.models import Cite, CiteMembership, Partner, School
from veille.web.cite.cites.roles import CITE_PERMISSIONS, CiteCapability, CiteRole
from veille.web.cite.funds.models import Commitment, Contribution, Payment
from veille.web.cite.governance.models import Meeting as CiteMeeting
from veille.web.cite.network.models import Experience, NetworkMeeting
from veille.web.cite.review.models import Review
from veille.web.common import pdf
from veille.web.common.accounts.models import CHARTER_VERSION, Invitation, Membership, User
from veille.web.common.accounts.roles import PERMISSIONS, Capability, Role
from veille.web.common.territories.models import Commune
from veille.web.demo import seed

pytestmark = [pytest.mark.django_db, pytest.mark.matrix]

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
        query: a query string added to the address (``{child}`` takes the world's identifier).
    """

    get: frozenset[str] | None
    post: frozenset[str] | None
    objects: Callable[[World, str], dict[str, Any]] = lambda w, side: {}
    hidden: frozenset[str] = frozenset()
    public: bool = False
    query: str = ""
    #: the place's gate answers before the method check (``@cite_member_required`` over
    #: ``@require_POST``): the refused method then gives 405 only to those the gate lets in
    gate_first: bool = False
    #: with ``gate_first``, the roles that gate lets reach the method check, when it asks less than the
    #: allowed method does (``None``: the roles allowed the other method)
    gate: frozenset[str] | None = None
    #: only the login comes before the method check (the capability is checked inside the view)
    login_first: bool = False
    #: the objects are not one place's (national deadline rules, a letter kind): no "other object" check
    shared: bool = False


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
    #: the partner whose organisation leads the action of the rows (the matrix partner sits for it)
    lead: dict[str, Partner] = field(default_factory=dict)


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
        partner = None
        if role == CiteRole.PARTNER:
            partner = world.lead.get(side) or Partner.objects.filter(cite=the_cite).first()
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


def build_world(data_dir) -> World:
    steps = [*seed.STEPS]
    steps.insert(steps.index(seed.open_cases), _mark_children)
    ctx = seed.seed_demo(children=40, force=True, say=lambda line: None, data_dir=data_dir, steps=steps)
    world = World()
    world.communes = {"a": ctx.communes[seed.COMMUNE_A.slug], "b": ctx.communes[seed.COMMUNE_B.slug]}
    tilleuls = Cite.objects.get(slug="cite-des-tilleuls")
    world.cites = {"a": tilleuls, "b": Cite.objects.exclude(pk=tilleuls.pk).get()}
    a = world.communes["a"]
    ids = world.ids["a"]
    # A child's case transmitted to neither the Parquet nor the préfecture (the demo also writes letters
    # on a school's or a place's cases, which the préfecture sees and which name no child).
    transmitted = Case.objects.filter(
        events__kind="transmission", events__to_role__in=[Role.PROSECUTOR, Role.PREFECTURE]
    )
    letter = (
        GeneratedLetter.objects.filter(commune=a, case__child__isnull=False)
        .exclude(case__in=transmitted)
        .order_by("pk")
        .first()
    )
    assert letter is not None, "the demo generates letters on a child's case kept in the commune"
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
    action = Action.objects.filter(cite=t, lead_partner__isnull=False).first()
    world.lead["a"] = action.lead_partner
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
    ids["person"] = ResponsiblePerson.objects.create(
        child_id=ids["child"], link=Link.MOTHER, last_name="Zqxaparent", address="2 Zqxarue"
    ).pk
    ids["member"] = Membership.objects.filter(commune=a).exclude(role=Role.REFERENT).first().pk
    # An encrypted crossing with one identifier to reveal at the CAF, older than the demo's runs (the
    # latest run, that the pages read, stays the demo's).
    encrypted = CrossingRun.objects.create(
        commune=a,
        school_year="2026-2027",
        launched_by=Membership.objects.filter(commune=a).first().user,
        status=RunStatus.DONE,
        encrypted=True,
        campaign="2026-12",
        counts={"statut": {"non_trouve": 1}, "enfants": 1, "inscriptions": 0},
    )
    CrossingRun.objects.filter(pk=encrypted.pk).update(created_at=timezone.now() - timedelta(days=3650))
    EncodedUpload.objects.create(
        run=encrypted, kind="enfants", holder="CAF", file_name="caf.npz", sha256="0" * 64, rows=1
    )
    RevealItem.objects.create(run=encrypted, holder="CAF", identifier="0" * 24, kind="non_trouve")
    ids["encrypted_run"] = encrypted.pk
    ids["kind"] = LetterKind.values[0]
    ids["invitation"] = Invitation.objects.create(commune=a, username="personne.invitee", role=Role.READER).pk
    ids["network_meeting"] = NetworkMeeting.objects.create(
        region=t.region, host=t, held_on=date(2026, 3, 12), place="Salle de la matrice"
    ).pk
    # Side B asks for side A's objects: its own place's slug with A's identifiers.
    world.ids["b"] = dict(ids)
    for side in ("a", "b"):
        for role in ROLES[:-1]:
            world.users[(side, role)] = _seat(world, side, role)
    return world


class _SameHtmlSamePdf:
    """WeasyPrint's ``HTML`` for the pages of the matrix: a page's HTML is laid out once.

    The same HTML gives the same PDF; the many roles allowed a report (by GET and by POST) would
    otherwise lay it out again each time, most of the matrix's duration. A page that differs by role
    differs in its HTML, and is laid out for each.
    """

    made: dict[str, bytes] = {}

    def __init__(self, *, string: str, **options: Any) -> None:
        self.string, self.options = string, options

    def write_pdf(self) -> bytes:
        if self.string not in self.made:
            self.made[self.string] = weasyprint.HTML(string=self.string, **self.options).write_pdf()
        return self.made[self.string]


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            pdf, "weasyprint", SimpleNamespace(URLFetcher=weasyprint.URLFetcher, HTML=_SameHtmlSamePdf)
        )
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_world(tmp_path_factory.mktemp("matrice"))
            transaction.set_rollback(True)


# --- the rows --------------------------------------------------------------------------------------

C, K = Capability, CiteCapability
CASE_READERS = cell(C.VIEW_CASES, C.VIEW_TRANSMITTED_CASES, any_of=True)
#: the roles that see only the cases transmitted to them (and, for the préfecture, a school's or a
#: place's): the world's case, a child's, transmitted to neither, is hidden from them
TRANSMITTED_ONLY = cell(C.VIEW_TRANSMITTED_CASES) - cell(C.VIEW_CASES)
#: the roles that record the acts of a procedure: who moves cases, and the authors of the acts
ACT_RECORDERS = cell(C.EDIT_CASES) | frozenset(str(r) for r in ACT_ROLES)
#: the commune's templates by who edits them; the State's acts by the members acting for the State
STATE_AUTHORS = frozenset(str(r) for a in (Authority.DSDEN, Authority.PREFECTURE) for r in AUTHORITY_ROLES[a])
TEMPLATE_EDITORS = cell(C.EDIT_TEMPLATES) | (cell(C.GENERATE_LETTERS) & STATE_AUTHORS)
RECORD_EDITORS = cell(C.VIEW_CHILDREN, C.EDIT_CHILDREN)
ALL_IMPORTS = cell(C.IMPORT_FILES, C.VIEW_ALL_IMPORTS)
OWN_IMPORTS = cell(C.IMPORT_FILES) - ALL_IMPORTS
RUN_READERS = cell(C.VIEW_CHILDREN, C.RUN_CROSSING, any_of=True)
OPENERS_FROM_CHILD = cell(C.EDIT_CASES, C.VIEW_CASES, C.VIEW_CHILDREN)
LETTER_LISTERS = cell(C.VIEW_CASES, C.GENERATE_LETTERS, any_of=True)
LETTER_READERS = LETTER_LISTERS & cell(C.VIEW_CHILDREN)
ACTION_EDITORS = cite(K.EDIT_ALL_ACTIONS) | frozenset({CiteRole.PARTNER.value})
NETWORK = cite(K.SHARE_NETWORK)


def kw(**keys: str) -> Callable[[World, str], dict[str, Any]]:
    """URL arguments from the world's identifiers: ``kw(pk="case")``; a value in quotes is literal."""

    def objects(w: World, side: str) -> dict[str, Any]:
        return {k: (v[1:-1] if v.startswith("'") else w.ids[side][v]) for k, v in keys.items()}

    return objects


def R(get: frozenset[str] | None = NOBODY, post: frozenset[str] | None = NOBODY, **options: Any) -> Row:
    return Row(get=get, post=post, **options)


ROWS: dict[str, Row] = {
    # the account pages (no place in the address)
    "home": R(EVERYONE, EVERYONE),
    "accounts:login": R(EVERYONE | {"anonyme"}, EVERYONE | {"anonyme"}, public=True),
    "accounts:logout": R(None, EVERYONE | {"anonyme"}, public=True),
    "accounts:charter": R(EVERYONE, EVERYONE),
    "accounts:password_change": R(EVERYONE, EVERYONE),
    # an invitation addressed to nobody of the matrix: hidden from all
    "accounts:answer_invitation": R(None, NOBODY, objects=kw(pk="invitation"), hidden=EVERYONE),
    "accounts:totp_setup": R(EVERYONE, EVERYONE),
    "accounts:totp_verify": R(EVERYONE, EVERYONE),
    # the pages the law asks of a public website: read before logging in, never posted to
    "ui:accessibility": R(EVERYONE | {"anonyme"}, None, public=True),
    "ui:legal_notice": R(EVERYONE | {"anonyme"}, None, public=True),
    "ui:personal_data": R(EVERYONE | {"anonyme"}, None, public=True),
    # the commune's cell
    "cellule:home": R(ANY_CELL, ANY_CELL),
    "audit:index": R(cell(C.VIEW_AUDIT), None),
    "members:index": R(cell(C.MANAGE_MEMBERS), cell(C.MANAGE_MEMBERS)),
    "members:change": R(None, cell(C.MANAGE_MEMBERS), objects=kw(pk="member")),
    "children:index": R(cell(C.VIEW_CHILDREN), cell(C.VIEW_CHILDREN)),
    "children:detail": R(cell(C.VIEW_CHILDREN), cell(C.VIEW_CHILDREN), objects=kw(pk="child")),
    "children:edit_record": R(RECORD_EDITORS, RECORD_EDITORS, objects=kw(pk="child")),
    "children:delete_person": R(None, RECORD_EDITORS, objects=kw(pk="child", person="person")),
    "imports:index": R(cell(C.IMPORT_FILES), cell(C.IMPORT_FILES)),
    "imports:upload": R(cell(C.IMPORT_FILES), cell(C.IMPORT_FILES)),
    # another member's deposit: only for the roles that see every deposit
    "imports:detail": R(ALL_IMPORTS, ALL_IMPORTS, objects=kw(pk="import_"), hidden=OWN_IMPORTS),
    "imports:confirm": R(None, ALL_IMPORTS, objects=kw(pk="import_"), hidden=OWN_IMPORTS),
    "imports:cancel": R(None, ALL_IMPORTS, objects=kw(pk="import_"), hidden=OWN_IMPORTS),
    "imports:launch": R(None, cell(C.RUN_CROSSING)),
    "imports:run": R(RUN_READERS, RUN_READERS, objects=kw(pk="run")),
    "imports:run_progress": R(RUN_READERS, RUN_READERS, objects=kw(pk="run")),
    # the encrypted crossing: who launches crossings uploads the encoded files and downloads the lists
    # (pseudonyms only); importing the revealed identities also asks to see the children
    "imports:encrypted_new": R(cell(C.RUN_CROSSING), cell(C.RUN_CROSSING)),
    "imports:reveal_list": R(cell(C.RUN_CROSSING), None, objects=kw(pk="encrypted_run", holder="'CAF'")),
    "imports:reveal_upload": R(
        cell(C.RUN_CROSSING, C.VIEW_CHILDREN),
        cell(C.RUN_CROSSING, C.VIEW_CHILDREN),
        objects=kw(pk="encrypted_run"),
    ),
    "imports:review": R(cell(C.REVIEW_MATCHES), cell(C.REVIEW_MATCHES)),
    "imports:review_item": R(cell(C.REVIEW_MATCHES), cell(C.REVIEW_MATCHES), objects=kw(pk="outcome")),
    "imports:decide": R(None, cell(C.REVIEW_MATCHES), objects=kw(pk="outcome")),
    "cases:index": R(CASE_READERS, CASE_READERS),
    "cases:todo": R(cell(C.EDIT_CASES), cell(C.EDIT_CASES)),
    # opened from a child of the crossing: the child's identity is on the page
    "cases:open": R(OPENERS_FROM_CHILD, OPENERS_FROM_CHILD, query="enfant={child}"),
    "cases:rules": R(CASE_READERS, CASE_READERS),
    "cases:rule_edit": R(cell(C.EDIT_DEADLINES), cell(C.EDIT_DEADLINES), objects=kw(pk="rule"), shared=True),
    # a child's case transmitted to neither the Parquet nor the préfecture: hidden from them
    "cases:detail": R(CASE_READERS, CASE_READERS, objects=kw(pk="case"), hidden=TRANSMITTED_ONLY),
    # the acts are recorded by their authors (the capability is checked inside the view)
    "cases:fire": R(None, ACT_RECORDERS, objects=kw(pk="case", name="step"), hidden=TRANSMITTED_ONLY),
    "cases:notify": R(None, ACT_RECORDERS, objects=kw(pk="case"), hidden=TRANSMITTED_ONLY),
    "cases:note": R(None, cell(C.EDIT_CASES), objects=kw(pk="case"), hidden=TRANSMITTED_ONLY),
    # linking a child's case names the child: who moves cases and sees the children
    "cases:link": R(None, cell(C.EDIT_CASES, C.VIEW_CHILDREN), objects=kw(pk="case")),
    "cases:hand_over": R(None, cell(C.TRANSMIT_CASES), objects=kw(pk="case")),
    # each author edits the templates of its own letters: the list is theirs
    "documents:templates": R(TEMPLATE_EDITORS, TEMPLATE_EDITORS),
    "documents:template_edit": R(
        cell(C.EDIT_TEMPLATES), cell(C.EDIT_TEMPLATES), objects=kw(kind="kind"), shared=True
    ),
    "documents:letterhead": R(cell(C.EDIT_TEMPLATES), cell(C.EDIT_TEMPLATES)),
    # the DSDEN's letterhead, shared by the département's communes: by the members acting for it
    "documents:state_letterhead": R(
        cell(C.GENERATE_LETTERS) & frozenset(str(r) for r in AUTHORITY_ROLES[Authority.DSDEN]),
        cell(C.GENERATE_LETTERS) & frozenset(str(r) for r in AUTHORITY_ROLES[Authority.DSDEN]),
        objects=kw(authority="'dsden'"),
        shared=True,
    ),
    "documents:case_letters": R(
        LETTER_LISTERS, LETTER_LISTERS, objects=kw(case="case"), hidden=TRANSMITTED_ONLY
    ),
    "documents:generate": R(
        None,
        cell(C.GENERATE_LETTERS),
        objects=kw(case="case"),
        hidden=TRANSMITTED_ONLY & cell(C.GENERATE_LETTERS),
    ),
    # a letter names the child and the parents: the roles that list letters and see the identity
    "documents:download": R(LETTER_READERS, LETTER_READERS, objects=kw(pk="letter"), hidden=TRANSMITTED_ONLY),
    "meetings:index": R(cell(C.VIEW_MEETINGS), cell(C.VIEW_MEETINGS)),
    "meetings:create": R(cell(C.MANAGE_MEETINGS), cell(C.MANAGE_MEETINGS)),
    "meetings:detail": R(cell(C.VIEW_MEETINGS), cell(C.VIEW_MEETINGS), objects=kw(pk="meeting")),
    "meetings:edit": R(cell(C.MANAGE_MEETINGS), cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting")),
    "meetings:mark_held": R(None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting")),
    "meetings:add_participant": R(None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting")),
    "meetings:update_participant": R(
        None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting", participant="participant")
    ),
    "meetings:add_case": R(None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting")),
    "meetings:remove_case": R(None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting", item="item")),
    "meetings:decide": R(None, cell(C.MANAGE_MEETINGS), objects=kw(pk="meeting", item="item")),
    "meetings:report": R(cell(C.VIEW_MEETINGS), cell(C.VIEW_MEETINGS), objects=kw(pk="meeting")),
    "protection:purge": R(cell(C.PURGE), cell(C.PURGE)),
    "protection:exports": R(cell(C.EXPORT_DATA), None),
    "protection:export_open_cases": R(None, cell(C.EXPORT_DATA)),
    # an archive is only in the session of the person who made it: an unknown token is 404 for all
    "protection:download": R(NOBODY, None, objects=kw(token="'jeton-inconnu'"), hidden=ANY_CELL),
    "protection:right_of_access_search": R(cell(C.RIGHT_OF_ACCESS), None),
    "protection:right_of_access": R(
        cell(C.RIGHT_OF_ACCESS), cell(C.RIGHT_OF_ACCESS), objects=kw(child="child")
    ),
    "indicators:index": R(cell(C.VIEW_INDICATORS), cell(C.VIEW_INDICATORS)),
    "indicators:report_pdf": R(cell(C.VIEW_INDICATORS), cell(C.VIEW_INDICATORS)),
    "indicators:report_xlsx": R(cell(C.VIEW_INDICATORS), cell(C.VIEW_INDICATORS)),
    "indicators:export_json": R(cell(C.VIEW_INDICATORS), cell(C.VIEW_INDICATORS)),
    "indicators:export_csv": R(cell(C.VIEW_INDICATORS), cell(C.VIEW_INDICATORS)),
    "indicators_department:index": R(cell(C.VIEW_DEPARTMENT), cell(C.VIEW_DEPARTMENT)),
    "indicators_department:import": R(None, cell(C.VIEW_DEPARTMENT), login_first=True),
    # the cité éducative
    "cites:list": R(EVERYONE, EVERYONE),
    "cites:home": R(cite(K.VIEW), cite(K.VIEW)),
    "cites:edit": R(cite(K.EDIT_CITE), cite(K.EDIT_CITE)),
    "cites:territory": R(cite(K.VIEW), cite(K.VIEW)),
    # a kind of place, not an object of the cité: nothing of another cité to try
    "cites:add_to_territory": R(
        None, cite(K.EDIT_CITE), objects=kw(kind="'etablissement'"), gate_first=True, shared=True
    ),
    # one school of the territory: corrected (GET the form, POST it) and deleted (GET asks to confirm)
    "cites:edit_in_territory": R(
        cite(K.EDIT_CITE), cite(K.EDIT_CITE), objects=kw(kind="'etablissement'", pk="school")
    ),
    "cites:delete_from_territory": R(
        cite(K.EDIT_CITE), cite(K.EDIT_CITE), objects=kw(kind="'etablissement'", pk="school")
    ),
    "cites:partners": R(cite(K.VIEW), cite(K.VIEW)),
    "cites:partner_create": R(cite(K.EDIT_CITE), cite(K.EDIT_CITE)),
    "cites:partner_edit": R(cite(K.EDIT_CITE), cite(K.EDIT_CITE), objects=kw(pk="partner")),
    "cites:members": R(cite(K.VIEW), cite(K.EDIT_CITE)),
    "cites:deactivate_member": R(None, cite(K.EDIT_CITE), objects=kw(pk="cite_member"), gate_first=True),
    "cites:journal": R(cite(K.VIEW_JOURNAL), cite(K.VIEW_JOURNAL)),
    "framework:index": R(cite(K.VIEW), cite(K.VIEW)),
    "diagnostic:index": R(cite(K.VIEW), cite(K.VIEW)),
    "diagnostic:add_finding": R(None, cite(K.EDIT_CITE), gate_first=True),
    "diagnostic:add_indicator": R(None, cite(K.EDIT_CITE), gate_first=True),
    "diagnostic:import_csv": R(None, cite(K.EDIT_CITE), gate_first=True),
    "actions:index": R(cite(K.VIEW), cite(K.VIEW)),
    "actions:create": R(cite(K.PROPOSE_ACTIONS), cite(K.PROPOSE_ACTIONS)),
    "actions:detail": R(cite(K.VIEW), cite(K.VIEW), objects=kw(pk="action")),
    # an action led by the matrix partner's organisation: the CPO and that partner edit it
    "actions:edit": R(ACTION_EDITORS, ACTION_EDITORS, objects=kw(pk="action")),
    "actions:transition": R(None, cite(K.VIEW), objects=kw(pk="action"), gate_first=True),
    # the cité's gate lets every member reach the method check; who edits is checked after it
    "actions:budget": R(None, ACTION_EDITORS, objects=kw(pk="action"), gate_first=True, gate=cite(K.VIEW)),
    "actions:add_indicator": R(
        None, ACTION_EDITORS, objects=kw(pk="action"), gate_first=True, gate=cite(K.VIEW)
    ),
    "actions:execution": R(ACTION_EDITORS, ACTION_EDITORS, objects=kw(pk="action")),
    "funds:index": R(cite(K.VIEW), cite(K.VIEW)),
    "funds:add_contribution": R(None, cite(K.MANAGE_FUNDS), gate_first=True),
    "funds:add_default_contributions": R(None, cite(K.MANAGE_FUNDS), gate_first=True),
    "funds:add_commitment": R(None, cite(K.MANAGE_FUNDS), gate_first=True),
    "funds:add_payment": R(None, cite(K.MANAGE_FUNDS), gate_first=True),
    "funds:edit_contribution": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="contribution")),
    "funds:delete_contribution": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="contribution")),
    "funds:edit_commitment": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="commitment")),
    "funds:delete_commitment": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="commitment")),
    "funds:edit_payment": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="payment")),
    "funds:delete_payment": R(cite(K.MANAGE_FUNDS), cite(K.MANAGE_FUNDS), objects=kw(pk="payment")),
    "governance:index": R(cite(K.VIEW), cite(K.VIEW)),
    "governance:instance_create": R(None, cite(K.MANAGE_GOVERNANCE), gate_first=True),
    "governance:meeting_create": R(cite(K.MANAGE_GOVERNANCE), cite(K.MANAGE_GOVERNANCE)),
    "governance:meeting": R(cite(K.VIEW), cite(K.VIEW), objects=kw(pk="cite_meeting")),
    "governance:meeting_edit": R(
        cite(K.MANAGE_GOVERNANCE), cite(K.MANAGE_GOVERNANCE), objects=kw(pk="cite_meeting")
    ),
    "governance:attendance": R(
        None, cite(K.MANAGE_GOVERNANCE), objects=kw(pk="cite_meeting"), gate_first=True
    ),
    "governance:decision": R(None, cite(K.VIEW), objects=kw(pk="cite_meeting"), gate_first=True),
    "governance:minutes": R(cite(K.VIEW), cite(K.VIEW), objects=kw(pk="cite_meeting")),
    "review:index": R(cite(K.VIEW), cite(K.VIEW)),
    "review:protocol_add": R(None, cite(K.MANAGE_REVIEW), gate_first=True),
    "review:protocol_prefill": R(None, cite(K.MANAGE_REVIEW), gate_first=True),
    "review:create": R(None, cite(K.MANAGE_REVIEW), gate_first=True),
    "review:detail": R(cite(K.VIEW), cite(K.MANAGE_REVIEW), objects=kw(year="year")),
    "review:pdf": R(cite(K.VIEW), cite(K.VIEW), objects=kw(year="year")),
    "review:docx": R(cite(K.VIEW), cite(K.VIEW), objects=kw(year="year")),
    "network_cite:index": R(cite(K.SHARE_NETWORK), cite(K.SHARE_NETWORK)),
    "network_cite:create": R(cite(K.SHARE_NETWORK), cite(K.SHARE_NETWORK), objects=kw(action="action")),
    "network_cite:edit": R(cite(K.SHARE_NETWORK), cite(K.SHARE_NETWORK), objects=kw(pk="experience")),
    "network_cite:publish": R(None, cite(K.SHARE_NETWORK), objects=kw(pk="experience"), gate_first=True),
    # the regional network: the cités' project leads of the region
    "network:index": R(NETWORK, NETWORK),
    "network:experience": R(NETWORK, NETWORK, objects=kw(pk="experience")),
    "network:meetings": R(NETWORK, NETWORK),
    "network:meeting_create": R(NETWORK, NETWORK),
    "network:meeting_edit": R(NETWORK, NETWORK, objects=kw(pk="network_meeting")),
    "network:minutes": R(NETWORK, NETWORK, objects=kw(pk="network_meeting")),
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


#: the text read in each PDF or Office file, by its bytes: the same file is read once
_READ: dict[bytes, str] = {}


def body_text(response) -> str:
    """What a person could read in the answer: the page, or the text inside a PDF or an Office file.

    Runs of white space count as one space: a line break inside a birth date still shows it.
    """
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if not content.startswith((b"%PDF", b"PK")):
        return content.decode("utf-8", "replace")
    key = hashlib.sha256(content).digest()
    if key not in _READ:
        if content.startswith(b"%PDF"):
            import pypdfium2 as pdfium

            document = pdfium.PdfDocument(content)
            text = "\n".join(page.get_textpage().get_text_range() for page in document)
            document.close()
        else:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                text = "\n".join(archive.read(n).decode("utf-8", "replace") for n in archive.namelist())
        _READ[key] = " ".join(text.split())
    return _READ[key]


def address(world: World, name: str, route: str, row: Row, side: str) -> str:
    kwargs = row.objects(world, side) if row.objects else {}
    if "<slug:commune>" in route:
        kwargs["commune"] = world.communes[side].slug
    if "<slug:cite>" in route:
        kwargs["cite"] = world.cites[side].slug
    return reverse(name, kwargs=kwargs) + (f"?{row.query.format(**world.ids[side])}" if row.query else "")


def ask(clients: dict[tuple[str, str], Any], world: World, side: str, role: str, method: str, url: str):
    """One request as that account, in a savepoint rolled back after it (a POST may change things)."""
    client = clients[(side, role)]
    session = client.cookies.get(settings.SESSION_COOKIE_NAME)
    with transaction.atomic():
        response = client.get(url) if method == "GET" else client.post(url)
        transaction.set_rollback(True)
    if session is not None:
        # Logging out flushed the session; the rollback brought its row back: keep using it.
        client.cookies[settings.SESSION_COOKIE_NAME] = session.value
    return response


@pytest.fixture(scope="module")
def clients(world):
    """One logged-in test client per account, for the whole module (logging in costs a session)."""
    from django.test import Client

    made = {key: Client() for key in world.users}
    for key, client in made.items():
        client.force_login(world.users[key])
    made[("a", "anonyme")] = made[("b", "anonyme")] = Client()
    return made


#: reached the view: a page, a redirect, or a form's input refused (400), never a 403/404
ALLOWED = {200, 302, 400}


def allowed(response) -> bool:
    if response.status_code not in ALLOWED:
        return False
    return response.status_code != 302 or "/compte/connexion/" not in response["Location"]


def expectation(row: Row, route: str, role: str, method: str) -> str:
    """What the role table says this role gets: "allowed", "login", or a status code."""
    rule = row.get if method == "GET" else row.post
    other = row.post if method == "GET" else row.get
    place = "<slug:commune>" in route or "<slug:cite>" in route
    wing = ANY_CELL if "<slug:commune>" in route else ANY_CITE
    if rule is None and row.login_first:
        return "login" if role == "anonyme" else "405"
    if rule is None and not row.gate_first:
        return "405"
    if role == "anonyme":
        return "allowed" if row.public else "login"
    if place and role not in wing:
        return "404"
    gate = rule if rule is not None else (row.gate if row.gate is not None else (other or NOBODY))
    if role in row.hidden:
        return "404"
    if role not in gate:
        return "403"
    return "405" if rule is None else "allowed"


def outcome(response) -> str:
    if allowed(response):
        return "allowed"
    if response.status_code == 302 and "/compte/connexion/" in response["Location"]:
        return "login"
    return str(response.status_code)


def leaks(response, markers: Iterable[str]) -> list[str]:
    text = body_text(response).lower()
    return [m for m in markers if m in text]


SEES_CHILDREN = cell(C.VIEW_CHILDREN)


PATTERNS = url_patterns()


def test_every_url_pattern_has_a_row_in_the_matrix():
    missing = sorted(name for name, _ in PATTERNS if name not in ROWS)
    stale = sorted(set(ROWS) - {name for name, _ in PATTERNS})
    assert not missing, f"URL sans ligne dans la matrice des droits : {missing}"
    assert not stale, f"lignes de la matrice sans URL : {stale}"


def roles_reaching(row: Row, route: str) -> list[str]:
    return [r for r in ROLES if "allowed" in {expectation(row, route, r, m) for m in ("GET", "POST")}]


@pytest.mark.parametrize(("name", "route"), PATTERNS, ids=[name for name, _ in PATTERNS])
def test_each_role_gets_what_the_role_table_says_and_no_child_identity_it_may_not_see(
    name, route, world, clients
):
    row = ROWS[name]
    place = "<slug:commune>" in route or "<slug:cite>" in route
    failures: list[str] = []
    own = address(world, name, route, row, "a")
    for role in ROLES:
        for method in ("GET", "POST"):
            response = ask(clients, world, "a", role, method, own)
            want, got = expectation(row, route, role, method), outcome(response)
            if row.public and got == "login":  # logging out lands on the login page
                got = "allowed"
            if want != got:
                failures.append(f"{role} {method} {own}: attendu {want}, obtenu {got}")
            if response.get("Cache-Control") != "no-store" or not response.get("Content-Security-Policy"):
                failures.append(f"{role} {method} {own}: réponse sans no-store ou sans CSP")
            if role not in SEES_CHILDREN and (found := leaks(response, MARKERS_A)):
                failures.append(f"{role} {method} {own}: identité d'un enfant visible ({found})")
    if place:
        # A member of the other commune (or cité), at this place's address: as if it did not exist.
        for role in (Role.REFERENT.value, CiteRole.PROJECT_LEAD.value):
            for method in ("GET", "POST"):
                response = ask(clients, world, "b", role, method, own)
                want = (
                    "405"
                    if (row.get if method == "GET" else row.post) is None and not row.gate_first
                    else "404"
                )
                if outcome(response) != want or leaks(response, MARKERS_A):
                    failures.append(f"{role} de l'autre lieu {method} {own}: obtenu {outcome(response)}")
    if place and "<" in route.replace("<slug:commune>", "").replace("<slug:cite>", "") and not row.shared:
        # The same members at their own place's address, with this place's objects: never reached.
        other = address(world, name, route, row, "b")
        for role in roles_reaching(row, route):
            for method in ("GET", "POST"):
                response = ask(clients, world, "b", role, method, other)
                if allowed(response) or leaks(response, MARKERS_A):
                    failures.append(f"{role} de l'autre lieu {method} {other}: objet d'ailleurs atteint")
    assert not failures, "\n".join(failures)
