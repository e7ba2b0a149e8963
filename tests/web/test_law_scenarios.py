"""Scenarios written from the texts (``LEGAL-REVIEW.md``), one per path of the five procedures."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from veille import law
from veille.cli import main
from veille.web.cellule.cases.models import Case, CaseEvent, Domain, Origin, TransitionError, add_months
from veille.web.cellule.cases.procedure import CaseStep
from veille.web.cellule.cases.services import advance_case, open_case
from veille.web.cellule.indicators.computations import custom_period
from veille.web.cellule.indicators.queries import indicator_values
from veille.web.common.accounts.roles import Role

from .cases_support import make_child, quick_member


@dataclass(frozen=True)
class Clock:
    """Today in Paris, read when each test starts: read at import, a run crossing midnight would
    compare the dates of the acts with yesterday's."""

    today: date

    def days_ago(self, n: int) -> date:
        return self.today - timedelta(days=n)

    def last(self, month: int, day: int, at_least: int = 0) -> date:
        """The latest (month, day) at least ``at_least`` days ago."""
        year = self.today.year
        while (self.today - date(year, month, day)).days < at_least:
            year -= 1
        return date(year, month, day)


@pytest.fixture
def clock() -> Clock:
    return Clock(timezone.localdate())


@pytest.fixture
def child(commune_a):
    return make_child(commune_a)


@pytest.fixture
def absence(commune_a, child):
    return open_case(commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE)


@pytest.fixture
def ief(commune_a, child):
    return open_case(
        commune=commune_a,
        user=None,
        child=child,
        origin=Origin.HOME_INSTRUCTION,
        domain=Domain.HOME_INSTRUCTION,
    )


@pytest.fixture
def users(commune_a):
    return {role: quick_member(commune_a, role) for role in Role}


def place(commune, domain=Domain.UNDECLARED_SCHOOL) -> Case:
    origin = Origin.FIELD if domain == Domain.UNDECLARED_SCHOOL else Origin.PRIVATE_SCHOOL
    return open_case(
        commune=commune, user=None, origin=origin, domain=domain, place_name="Local des Tilleuls"
    )


# Absence d'instruction


def test_a_referral_for_absence_of_instruction_is_refused_until_a_dasen_mise_en_demeure_has_been_notified_and_its_15_days_have_run(  # noqa: E501
    absence, users, clock
):
    education = users[Role.EDUCATION]
    absence.fire(
        "confirm_alert", user=users[Role.AGENT], note="aucune école", effective_date=clock.days_ago(40)
    )
    with pytest.raises(TransitionError, match="n'est pas possible"):
        absence.fire("refer_to_prosecutor", user=education, note="x", effective_date=clock.days_ago(39))
    notice = absence.fire("send_formal_notice", user=education, effective_date=clock.days_ago(30))
    with pytest.raises(TransitionError, match=r"date de notification .* n'est pas enregistrée"):
        absence.fire("refer_to_prosecutor", user=education, note="pas d'inscription")
    absence.record_notification(notice, user=education, notified_on=clock.days_ago(10))
    notice.refresh_from_db()
    assert notice.due_on == clock.days_ago(10) + timedelta(days=15) == absence.due_on
    with pytest.raises(TransitionError, match="délai court jusqu'au"):
        absence.fire("refer_to_prosecutor", user=education, note="pas d'inscription")
    assert absence.state == CaseStep.FORMAL_NOTICE and not absence.is_transmitted_to(Role.PROSECUTOR)


def test_a_referral_for_absence_of_instruction_is_accepted_once_the_15_days_from_notification_have_run(
    absence, users, clock
):
    education = users[Role.EDUCATION]
    absence.fire(
        "confirm_alert", user=users[Role.AGENT], note="aucune école", effective_date=clock.days_ago(40)
    )
    absence.fire(
        "send_formal_notice",
        user=education,
        effective_date=clock.days_ago(30),
        notified_on=clock.days_ago(27),
    )
    event = absence.fire(
        "refer_to_prosecutor", user=education, note="pas d'inscription malgré la mise en demeure"
    )
    assert absence.state == CaseStep.PROSECUTOR_REFERRAL and absence.is_transmitted_to(Role.PROSECUTOR)
    assert event.law_version == law.VERSION


