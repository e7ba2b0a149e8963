"""The demo's casework: cases of the five procedures at various steps, their letters, two meetings.

Everything goes through the apps' own services (``cases.services.open_case`` and ``advance_case``,
``documents.services.generate_letter``) with dates in the past, counted back from today so that the
demo looks the same whatever day it is seeded: the cases spread over the previous and the current
school year, one *mise en demeure* is overdue, one is due within the week. Each step runs once: a
commune that already has cases, letters or meetings keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from veille import law
from veille.compulsory import age_on
from veille.web.cellule.cases.models import Case, CaseEvent, Domain, Origin
from veille.web.cellule.cases.procedure import BY_NAME
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.cellule.imports.models import Outcome
from veille.web.common.accounts.roles import Role

if TYPE_CHECKING:
    from .seed import DemoContext

#: which child a story needs: one the crossing did not find, a schooled teenager (absenteeism), one
#: instructed in the family (found in the IEF file), or none (an undeclared school)
NOT_FOUND, TEEN, HOME, NOBODY = "non_trouve", "collegien", "ief", "aucun"


@dataclass(frozen=True)
class Story:
    """One demo case: its origin, when it was opened (days ago) and its steps (transition, days ago).

    ``key`` names the case for the letters and meetings below; ``details`` are other ``Case`` fields.
    """

    key: str
    origin: str
    domain: str
    child: str
    opened: int
    steps: tuple[tuple[str, int], ...] = ()
    note: str = ""
    details: dict[str, Any] = field(default_factory=dict)
    children: int = 0  # a school's or a place's case: children not found whose cases are linked to it


def _since(month: int, day: int, at_least: int) -> int:
    """Days since the latest (month, day) at least ``at_least`` days ago: an IEF request must fall in
    the window of 1 March – 31 May whatever the day the demo is seeded."""
    today = date.today()
    year = today.year
    while (today - date(year, month, day)).days < at_least:
        year -= 1
    return (today - date(year, month, day)).days


_R = _since(5, 10, 170)  # an IEF request received on 10 May


_SCHOOL = {"report_school": "Collège Jean-Moulinet (fictif)", "reporter": "Principale du collège"}
_C, _A, _I, _F = Origin.CROSSING, Origin.ABSENTEEISM_REPORT, Origin.HOME_INSTRUCTION, Origin.FIELD
_N, _P = Origin.ABSENTEEISM_NO_REASON, Origin.PRIVATE_SCHOOL
_PLACE = {
    "reporter": "Police municipale",
    "place_name": "Local associatif de la zone des Tilleuls (fictif)",
    "place_address": "12 allée des Tilleuls (fictive)",
}

#: Steps spread over the previous school year (200–430 days ago) and the current one.
STORIES: tuple[Story, ...] = (
    # Children the crossing did not find: absence of instruction (the most telling first: a small
    # commune has few such children and gets only the first stories).
    Story(
        "notice_overdue",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        90,
        (("confirm_alert", 80), ("inform_family", 70), ("send_formal_notice", 30)),
    ),
    Story(
        "prosecutor",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        260,
        (("confirm_alert", 250), ("send_formal_notice", 230), ("refer_to_prosecutor", 200)),
    ),
    Story(
        "rescolarised",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        120,
        (
            ("confirm_alert", 110),
            ("inform_family", 100),
            ("send_formal_notice", 80),
            ("record_return_to_school", 70),
        ),
    ),
    # A place receiving children without declaration (école de fait): closed, each child's parents put
    # on notice on the child's own case.
    Story(
        "place_closed",
        _F,
        Domain.UNDECLARED_SCHOOL,
        NOBODY,
        70,
        (
            ("record_observation", 60),
            ("dasen_opinion", 50),
            ("order_closure", 40),
            ("notice_parents_place", 30),
        ),
        details=_PLACE,
        children=2,
    ),
    # A private school outside contract, controlled, its director put on notice, then referred.
    Story(
        "school_controlled",
        _P,
        Domain.PRIVATE_SCHOOL,
        NOBODY,
        420,
        (
            ("record_existing_school", 410),
            ("control_school_insufficient", 60),
            ("notice_director", 50),
            ("refer_director", 10),
        ),
        details={
            "place_name": "Cours privé des Hirondelles (fictif)",
            "place_address": "4 rue du Préau (fictive)",
        },
    ),
    Story(
        "school_declared",
        _P,
        Domain.PRIVATE_SCHOOL,
        NOBODY,
        25,
        (("record_declaration", 20),),
        details={"place_name": "École Montagne-Claire (fictive), projet d'ouverture"},
    ),
    Story(
        "closed_moved",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        350,
        (("confirm_alert", 345), ("close_moved_away", 330)),
    ),
    Story("alert", _C, Domain.ABSENCE, NOT_FOUND, 30, (("confirm_alert", 21),)),
    Story("informed", _C, Domain.ABSENCE, NOT_FOUND, 45, (("confirm_alert", 38), ("inform_family", 5))),
    Story(
        "convened",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        70,
        (("confirm_alert", 62), ("inform_family", 55), ("convene_family", 12)),
    ),
    Story("verification", _C, Domain.ABSENCE, NOT_FOUND, 4),
    Story(
        "notice_running",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        45,
        (("confirm_alert", 38), ("send_formal_notice", 9)),
    ),
    Story("mediation", _C, Domain.ABSENCE, NOT_FOUND, 100, (("confirm_alert", 95), ("start_mediation", 80))),
    Story(
        "enquiry",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        330,
        (
            ("confirm_alert", 320),
            ("send_formal_notice", 300),
            ("refer_to_prosecutor", 280),
            ("open_social_enquiry", 250),
        ),
    ),
    Story("closed_schooled", _C, Domain.ABSENCE, NOT_FOUND, 400, (("close_schooled_elsewhere", 385),)),
    Story(
        "closed_resolved",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        420,
        (
            ("confirm_alert", 410),
            ("send_formal_notice", 390),
            ("record_return_to_school", 370),
            ("close_resolved", 250),
        ),
    ),
    Story("verification_late", _C, Domain.ABSENCE, NOT_FOUND, 40),
    Story("closed_source_error", _C, Domain.ABSENCE, NOT_FOUND, 300, (("close_source_error", 296),)),
    Story(
        "closed_ief",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        380,
        (("await_ief_decision", 375), ("close_ief_authorised", 330)),
    ),
    Story(
        "closed_judicial",
        _C,
        Domain.ABSENCE,
        NOT_FOUND,
        430,
        (
            ("confirm_alert", 420),
            ("send_formal_notice", 400),
            ("refer_to_prosecutor", 380),
            ("close_judicial_end", 220),
        ),
    ),
    # Absenteeism reported by a school (4 half-days or more in a month).
    Story("absenteeism_new", _A, Domain.ABSENTEEISM, TEEN, 3, details={"report_half_days": 6, **_SCHOOL}),
    Story(
        "absenteeism_warning",
        _A,
        Domain.ABSENTEEISM,
        TEEN,
        35,
        (("record_educational_team", 32), ("issue_warning", 28)),
        details={"report_half_days": 9, **_SCHOOL},
    ),
    Story(
        "absenteeism_referent",
        _A,
        Domain.ABSENTEEISM,
        TEEN,
        130,
        (
            ("record_educational_team", 120),
            ("issue_warning", 110),
            ("convene_educational_community", 80),
            ("designate_education_referent", 75),
        ),
        details={"report_half_days": 12, **_SCHOOL},
    ),
    Story(
        "absenteeism_contravention",
        _N,
        Domain.ABSENTEEISM,
        TEEN,
        320,
        (
            ("record_educational_team", 310),
            ("issue_warning", 300),
            ("convene_educational_community", 270),
            ("designate_education_referent", 265),
            ("refer_contravention", 200),
        ),
        details=_SCHOOL,
    ),
    Story(
        "absenteeism_closed",
        _A,
        Domain.ABSENTEEISM,
        TEEN,
        250,
        (("record_educational_team", 245), ("issue_warning", 240), ("close_resolved", 150)),
        details={"report_half_days": 5, **_SCHOOL},
    ),
    # Home instruction: a request refused then appealed, an authorisation, enquiries and controls.
    Story(
        "ief_refused_appealed",
        _I,
        Domain.HOME_INSTRUCTION,
        HOME,
        _R + 1,
        (
            ("request_ief", _R),
            ("refuse_ief", _R - 30),
            ("file_rapo", _R - 35),
            ("rapo_confirms_refusal", _R - 60),
            ("send_formal_notice", _R - 70),
            ("record_return_to_school", _R - 90),
        ),
    ),
    Story(
        "ief_authorised",
        _I,
        Domain.HOME_INSTRUCTION,
        HOME,
        _R + 1,
        (
            ("request_ief", _R),
            ("authorise_ief", _R - 40),
            ("start_mayor_enquiry", _R - 100),
            ("send_mayor_enquiry", _R - 130),
            ("control_satisfactory", _R - 150),
        ),
    ),
    Story(
        "ief_enquiry",
        _I,
        Domain.HOME_INSTRUCTION,
        HOME,
        45,
        (("record_authorisation", 40), ("start_mayor_enquiry", 30)),
    ),
    Story(
        "ief_second_control",
        _I,
        Domain.HOME_INSTRUCTION,
        HOME,
        200,
        (("record_authorisation", 190), ("control_insufficient", 25)),
    ),
    Story(
        "ief_followed",
        _I,
        Domain.HOME_INSTRUCTION,
        HOME,
        320,
        (("record_authorisation", 310), ("control_satisfactory", 180)),
    ),
    # Field observations: a child seen in the street in school hours, a suspected undeclared school.
    Story(
        "field_child",
        _F,
        Domain.ABSENCE,
        NOT_FOUND,
        15,
        (("confirm_alert", 10),),
        details={"reporter": "Travailleur social du Département"},
    ),
    Story(
        "undeclared_school",
        _F,
        Domain.UNDECLARED_SCHOOL,
        NOBODY,
        8,
        details={
            "reporter": "Police municipale",
            "place_name": "Local de la zone des Tilleuls (fictif)",
            "description": "Une quinzaine d'enfants vus chaque matin de semaine dans un local associatif "
            "de la zone des Tilleuls (fictive), sans école déclarée à cette adresse.",
        },
    ),
)


def ensure_deadline_rules(ctx: DemoContext) -> None:
    """The national deadline rules the cases need, as their migration seeds them, if they are missing.

    ``migrate`` seeds them; a test database emptied between browser tests (``transactional_db``) has
    lost them, and no case could be opened there without them.
    """
    from importlib import import_module

    from django.apps import apps

    from veille.web.cellule.cases.models import DeadlineRule

    if not DeadlineRule.objects.filter(commune=None).exists():
        import_module("veille.web.cellule.cases.migrations.0003_seed_deadline_rules").seed(apps, None)
        version_2 = import_module("veille.web.cellule.cases.migrations.0005_migrate_to_law_table_v2")
        version_2.seed_rules(DeadlineRule)


def _at(day: date, order: int) -> datetime:
    """A time on ``day`` that keeps the events of one day in their order."""
    return timezone.make_aware(datetime.combine(day, time(9, 0)) + timedelta(minutes=order))


def _backdate(case: Case, opened: date) -> None:
    """Give the case and its events the dates they happened on, not the day of the seeding."""
    last = opened
    for order, event in enumerate(case.events.order_by("pk")):
        last = event.effective_date or last
        CaseEvent.objects.filter(pk=event.pk).update(at=_at(last, order))
    closed_at = _at(last, 99) if not case.is_open else None
    Case.objects.filter(pk=case.pk).update(opened_at=_at(opened, 0), closed_at=closed_at)


def _actor(ctx: DemoContext, transition: str) -> Any:
    """The demo account who records an act: the mayor's agent, else the DSDEN, the préfecture, the Parquet."""
    allowed = BY_NAME[transition].roles
    accounts = (
        ("agent", Role.AGENT),
        ("referent", Role.REFERENT),
        ("education", Role.EDUCATION),
        ("prefecture", Role.PREFECTURE),
    )
    for username, role in accounts:
        if role in allowed:
            return ctx.users.get(username)
    return ctx.users.get("parquet")


