"""No list page's SQL queries grow with its rows: each page is counted, its rows tripled, counted again.

A page that made one query per row (the Fonds page made 76 for 12 commitments, the partners page one
per partner) fails here with the number of queries before and after.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from veille.web.cellule.cases.models import Case
from veille.web.cellule.imports.models import CrossingRun, Outcome, RunStatus
from veille.web.cellule.meetings.models import Meeting
from veille.web.cite.actions.models import Status
from veille.web.cite.cites.models import Partner
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.funds.models import Commitment, Contribution, Contributor, Payment
from veille.web.common.accounts.roles import Role
from veille.web.common.audit.models import Action, AuditEvent

from .cite_support import make_action, make_cite, make_cite_member
from .conftest import make_member
from .protection_helpers import make_case, make_child

CELL_PAGES = [
    "children:index",
    "imports:index",
    "imports:review",
    "cases:index",
    "cases:todo",
    "meetings:index",
    "audit:index",
    "protection:purge",
    "members:index",
    "cellule:home",
    "protection:exports",
    "documents:templates",
]
CITE_PAGES = [
    "funds:index",
    "cites:partners",
    "actions:index",
    "cites:members",
    "cites:journal",
    "review:index",
    "governance:index",
    "cites:territory",
]


def queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def grow_cell(commune, referent, run, start: int, count: int) -> None:
    """``count`` more children, each with a result in the run, a case, a log entry; a meeting each 5."""
    today = timezone.localdate()
    for n in range(start, start + count):
        # Some children are due for purge (born long ago), some are uncertain, some not found.
        born = date(2005, 1, 1) if n % 4 == 0 else date(2015, 1, 1)
        child = make_child(commune, f"C{n:05d}", born=born, last_name=f"Nom{n:03d}")
        status = ("incertain", "non_trouve", "rapproche")[n % 3]
        candidate = {"source": "ONDE", "identifiant": f"R{n}", "nom": "X", "prenoms": "Y"}
        Outcome.objects.create(run=run, child=child, status=status, engine_status=status, candidate=candidate)
        case = make_case(child)
        Case.objects.filter(pk=case.pk).update(due_on=today + timedelta(days=n % 10))
        AuditEvent.objects.create(
            commune=commune, user=referent, action=Action.VIEW, object_type="children.child"
        )
        if n % 5 == 0:
            Meeting.objects.create(commune=commune, held_on=timezone.now(), place="Mairie")
            make_member(commune, Role.AGENT, f"agent-{n}")


@pytest.mark.parametrize("name", CELL_PAGES)
def test_a_cell_list_page_makes_as_many_queries_for_many_rows_as_for_few(commune_a, client_as, name):
    referent = make_member(commune_a, Role.REFERENT, "referent-comptage")
    run = CrossingRun.objects.create(
        commune=commune_a, school_year="2026-2027", launched_by=referent, status=RunStatus.DONE
    )
    grow_cell(commune_a, referent, run, 0, 6)
    client = client_as(referent)
    url = reverse(name, kwargs={"commune": commune_a.slug})
    client.get(url)  # caches warm (content types, templates) before counting
    few = queries(client, url)
    grow_cell(commune_a, referent, run, 6, 12)
    many = queries(client, url)
    assert many == few, f"{url} : {few} requêtes pour 6 lignes, {many} pour 18"


def grow_cite(cite, start: int, count: int) -> None:
    """``count`` more partners, each leading an action with a commitment, a payment and a contribution."""
    for n in range(start, start + count):
        lead = Partner.objects.create(cite=cite, name=f"Partenaire {n}", kind=Partner.Kind.ASSOCIATION)
        action = make_action(
            cite,
            lead=lead,
            status=Status.IN_PROGRESS,
            budget={(2025, "etat_147"): "1000", (2025, "fonds_cite"): "500", (2025, "commune"): "400"},
            title=f"Action {n}",
        )
        commitment = Commitment.objects.create(
            cite=cite, action=action, year=2025, amount=Decimal("300"), decided_on=date(2025, 3, 1)
        )
        Payment.objects.create(commitment=commitment, amount=Decimal("100"), paid_on=date(2025, 4, 1))
        Contribution.objects.get_or_create(
            cite=cite,
            year=2020 + n % 6,
            contributor=Contributor.COMMUNE,
            defaults={"amount": Decimal("1000")},
        )


@pytest.mark.parametrize("name", CITE_PAGES)
def test_a_cite_list_page_makes_as_many_queries_for_many_rows_as_for_few(db, client_as, name):
    cite = make_cite()
    user = make_cite_member(cite, CiteRole.PROJECT_LEAD)
    grow_cite(cite, 0, 3)
    client = client_as(user)
    url = reverse(name, kwargs={"cite": cite.slug})
    client.get(url)
    few = queries(client, url)
    grow_cite(cite, 3, 9)
    many = queries(client, url)
    assert many == few, f"{url} : {few} requêtes pour 3 lignes, {many} pour 12"


def test_the_review_of_a_year_makes_as_many_queries_for_many_actions_as_for_few(db, client_as):
    from veille.web.cite.review.drafting import create_review

    cite = make_cite()
    user = make_cite_member(cite, CiteRole.PROJECT_LEAD)
    grow_cite(cite, 0, 3)
    create_review(cite=cite, year=2025, user=user)
    client = client_as(user)
    url = reverse("review:detail", kwargs={"cite": cite.slug, "year": 2025})
    client.get(url)
    few = queries(client, url)
    grow_cite(cite, 3, 9)
    many = queries(client, url)
    assert many == few, f"{url} : {few} requêtes pour 3 actions, {many} pour 12"
