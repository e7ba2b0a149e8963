"""Demo of the second half: instances, meetings and decisions, protocol, draft review, fiches expériences,
and a second fictional cité of the same region with its own CPO (``cpo.acacias``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from veille.web.cite.actions.models import Action, Status
from veille.web.cite.cites.models import Cite, CiteMembership
from veille.web.cite.cites.roles import CiteRole
from veille.web.cite.governance.models import Decision, Instance, Meeting
from veille.web.cite.network.models import Experience
from veille.web.cite.review.drafting import create_review
from veille.web.cite.review.models import Frequency, ProtocolEntry
from veille.web.common.accounts.models import User

OTHER_CPO = ("cpo.acacias", "Gaspard", "Lenfantin")


def seed_second_half(cite: Cite, cpo: User) -> None:
    """Governance, protocol, a draft 2025 review and three published fiches for ``cite`` (once)."""
    if Instance.objects.filter(cite=cite).exists():
        return
    copil = Instance.objects.create(cite=cite, kind=Instance.Kind.STEERING, name="Comité de pilotage")
    Instance.objects.create(cite=cite, kind=Instance.Kind.TROIKA, name="Troïka")
    Instance.objects.create(cite=cite, kind=Instance.Kind.TECHNICAL, name="Comité technique")
    programmed = list(Action.objects.in_cite(cite).programmed()[:3])
    for year in (2024, 2025):
        meeting = Meeting.objects.create(
            cite=cite,
            instance=copil,
            held_on=dt.date(year, 3, 12),
            place="Collège chef de file",
            agenda="Bilan de l'année\nActions proposées\nFonds de la cité",
            weather="Tour de table : des équipes mobilisées, une rentrée chargée.",
            national_news="Généralisation des cités éducatives annoncée.",
            regional_news="Rencontre régionale des chefs de projet en juin.",
            local_news="Ouverture d'un nouvel espace parents au centre social.",
            next_meeting_on=dt.date(year, 10, 8),
            created_by=cpo,
        )
        meeting.presented_actions.set(programmed)
        Decision.objects.create(
            meeting=meeting, kind=Decision.Kind.OTHER, recorded_by=cpo, text="Le bilan de l'année est adopté."
        )
    first = Action.objects.in_cite(cite).programmed().first()
    for indicator in first.indicators.all() if first else []:
        ProtocolEntry.objects.create(
            cite=cite,
            kind=indicator.kind,
            indicator=indicator,
            source="Bilan du porteur",
            frequency=Frequency.YEARLY,
        )
    create_review(cite=cite, year=2025, user=cpo)
    for action in Action.objects.in_cite(cite).filter(status__in=[Status.IN_PROGRESS, Status.DONE])[:3]:
        experience = Experience.objects.create(
            cite=cite,
            action=action,
            title=action.title,
            what=action.description,
            publics=action.publics,
            theme="démonstration",
            partners_text=str(action.lead_partner),
            results="Fréquentation en hausse.",
            lessons="Associer les parents dès le début.",
            contact_role="Chef de projet de la cité",
            contact_email="cite.educative@exemple.fr",
            published=True,
            published_at=timezone.now(),
            published_by=cpo,
        )
        experience.sub_objectives.set(action.sub_objectives.all())


def seed_other_cite(region: str) -> Cite:
    """A second fictional cité of the same region, with its CPO (password ``demo-cpo.acacias-2026``)."""
    cite, _ = Cite.objects.get_or_create(
        slug="cite-des-acacias", defaults={"name": "Les Acacias", "region": region, "department": "59"}
    )
    username, first, last = OTHER_CPO
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(
            username=username, first_name=first, last_name=last, organisation="Cité éducative des Acacias"
        )
        user.set_password(f"demo-{username}-2026")
        user.save()
    CiteMembership.objects.get_or_create(user=user, cite=cite, defaults={"role": CiteRole.PROJECT_LEAD})
    return cite