def test_a_mairie_agent_cannot_record_a_mise_en_demeure(absence, users):
    absence.fire("confirm_alert", user=users[Role.AGENT], note="aucune école")
    for role in (Role.AGENT, Role.REFERENT, Role.PREFECTURE, Role.DEPARTMENT):
        with pytest.raises(TransitionError, match="Votre rôle"):
            absence.fire("send_formal_notice", user=users[role])
    assert absence.state == CaseStep.ALERT


def test_a_mise_en_demeure_needs_the_mayors_report_to_the_dasen_first(absence, users):
    with pytest.raises(TransitionError, match="signalement du maire à la DASEN"):
        absence.fire("send_formal_notice", user=users[Role.EDUCATION])


def test_only_the_education_role_records_the_acts_of_the_dasen_and_the_recteurs_commission():
    for act in law.ACTS:
        if act.authority in ("dasen", "commission_academique", "equipe_educative", "chef_etablissement"):
            assert act.roles == ("education",), act.name
        if act.authority == "prefet":
            assert act.roles == ("prefecture",), act.name
        if act.authority == "procureur":
            assert act.roles == ("prosecutor",), act.name


def test_the_referral_act_on_the_case_page_names_its_two_authors_each_on_its_letterhead(
    commune_a, absence, users, client, clock
):
    absence.fire(
        "confirm_alert", user=users[Role.AGENT], note="aucune école", effective_date=clock.days_ago(40)
    )
    absence.fire(
        "send_formal_notice",
        user=users[Role.EDUCATION],
        effective_date=clock.days_ago(30),
        notified_on=clock.days_ago(27),
    )
    client.force_login(users[Role.REFERENT])
    page = client.get(reverse("cases:detail", kwargs={"commune": commune_a.slug, "pk": absence.pk})).text
    assert "signé par Le DASEN (DSDEN) ou l&#x27;IEN par délégation (en-tête : dsden) ou Le maire" in page
    assert "signalement par le maire lui-même" in page  # « à vérifier »


def test_the_page_of_a_mairie_agent_offers_no_mise_en_demeure(commune_a, absence, users, client):
    absence.fire("confirm_alert", user=users[Role.AGENT], note="aucune école")
    detail = reverse("cases:detail", kwargs={"commune": commune_a.slug, "pk": absence.pk})
    fire = reverse(
        "cases:fire", kwargs={"commune": commune_a.slug, "pk": absence.pk, "name": "send_formal_notice"}
    )
    client.force_login(users[Role.AGENT])
    assert fire not in client.get(detail).text
    client.force_login(users[Role.EDUCATION])
    page = client.get(detail).text
    assert fire in page and "Tribunal administratif" in page and "CP 227-17-1" in page


# Absentéisme


def test_an_absenteeism_case_cannot_be_referred_under_227_17_1(commune_a, child, users):
    case = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM,
        report_half_days=6,
    )  # fmt: skip
    with pytest.raises(TransitionError, match="R624-7"):
        case.fire("refer_to_prosecutor", user=users[Role.EDUCATION], note="x")
    with pytest.raises(TransitionError, match="R131-7"):
        case.fire("send_formal_notice", user=users[Role.EDUCATION])


def test_the_absenteeism_path_goes_from_the_educational_team_to_the_warning_then_only_to_r624_7(
    commune_a, child, users, clock
):
    education = users[Role.EDUCATION]
    case = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM,
        report_half_days=5,
    )  # fmt: skip
    with pytest.raises(TransitionError, match="n'est pas possible"):
        case.fire("issue_warning", user=education)
    case.fire("record_educational_team", user=education, note="Mesures : tutorat, rendez-vous infirmière")
    assert case.state == CaseStep.EDUCATIONAL_TEAM
    with pytest.raises(TransitionError, match="Votre rôle"):
        case.fire("issue_warning", user=users[Role.AGENT])
    case.fire("issue_warning", user=education)
    assert case.state == CaseStep.WARNING
    with pytest.raises(TransitionError, match="n'est pas possible"):
        case.fire("refer_contravention", user=education, note="x")
    case.fire("convene_educational_community", user=education, note="Réunion de la communauté éducative")
    case.fire("designate_education_referent", user=education, note="CPE désigné référent")
    case.fire("refer_contravention", user=education, note="absences persistantes")
    assert case.state == CaseStep.PROSECUTOR_REFERRAL and case.is_transmitted_to(Role.PROSECUTOR)
    assert indicator_values(commune_a, custom_period(clock.today, clock.today))["signalements"] == 1