def _pools(ctx: DemoContext) -> dict[str, list[Any]]:
    """Children of the first commune for each kind of story, from the latest crossing, in a stable order."""
    from .seed import COMMUNE_A

    commune = ctx.communes[COMMUNE_A.slug]
    today = timezone.localdate()
    outcomes = Outcome.objects.of_latest_run(commune).select_related("child").order_by("child_id")
    matched = outcomes.filter(status="rapproche")
    return {
        NOT_FOUND: [o.child for o in outcomes.filter(status="non_trouve")],
        TEEN: [o.child for o in matched if 11 <= age_on(o.child.birth_date, today) <= 15][::5],
        HOME: [o.child for o in matched if (o.candidate or {}).get("source") == "IEF"],
    }


def open_cases(ctx: DemoContext) -> None:
    """Open the :data:`STORIES` in the first commune and move each to its step with its past dates.

    With a small commune there may be fewer children not found than stories: those stories are left out.
    """
    from .seed import COMMUNE_A

    commune = ctx.communes[COMMUNE_A.slug]
    if Case.objects.filter(commune=commune).exists():
        ctx.say("Dossiers de démonstration : déjà présents.")
        return
    today = timezone.localdate()
    pools = _pools(ctx)
    opened = 0
    for story in STORIES:
        child = pools[story.child].pop(0) if story.child != NOBODY and pools[story.child] else None
        if story.child != NOBODY and child is None:
            continue
        start = today - timedelta(days=story.opened)
        details = dict(story.details)
        if story.origin == Origin.ABSENTEEISM_REPORT:
            details["report_month"] = (start - timedelta(days=20)).replace(day=1)
        case = open_case(
            commune=commune,
            user=ctx.users.get("education" if story.origin == _A else "agent"),
            child=child,
            origin=story.origin,
            domain=story.domain,
            note=story.note or "Dossier de démonstration.",
            opened_on=start,
            **details,
        )
        linked = _link_children(ctx, case, pools, story.children, start)
        for name, days_ago in story.steps:
            act = law.act(story.domain, name)
            if act is not None and act.notice_children and not linked:
                break  # a small commune may have no child left for the place: it stops at the order
            advance_case(case, [(name, today - timedelta(days=days_ago))], user=_actor(ctx, name))
        _backdate(case, start)
        for child_case in linked:
            _notify_pending(ctx, child_case)
            _backdate(child_case, start)
        ctx.cases[story.key] = case
        opened += 1 + len(linked)
    ctx.say(f"Dossiers de démonstration : {opened} ouvert(s) à différentes étapes.")


