"""Regional network: publish a fiche expérience, search by objective and public, region and role limits."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

from veille.web.cite.actions.models import Status
from veille.web.cite.cites.models import Trace
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.framework.models import SubObjective
from veille.web.cite.network.models import Experience, NetworkMeeting

from .cite_support import make_action, make_cite, make_cite_member, url


@pytest.fixture
def cite(db):
    cite = make_cite()
    cite.region = "Région Fictive"
    cite.save()
    return cite


@pytest.fixture
def neighbour(cite):
    other = make_cite("cite-voisine", "Cité des Acacias")
    other.region = "Région Fictive"
    other.save()
    return other


def publish(client, cite, action, **extra):
    data = {
        "title": action.title,
        "what": "Ateliers de lecture.",
        "publics": ["6-11", "parents"],
        "sub_objectives": [s.pk for s in SubObjective.objects.current().filter(code="2.4")],
        "theme": "lecture",
        "contact_role": "Chef de projet de la cité",
        "contact_email": "cite@exemple.fr",
        "cost": "3 000",
        **extra,
    }
    response = client.post(url("network_cite:create", action=action.pk), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    experience = Experience.objects.get(cite=cite, title=data["title"])
    client.post(url("network_cite:publish", pk=experience.pk), {"publier": "1"})
    experience.refresh_from_db()
    return experience


def test_a_cpo_of_another_cite_of_the_region_finds_the_published_fiche(cite, neighbour, client_as):
    action = make_action(cite, status=Status.IN_PROGRESS, title="Club lecture du mercredi")
    experience = publish(client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)), cite, action)
    assert experience.published and experience.action == action
    assert Trace.objects.filter(cite=cite, verb="publication").exists()
    reader = client_as(make_cite_member(neighbour, CiteRole.PROJECT_LEAD))
    found = reader.get(reverse("network:index"), {"objective": 2, "public": "parents"}).content.decode()
    assert "Club lecture du mercredi" in found
    assert (
        "Club lecture du mercredi"
        not in reader.get(reverse("network:index"), {"objective": 3}).content.decode()
    )
    assert (
        "Club lecture du mercredi"
        not in reader.get(reverse("network:index"), {"public": "16-25"}).content.decode()
    )
    assert (
        "Club lecture du mercredi"
        in reader.get(reverse("network:index"), {"theme": "lecture"}).content.decode()
    )
    detail = reader.get(reverse("network:experience", kwargs={"pk": experience.pk}))
    assert detail.status_code == 200 and "cite@exemple.fr" in detail.content.decode()


def test_a_draft_fiche_and_the_actions_stay_inside_the_cite(cite, neighbour, client_as):
    action = make_action(cite, status=Status.VALIDATED, title="Projet encore confidentiel")
    cpo = client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD))
    cpo.post(
        url("network_cite:create", action=action.pk),
        {
            "title": "Projet encore confidentiel",
            "what": "x",
            "publics": ["3-6"],
            "sub_objectives": [SubObjective.objects.current().first().pk],
            "contact_role": "CPO",
            "contact_email": "cite@exemple.fr",
        },
    )
    draft = Experience.objects.get(title="Projet encore confidentiel")
    assert not draft.published
    reader = client_as(make_cite_member(neighbour, CiteRole.PROJECT_LEAD))
    assert "Projet encore confidentiel" not in reader.get(reverse("network:index")).content.decode()
    assert reader.get(reverse("network:experience", kwargs={"pk": draft.pk})).status_code == 404
    assert (
        reader.get(reverse("actions:detail", kwargs={"cite": cite.slug, "pk": action.pk})).status_code == 404
    )
    assert reader.get(url("network_cite:edit", cite="cite-voisine", pk=draft.pk)).status_code == 404
    assert reader.get(url("network_cite:edit", pk=draft.pk)).status_code == 404


def test_a_cpo_of_another_region_does_not_see_the_fiche(cite, client_as):
    action = make_action(cite, status=Status.IN_PROGRESS, title="Club lecture du mercredi")
    experience = publish(client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)), cite, action)
    far = make_cite("cite-lointaine", "Cité des Cèdres")
    far.region = "Autre Région"
    far.save()
    reader = client_as(make_cite_member(far, CiteRole.PROJECT_LEAD))
    assert "Club lecture du mercredi" not in reader.get(reverse("network:index")).content.decode()
    assert reader.get(reverse("network:experience", kwargs={"pk": experience.pk})).status_code == 404


@pytest.mark.parametrize("role", [CiteRole.TROIKA, CiteRole.PARTNER, CiteRole.OBSERVER])
def test_only_the_cpo_publishes_and_reads_the_network(cite, client_as, role):
    action = make_action(cite, status=Status.IN_PROGRESS)
    experience = Experience.objects.create(
        cite=cite, title="Fiche", what="x", contact_role="CPO", contact_email="cite@exemple.fr"
    )
    client = client_as(make_cite_member(cite, role))
    assert client.get(url("network_cite:create", action=action.pk)).status_code == 403
    assert client.post(url("network_cite:publish", pk=experience.pk), {"publier": "1"}).status_code == 403
    assert client.get(reverse("network:index")).status_code == 403
    experience.refresh_from_db()
    assert not experience.published


def test_network_meetings_and_their_minutes(cite, neighbour, client_as):
    action = make_action(cite, status=Status.IN_PROGRESS, title="Club lecture du mercredi")
    experience = publish(client_as(make_cite_member(cite, CiteRole.PROJECT_LEAD)), cite, action)
    client = client_as(make_cite_member(neighbour, CiteRole.PROJECT_LEAD))
    response = client.post(
        reverse("network:meeting_create"),
        {
            "hote": "cite-voisine",
            "held_on": "2025-11-18",
            "weather": "Grand beau temps.",
            "regional_news": "Nouvelle cité labellisée.",
            "presented": [experience.pk],
        },
    )
    assert response.status_code == 302
    meeting = NetworkMeeting.objects.get()
    assert (meeting.region, meeting.host) == ("Région Fictive", neighbour)
    pdf = client.get(reverse("network:minutes", kwargs={"pk": meeting.pk}))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert (
        "Grand beau temps." in text and "Club lecture du mercredi" in text and "Actualités régionales" in text
    )
    far = make_cite("cite-lointaine", "Cité des Cèdres")
    far.region = "Autre Région"
    far.save()
    stranger = client_as(make_cite_member(far, CiteRole.PROJECT_LEAD))
    assert stranger.get(reverse("network:minutes", kwargs={"pk": meeting.pk})).status_code == 404


def test_the_demo_cpo_of_the_other_cite_finds_the_published_fiches(db, client):
    from veille.web.cite.review.models import Review
    from veille.web.demo.cite import seed_cite

    demo = seed_cite()
    assert Review.objects.filter(cite=demo.cite, year=2025).exists()
    assert client.login(username="cpo.acacias", password="demo-cpo.acacias-2026")
    from veille.web.common.accounts.models import CHARTER_VERSION, User

    User.objects.filter(username="cpo.acacias").update(charter_version=CHARTER_VERSION)
    published = Experience.objects.filter(cite=demo.cite, published=True)
    assert published.exists()
    page = client.get(reverse("network:index")).content.decode()
    assert all(e.title in page for e in published)