def test_an_absenteeism_case_opens_for_absences_without_reason_under_l131_8_1(commune_a, child):
    case = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.ABSENTEEISM_NO_REASON,
        domain=Domain.ABSENTEEISM,
        report_school="Collège (fictif)", report_month=date(2025, 11, 1),
    )  # fmt: skip
    assert case.report_half_days is None and case.state == CaseStep.VERIFICATION


# Instruction dans la famille


def test_an_ief_refusal_opens_a_15_day_rapo_window(ief, users, clock):
    education = users[Role.EDUCATION]
    received = clock.last(5, 10, at_least=60)
    ief.fire("request_ief", user=users[Role.AGENT], effective_date=received, ground="activites")
    assert ief.ief_ground == "activites" and ief.due_on == received.replace(month=7)  # 2 months
    refusal = ief.fire(
        "refuse_ief",
        user=education,
        note="Projet éducatif non établi",
        effective_date=received + timedelta(days=20),
        notified_on=received + timedelta(days=22),
    )
    assert ief.state == CaseStep.IEF_REFUSED and refusal.due_on == received + timedelta(days=37)
    assert law.DOCUMENTS[law.act(ief.domain, "refuse_ief").document].recourse.rapo_compulsory
    with pytest.raises(TransitionError, match="le délai a pris fin"):
        ief.fire("file_rapo", user=education, effective_date=received + timedelta(days=38))
    ief.fire("file_rapo", user=education, effective_date=received + timedelta(days=37))
    assert ief.state == CaseStep.RAPO_PENDING
    assert ief.due_on == add_months(received + timedelta(days=37), 1)  # the commission within a month


def test_an_ief_refusal_becomes_final_only_once_its_15_days_have_run(ief, users, clock):
    education = users[Role.EDUCATION]
    received = clock.last(4, 1, at_least=60)
    ief.fire("request_ief", user=education, effective_date=received, ground="itinerance")
    ief.fire("refuse_ief", user=education, note="motifs", effective_date=received + timedelta(days=10),
             notified_on=received + timedelta(days=12))  # fmt: skip
    with pytest.raises(TransitionError, match="15 jours de recours"):
        ief.fire("refusal_final", user=education, effective_date=received + timedelta(days=27))
    ief.fire("refusal_final", user=education, effective_date=received + timedelta(days=28))
    ief.fire("send_formal_notice", user=education, effective_date=received + timedelta(days=30))
    assert ief.state == CaseStep.FORMAL_NOTICE


def test_an_ief_request_outside_1_march_31_may_needs_a_reason_that_arose_later(ief, users, clock):
    outside = clock.last(7, 1, at_least=1)
    with pytest.raises(TransitionError, match="entre le 1er mars et le 31 mai"):
        ief.fire("request_ief", user=users[Role.EDUCATION], effective_date=outside, ground="sante_handicap")
    with pytest.raises(TransitionError, match="note est nécessaire"):
        ief.fire(
            "request_ief_late", user=users[Role.EDUCATION], effective_date=outside, ground="sante_handicap"
        )
    ief.fire("request_ief_late", user=users[Role.EDUCATION], effective_date=outside, ground="sante_handicap",
             note="Maladie déclarée en juin")  # fmt: skip
    assert ief.state == CaseStep.IEF_PENDING


def test_an_ief_request_names_one_of_the_four_grounds(ief, users, clock):
    with pytest.raises(TransitionError, match="quatre"):
        ief.fire("request_ief", user=users[Role.EDUCATION], effective_date=clock.last(3, 15))
    assert len(law.IEF_GROUNDS) == 4


def test_two_months_of_silence_on_an_ief_request_are_an_authorisation_for_one_school_year(ief, users, clock):
    received = clock.last(5, 2, at_least=70)
    ief.fire("request_ief", user=users[Role.EDUCATION], effective_date=received, ground="situation_propre")
    with pytest.raises(TransitionError, match="2 mois"):
        ief.fire("ief_implicit", user=users[Role.EDUCATION], effective_date=received + timedelta(days=60))
    ief.fire("ief_implicit", user=users[Role.EDUCATION], effective_date=received + timedelta(days=63))
    assert ief.state == CaseStep.IEF_AUTHORISED
    assert ief.due_on == date(received.year + 1, 9, 1)  # valid for the coming school year