def _link_children(
    ctx: DemoContext, case: Case, pools: dict[str, list[Any]], count: int, day: date
) -> list[Case]:
    """Open and link the cases of ``count`` children not found to a place's or school's case."""
    linked = []
    for _ in range(count):
        if not pools[NOT_FOUND]:
            break
        child_case = open_case(
            commune=case.commune,
            user=ctx.users.get("agent"),
            child=pools[NOT_FOUND].pop(0),
            origin=Origin.LINKED,
            domain=Domain.ABSENCE,
            note=f"Enfant accueilli dans le lieu du dossier n° {case.pk}.",
            opened_on=day,
        )
        linked.append(case.link_child_case(user=ctx.users.get("agent"), case=child_case))
    return linked


def _notify_pending(ctx: DemoContext, case: Case) -> None:
    """Record, 3 days after the act, the notification a linked child's mise en demeure waits for."""
    case.refresh_from_db()
    event = case.pending_notification
    if event is not None and event.effective_date is not None:
        day = min(event.effective_date + timedelta(days=3), timezone.localdate())
        case.record_notification(event, user=ctx.users.get("education"), notified_on=day, check_role=False)


#: (story, letter kind, days ago) — the letters that went out on those cases
LETTERS = (
    ("informed", "information", 5),
    ("convened", "convocation", 12),
    ("notice_overdue", "mise_en_demeure", 30),
    ("notice_running", "mise_en_demeure", 9),
    ("prosecutor", "signalement_procureur", 200),
    # The State's acts of the other procedures, each on its author's letterhead (rule table).
    ("absenteeism_warning", "avertissement", 28),
    ("ief_refused_appealed", "ief_refus", _R - 30),
    ("school_controlled", "mise_en_demeure_directeur", 50),
    ("place_closed", "arrete_fermeture_ecole_de_fait", 40),
)


