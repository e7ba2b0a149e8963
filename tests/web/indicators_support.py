"""A hand-built history of cases for the indicators tests: every figure expected is written by hand in
the tests from the dates below."""

from __future__ import annotations

from datetime import date

from veille.web.cellule.cases.models import Case, Domain, Origin
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.cellule.children.models import Child
from veille.web.cellule.imports.models import CrossingRun, RunStatus


def child(commune, source_id: str, birth: date) -> Child:
    return Child.objects.create(
        commune=commune,
        organisme="CAF",
        source_id=source_id,
        last_name="Imaginon",
        first_names="Tao",
        birth_date=birth,
        sex="M",
    )


def opened(commune, day: date, *, kid=None, origin=Origin.CROSSING, domain=Domain.ABSENCE) -> Case:
    return open_case(commune=commune, user=None, child=kid, origin=origin, domain=domain, opened_on=day)


def build_history(commune) -> dict[str, Case]:
    """Six cases over two school years (2023-2024 and 2024-2025).

    - case1 (crossing, 9 years old): alert, formal notice, back to school, closed as resolved.
    - case2 (crossing, 9): alert, convened, formal notice, signalement, police enquiry, parenting course.
    - case3 (crossing, 9): closed at verification (error in a source file).
    - case4 (home instruction, no child): authorisation, mayor's enquiry, two insufficient controls,
      formal notice, back to school.
    - case5 (crossing, 9; previous year): alert, formal notice.
    - case6 (crossing, 12): alert, back to school without formal notice, convened, formal notice,
      signalement, social enquiry.

    Since the law's table v2 a signalement needs a notified formal notice whose 15 days have run, a
    control an authorisation of 3 months, a formal notice two insufficient controls: case2, case4 and
    case6 take those steps (each formal notice is notified 3 days after it is sent).
    """
    nine = date(2015, 3, 2)
    case1 = opened(commune, date(2024, 9, 10), kid=child(commune, "K1", nine))
    advance_case(
        case1,
        [
            ("confirm_alert", date(2024, 9, 20)),
            ("send_formal_notice", date(2024, 10, 1)),
            ("record_return_to_school", date(2024, 10, 20)),
            ("close_resolved", date(2025, 1, 10)),
        ],
    )
    case2 = opened(commune, date(2024, 9, 15), kid=child(commune, "K2", nine))
    advance_case(
        case2,
        [
            ("confirm_alert", date(2024, 9, 25)),
            ("convene_family", date(2024, 10, 5)),
            ("send_formal_notice", date(2024, 10, 8)),
            ("refer_to_prosecutor", date(2024, 11, 10)),
            ("open_police_enquiry", date(2024, 12, 1)),
            ("order_parenting_course", date(2025, 1, 15)),
        ],
    )
    case3 = opened(commune, date(2024, 10, 1), kid=child(commune, "K3", nine))
    advance_case(case3, [("close_source_error", date(2024, 10, 5))])
    case4 = opened(
        commune, date(2024, 10, 15), origin=Origin.HOME_INSTRUCTION, domain=Domain.HOME_INSTRUCTION
    )
    advance_case(
        case4,
        [
            ("record_authorisation", date(2024, 9, 1)),
            ("start_mayor_enquiry", date(2024, 11, 1)),
            ("send_mayor_enquiry", date(2024, 11, 20)),
            ("control_insufficient", date(2025, 1, 10)),
            ("second_control_insufficient", date(2025, 1, 20)),
            ("send_formal_notice", date(2025, 2, 1)),
            ("record_return_to_school", date(2025, 3, 1)),
        ],
    )
    case5 = opened(commune, date(2023, 10, 1), kid=child(commune, "K5", nine))
    advance_case(case5, [("confirm_alert", date(2023, 10, 10)), ("send_formal_notice", date(2023, 11, 1))])
    case6 = opened(commune, date(2024, 9, 12), kid=child(commune, "K6", date(2012, 1, 1)))
    advance_case(
        case6,
        [
            ("confirm_alert", date(2024, 9, 20)),
            ("record_return_to_school", date(2024, 10, 1)),
            ("convene_family", date(2024, 10, 15)),
            ("send_formal_notice", date(2024, 11, 1)),
            ("refer_to_prosecutor", date(2024, 12, 1)),
            ("open_social_enquiry", date(2025, 1, 5)),
        ],
    )
    cases = (case1, case2, case3, case4, case5, case6)
    return {f"case{n}": case for n, case in enumerate(cases, start=1)}


def done_run(commune, user, school_year: str, statut: dict[str, int]) -> CrossingRun:
    return CrossingRun.objects.create(
        commune=commune,
        school_year=school_year,
        launched_by=user,
        status=RunStatus.DONE,
        counts={"statut": statut},
    )