def test_an_ief_authorisation_for_health_can_last_up_to_three_school_years(ief, users, clock):
    received = clock.last(4, 2, at_least=70)
    ief.fire("request_ief", user=users[Role.EDUCATION], effective_date=received, ground="sante_handicap")
    ief.fire("authorise_ief_health", user=users[Role.EDUCATION], effective_date=received + timedelta(days=30),
             note="3 ans")  # fmt: skip
    assert ief.due_on == date(received.year + 3, 9, 1)


def test_the_dasen_controls_an_authorised_ief_from_the_3rd_month(ief, users, clock):
    education = users[Role.EDUCATION]
    ief.fire("record_authorisation", user=education, note="un an", effective_date=clock.days_ago(120))
    with pytest.raises(TransitionError, match="3e mois"):
        ief.fire("control_satisfactory", user=education, effective_date=clock.days_ago(60))
    ief.fire("control_satisfactory", user=education, effective_date=clock.days_ago(120) + timedelta(days=93))
    assert ief.state == CaseStep.IEF_FOLLOWUP


def test_a_mise_en_demeure_to_enrol_after_ief_controls_needs_two_unsatisfactory_controls(ief, users, clock):
    education = users[Role.EDUCATION]
    ief.fire("record_authorisation", user=education, note="un an", effective_date=clock.days_ago(300))
    first = ief.fire(
        "control_insufficient", user=education, note="lacunes", effective_date=clock.days_ago(150)
    )
    with pytest.raises(TransitionError, match="premier contrôle insuffisant notifié"):
        ief.fire(
            "second_control_insufficient", user=education, note="toujours", effective_date=clock.days_ago(60)
        )
    ief.record_notification(first, user=education, notified_on=clock.days_ago(148))
    ief.fire(
        "second_control_insufficient", user=education, note="toujours", effective_date=clock.days_ago(60)
    )
    ief.fire(
        "send_formal_notice",
        user=education,
        effective_date=clock.days_ago(50),
        notified_on=clock.days_ago(48),
    )
    assert ief.state == CaseStep.FORMAL_NOTICE and ief.due_on == clock.days_ago(33)
    ief.fire("refer_to_prosecutor", user=education, note="pas d'inscription")
    assert ief.state == CaseStep.PROSECUTOR_REFERRAL


def test_a_refusal_of_control_and_a_withdrawal_lead_to_the_mise_en_demeure(ief, users, clock):
    education = users[Role.EDUCATION]
    ief.fire("record_authorisation", user=education, note="un an", effective_date=clock.days_ago(300))
    ief.fire(
        "refuse_control", user=education, note="refus sans motif légitime", effective_date=clock.days_ago(100)
    )
    ief.fire("withdraw_authorisation", user=education, note="retrait", effective_date=clock.days_ago(90))
    ief.fire("send_formal_notice", user=education, effective_date=clock.days_ago(80))
    assert ief.state == CaseStep.FORMAL_NOTICE


def test_the_mayors_enquiry_result_goes_to_the_dasen_and_the_family_then_every_two_years(ief, users, clock):
    agent = users[Role.AGENT]
    ief.fire(
        "record_authorisation", user=users[Role.EDUCATION], note="un an", effective_date=clock.days_ago(60)
    )
    with pytest.raises(TransitionError, match="Votre rôle"):
        ief.fire("start_mayor_enquiry", user=users[Role.EDUCATION])
    ief.fire("start_mayor_enquiry", user=agent, effective_date=clock.days_ago(50))
    event = ief.fire("send_mayor_enquiry", user=agent, effective_date=clock.days_ago(20))
    assert "DASEN et à la famille" in event.label
    assert law.DOCUMENTS["resultat_enquete_mairie"].letterhead == "commune"
    assert ief.due_on is not None and 729 <= (ief.due_on - clock.days_ago(20)).days <= 732  # every two years
    assert "réalité des motifs" in law.act(ief.domain, "start_mayor_enquiry").references