DEMO_REASONS = (
    "Aucune inscription de l'enfant n'est connue dans une école ou un établissement, ni aucune "
    "autorisation d'instruction dans la famille, après le croisement des fichiers et la convocation "
    "de la famille par la mairie restée sans réponse."
)


def generate_letters(ctx: DemoContext) -> None:
    """Produce the :data:`LETTERS` (PDF on the commune's letterhead) on the cases just opened."""
    from veille.web.cellule.documents.law import spec
    from veille.web.cellule.documents.models import GeneratedLetter
    from veille.web.cellule.documents.services import generate_letter

    from .seed import COMMUNE_A

    commune = ctx.communes[COMMUNE_A.slug]
    if GeneratedLetter.objects.filter(commune=commune).exists() or not ctx.cases:
        return
    today = timezone.localdate()
    made = 0
    for key, kind, days_ago in LETTERS:
        case = ctx.cases.get(key)
        if case is None:
            continue
        day = today - timedelta(days=days_ago)
        # Each letter by one of its authors in the rule table (the mairie's first, as for the acts):
        # the DASEN's acts by the DSDEN's member, with their reasons.
        letter = spec(kind)
        role = next(
            r
            for r in (Role.REFERENT, Role.EDUCATION, Role.PREFECTURE)
            if letter.signatory_for(r, case.domain)
        )
        generate_letter(
            case=case,
            kind=kind,
            user=ctx.referent(COMMUNE_A.slug) if role == Role.REFERENT else ctx.users[str(role)],
            reasons=DEMO_REASONS if letter.needs_reasons else "",
            due_date=day + timedelta(days=15),
            appointment=f"le {(day + timedelta(days=10)).strftime('%d/%m/%Y')} à 10 h, à l'hôtel de ville",
            today=day,
        )
        # The timeline line the letter adds is dated the day the letter went out.
        latest = case.events.filter(kind="letter").order_by("-pk").values_list("pk", flat=True)[:1]
        CaseEvent.objects.filter(pk__in=list(latest)).update(at=_at(day, 98))
        made += 1
    ctx.say(f"Courriers de démonstration : {made} produit(s) en PDF.")