def test_the_prefet_substitutes_for_the_mayor_when_the_enquiry_was_not_made(ief, users, clock):
    ief.fire(
        "record_authorisation", user=users[Role.EDUCATION], note="un an", effective_date=clock.days_ago(60)
    )
    with pytest.raises(TransitionError, match="Votre rôle"):
        ief.fire("prefect_enquiry", user=users[Role.AGENT])
    ief.fire("prefect_enquiry", user=users[Role.PREFECTURE])
    assert ief.state == CaseStep.IEF_FOLLOWUP


# Établissement hors contrat


def test_a_hors_contrat_case_is_about_a_school_not_a_child(commune_a, child):
    with pytest.raises(TransitionError, match="ne concerne pas un enfant"):
        open_case(
            commune=commune_a,
            user=None,
            child=child,
            origin=Origin.PRIVATE_SCHOOL,
            domain=Domain.PRIVATE_SCHOOL,
        )
    school = place(commune_a, Domain.PRIVATE_SCHOOL)
    assert school.about_establishment and school.child is None


def test_an_opposition_to_opening_comes_within_3_months_of_the_declaration(commune_a, users, clock):
    school = place(commune_a, Domain.PRIVATE_SCHOOL)
    school.fire("record_declaration", user=users[Role.EDUCATION], effective_date=clock.days_ago(100))
    with pytest.raises(TransitionError, match="le délai a pris fin"):
        school.fire("oppose_opening", user=users[Role.REFERENT], note="ordre public")
    school.fire("record_opening", user=users[Role.EDUCATION])
    assert school.state == CaseStep.SCHOOL_OPEN
    assert 360 <= (school.due_on - clock.today).days <= 366  # a control within the first year


def test_a_hors_contrat_director_is_referred_only_after_a_notified_mise_en_demeure_whose_delay_has_run(
    commune_a, users, clock
):
    education = users[Role.EDUCATION]
    school = place(commune_a, Domain.PRIVATE_SCHOOL)
    school.fire(
        "record_existing_school", user=education, note="ouvert en 2020", effective_date=clock.days_ago(400)
    )
    school.fire("control_school_insufficient", user=education, note="enseignement insuffisant",
                effective_date=clock.days_ago(90))  # fmt: skip
    with pytest.raises(TransitionError, match="Votre rôle"):
        school.fire("notice_director", user=users[Role.REFERENT], note="x")
    notice = school.fire(
        "notice_director", user=education, note="manquements précis", effective_date=clock.days_ago(80)
    )
    with pytest.raises(TransitionError, match="notification"):
        school.fire("refer_director", user=education, note="x")
    school.record_notification(notice, user=education, notified_on=clock.days_ago(20))
    with pytest.raises(TransitionError, match="délai court"):
        school.fire("refer_director", user=education, note="x")
    with pytest.raises(TransitionError, match="directeur"):
        school.fire("refer_to_prosecutor", user=education, note="x")


def test_the_parents_of_a_hors_contrat_school_closed_by_the_prefet_are_each_put_on_notice(
    commune_a, users, clock
):
    education = users[Role.EDUCATION]
    school = place(commune_a, Domain.PRIVATE_SCHOOL)
    school.fire("record_existing_school", user=education, note="ouvert", effective_date=clock.days_ago(400))
    school.fire(
        "control_school_insufficient", user=education, note="manquements", effective_date=clock.days_ago(90)
    )
    with pytest.raises(TransitionError, match="Votre rôle"):
        school.fire("close_school", user=education, note="fermeture")
    school.fire("close_school", user=users[Role.PREFECTURE], note="arrêté", effective_date=clock.days_ago(30))
    pupil = school.link_child_case(user=education, child=make_child(commune_a, "P1"))
    too_old = make_child(commune_a, "P2")
    too_old.birth_date = date(clock.today.year - 17, 1, 1)
    too_old.save()
    older = school.link_child_case(user=education, child=too_old)
    school.fire("notice_parents_school", user=education, effective_date=clock.days_ago(20))
    pupil.refresh_from_db()
    older.refresh_from_db()
    assert pupil.state == CaseStep.FORMAL_NOTICE and older.state == CaseStep.VERIFICATION
    assert "hors obligation" in school.events.get(kind="notice_parents_school").note


# École de fait