#: who sits at the cell (organisation, function)
PARTICIPANTS = (
    ("mairie", "Référente de la cellule, service éducation"),
    ("education", "Inspectrice de l'Éducation nationale"),
    ("prefecture", "Chargé de mission prévention de la radicalisation"),
    ("caf", "Conseillère de la CAF"),
    ("departement", "Assistante sociale de secteur"),
)
#: past meeting: (story, decision, next step); upcoming meeting: stories on the agenda
PAST_DECISIONS = (
    ("convened", "Convocation de la famille par la mairie avec l'IEN.", "Entretien à tenir sous 15 jours."),
    ("mediation", "Médiation confiée à l'assistante sociale de secteur.", "Bilan à la prochaine réunion."),
    ("notice_overdue", "Mise en demeure confirmée par la DSDEN.", "Vérifier l'inscription à l'échéance."),
)
UPCOMING_AGENDA = ("notice_overdue", "notice_running", "rescolarised", "field_child")


def hold_meetings(ctx: DemoContext) -> None:
    """One meeting held three weeks ago with its decisions, one in two weeks with its agenda."""
    from veille.web.cellule.meetings.models import AgendaItem, Meeting, Participant

    from .seed import COMMUNE_A

    commune = ctx.communes[COMMUNE_A.slug]
    if Meeting.objects.filter(commune=commune).exists() or not ctx.cases:
        return
    referent = ctx.referent(COMMUNE_A.slug)
    now = timezone.localtime()
    held_on = (now - timedelta(days=21)).replace(hour=14, minute=0, second=0, microsecond=0)
    past = Meeting.objects.create(
        commune=commune,
        held_on=held_on,
        place="Salle du conseil, hôtel de ville",
        held=True,
        created_by=referent,
    )
    upcoming = Meeting.objects.create(
        commune=commune,
        held_on=(now + timedelta(days=14)).replace(hour=14, minute=0, second=0, microsecond=0),
        place="Salle du conseil, hôtel de ville",
        created_by=referent,
    )
    for meeting in (past, upcoming):
        Participant.objects.bulk_create(
            Participant(meeting=meeting, organisation=org, function=function, attended=meeting.held)
            for org, function in PARTICIPANTS
        )
    for position, (key, decision, next_step) in enumerate(PAST_DECISIONS):
        case = ctx.cases.get(key)
        if case is None:
            continue
        AgendaItem.objects.create(
            meeting=past,
            case=case,
            position=position,
            decision=decision,
            next_step=next_step,
            decided_at=held_on,
            decided_by=referent,
        )
        event = case.add_note(
            user=referent, kind="meeting_decision", note=f"Réunion n° {past.pk} : {decision}"
        )
        CaseEvent.objects.filter(pk=event.pk).update(at=held_on)
    for position, key in enumerate(UPCOMING_AGENDA):
        if key in ctx.cases:
            AgendaItem.objects.create(meeting=upcoming, case=ctx.cases[key], position=position)
    ctx.say("Réunions de la cellule : une tenue il y a trois semaines, une prévue dans deux semaines.")