def test_an_ecole_de_fait_order_leads_to_a_15_day_mise_en_demeure_for_each_child(commune_a, users, clock):
    education, prefecture = users[Role.EDUCATION], users[Role.PREFECTURE]
    site = place(commune_a)
    site.fire(
        "record_observation",
        user=users[Role.AGENT],
        note="12 enfants chaque matin",
        effective_date=clock.days_ago(40),
    )
    with pytest.raises(TransitionError, match="n'est pas possible"):
        site.fire("order_closure", user=prefecture)
    site.fire(
        "dasen_opinion",
        user=education,
        note="avis favorable à la fermeture",
        effective_date=clock.days_ago(35),
    )
    with pytest.raises(TransitionError, match="Votre rôle"):
        site.fire("order_closure", user=education)
    site.fire("order_closure", user=prefecture, effective_date=clock.days_ago(30))
    with pytest.raises(TransitionError, match="dossier d'enfant"):
        site.fire("notice_parents_place", user=education)
    first = make_child(commune_a, "E1")
    already = open_case(
        commune=commune_a, user=None, child=first, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    joined = site.link_child_case(user=users[Role.AGENT], child=first)
    new = site.link_child_case(user=users[Role.AGENT], child=make_child(commune_a, "E2"))
    assert joined == already and new.origin == Origin.LINKED and new.linked_to == site
    site.fire("notice_parents_place", user=education, effective_date=clock.days_ago(25))
    for child_case in (joined, new):
        child_case.refresh_from_db()
        notice = child_case.events.get(kind="send_formal_notice")
        assert child_case.state == CaseStep.FORMAL_NOTICE and notice.rule.days == 15
        child_case.record_notification(notice, user=education, notified_on=clock.days_ago(22))
        child_case.refresh_from_db()
        assert child_case.due_on == clock.days_ago(7)
    site.fire("refer_place", user=education, note="L441-4")
    assert site.is_transmitted_to(Role.PROSECUTOR)
    period = custom_period(clock.days_ago(60), clock.today)
    figures = indicator_values(commune_a, period)
    assert figures["mises_en_demeure"] == 2 and figures["signalements"] == 1  # each child; the place once


def test_a_linked_child_cannot_be_joined_to_two_places(commune_a, users):
    first, second = place(commune_a), place(commune_a)
    kid = first.link_child_case(user=None, child=make_child(commune_a, "E3"))
    with pytest.raises(TransitionError, match="déjà rattaché"):
        second.link_child_case(user=None, case=kid)


# The table, its version, its printing, its migration


def test_the_rule_table_version_is_recorded_on_each_event(absence, users):
    absence.add_note(user=None, note="appel")
    absence.fire("confirm_alert", user=users[Role.AGENT], note="x")
    assert set(absence.events.values_list("law_version", flat=True)) == {law.VERSION}


def test_every_act_has_its_authority_its_articles_and_a_deadline_with_its_starting_point():
    for act in law.ACTS:
        assert act.authority in law.AUTHORITIES and act.references, act.name
        if act.deadline:
            assert law.DEADLINES[act.deadline].start in law.START_POINTS
    for domain in law.DOMAINS:
        assert law.acts_of(domain)
    assert all(d.recourse.court and d.recourse.time_limit for d in law.DOCUMENTS.values() if d.recourse)


def test_veille_droit_prints_the_table_as_csv_with_a_header_and_as_markdown(capsys):
    assert main(["droit"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert list(rows[0]) == list(law.COLUMNS) and len(rows) == len(law.ACTS)
    assert {r["domaine"] for r in rows} == {label for label, _ in law.DOMAINS.values()}
    flagged = [r for r in rows if r["a_verifier"]]
    assert flagged and all(r["a_verifier"].startswith("à vérifier") for r in flagged)
    # Each act: its author and the roles that record it, its articles; a deadline with its starting
    # point; an appealable decision with its voies et délais de recours.
    for r in rows:
        assert r["auteur"] and r["roles_veille"] and r["references"], r["acte"]
        assert bool(r["delai"]) == bool(r["point_de_depart"]), r["acte"]
        assert (r["decision_susceptible_de_recours"] == "oui") == bool(r["voies_et_delais_de_recours"]), r[
            "acte"
        ]
    assert any(r["preconditions"] for r in rows if r["acte"] == "refer_to_prosecutor")
    assert main(["droit", "--format", "md"]) == 0
    assert capsys.readouterr().out == law.as_markdown()


def test_an_act_still_to_verify_says_so_on_the_case_page(commune_a, child, users, client, clock):
    case = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM,
        report_half_days=5,
    )  # fmt: skip
    advance_case(
        case, [("record_educational_team", clock.days_ago(20)), ("issue_warning", clock.days_ago(10))]
    )
    client.force_login(users[Role.EDUCATION])
    page = client.get(reverse("cases:detail", kwargs={"commune": commune_a.slug, "pk": case.pk})).text
    assert "Absentéisme persistant" in page and "à vérifier" in page


def test_the_prefecture_records_the_prefets_order_through_the_page(commune_a, users, client, clock):
    site = place(commune_a)
    advance_case(site, [("record_observation", clock.days_ago(20)), ("dasen_opinion", clock.days_ago(10))])
    client.force_login(users[Role.PREFECTURE])
    url = reverse("cases:fire", kwargs={"commune": commune_a.slug, "pk": site.pk, "name": "order_closure"})
    assert client.post(url, {"effective_date": clock.days_ago(2).isoformat()}).status_code == 302
    site.refresh_from_db()
    assert site.state == CaseStep.CLOSURE_ORDERED and site.pending_notification is not None
    notify = reverse("cases:notify", kwargs={"commune": commune_a.slug, "pk": site.pk})
    event = site.pending_notification
    assert (
        client.post(notify, {"event": event.pk, "notified_on": clock.days_ago(1).isoformat()}).status_code
        == 302
    )
    site.refresh_from_db()
    assert site.due_on == clock.days_ago(1) + timedelta(days=15)
    client.force_login(users[Role.CAF])
    assert client.post(url, {}).status_code in (403, 404)


def test_existing_cases_land_on_the_nearest_new_step_and_keep_their_history(commune_a, child):
    migration = __import__(
        "veille.web.cellule.cases.migrations.0005_migrate_to_law_table_v2", fromlist=["forward"]
    )
    warned = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.ABSENTEEISM_REPORT,
        domain=Domain.ABSENTEEISM,
        report_half_days=5,
    )  # fmt: skip
    CaseEvent.objects.create(
        case=warned, kind="issue_warning", from_state="verification", to_state="avertissement"
    )
    CaseEvent.objects.create(
        case=warned, kind="convene_family", from_state="avertissement", to_state="famille_convoquee"
    )
    Case.objects.filter(pk=warned.pk).update(state="famille_convoquee")
    followed = open_case(
        commune=commune_a, user=None, child=child, origin=Origin.CROSSING, domain=Domain.ABSENCE
    )
    Case.objects.filter(pk=followed.pk).update(state="suivi_ief")
    CaseEvent.objects.update(law_version="")
    before = CaseEvent.objects.count()
    migration.forward(apps, None)
    warned.refresh_from_db()
    followed.refresh_from_db()
    assert warned.state == "avertissement" and (followed.domain, followed.state) == (
        "controle_ief",
        "suivi_ief",
    )
    assert CaseEvent.objects.count() == before + 2
    assert set(CaseEvent.objects.exclude(kind="migration").values_list("law_version", flat=True)) == {"1"}
    step = followed.events.get(kind="migration")
    assert step.law_version == "2" and "suivi_ief" in step.note
    # A case followed in IEF before v2 can have its controls recorded (its authorisation predates Veille).
    followed.fire("control_satisfactory", user=None, check_role=False)
    assert followed.state == "suivi_ief"


def test_a_child_is_linked_to_a_place_through_its_page(commune_a, users, client):
    site = place(commune_a)
    kid = make_child(commune_a, "L1")
    client.force_login(users[Role.EDUCATION])
    link = reverse("cases:link", kwargs={"commune": commune_a.slug, "pk": site.pk})
    response = client.post(link, {"child_source_id": kid.source_id}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "rattaché" in response.text
    assert site.linked_cases.get().child == kid
    assert "Dossier n°" in response.text and "<li>" in response.text
    client.force_login(users[Role.PREFECTURE])
    assert client.post(link, {"child_source_id": kid.source_id}).status_code == 403
