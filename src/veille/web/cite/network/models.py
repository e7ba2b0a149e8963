"""The regional network of cités: fiches expériences shared by CPOs, network meetings and minutes.

No child's personal data here: a fiche describes an action, its public by age band, its cost, its
results in aggregate and a contact of the cité (a function and a service address, never a child).
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from veille.web.cite.actions.models import Public, amount_field
from veille.web.cite.cites.models import CiteMembership
from veille.web.cite.cites.roles import CiteCapability


def network_regions(user: Any) -> set[str]:
    """The regions whose network this user may read: those of the cités where they may share."""
    return {
        m.cite.region
        for m in CiteMembership.objects.for_user(user)
        if m.cite.region and m.can(CiteCapability.SHARE_NETWORK)
    }


class ExperienceQuerySet(models.QuerySet["Experience"]):
    def published(self) -> ExperienceQuerySet:
        return self.filter(published=True)

    def visible_to(self, user: Any) -> ExperienceQuerySet:
        """Published fiches of the regions of the user's cités (nothing for anybody else)."""
        return self.published().filter(cite__region__in=network_regions(user))

    def search(
        self, *, objective: int | None = None, public: str = "", theme: str = ""
    ) -> ExperienceQuerySet:
        qs = self
        if objective:
            qs = qs.filter(sub_objectives__objective__number=objective)
        if public:
            # JSON containment is not portable to SQLite; the list is short and stored as text.
            qs = qs.filter(publics__icontains=f'"{public}"')
        if theme:
            qs = qs.filter(
                models.Q(theme__icontains=theme)
                | models.Q(title__icontains=theme)
                | models.Q(what__icontains=theme)
            )
        return qs.distinct()


class Experience(models.Model):
    """A fiche expérience: an action told to the other cités of the region."""

    cite = models.ForeignKey("cites.Cite", on_delete=models.CASCADE, related_name="experiences")
    action = models.ForeignKey(
        "actions.Action", on_delete=models.SET_NULL, null=True, blank=True, related_name="experiences"
    )
    title = models.CharField("titre", max_length=200)
    what = models.TextField("ce qui est fait")
    publics = models.JSONField("pour qui", default=list)
    sub_objectives = models.ManyToManyField(
        "framework.SubObjective", related_name="experiences", verbose_name="sous-objectifs du référentiel"
    )
    theme = models.CharField(
        "thèmes (mots-clés)", max_length=200, blank=True, help_text="ex. lecture, parentalité"
    )
    partners_text = models.TextField("partenaires", blank=True)
    cost = amount_field("coût annuel (€)", null=True, blank=True)
    results = models.TextField("résultats", blank=True)
    lessons = models.TextField("enseignements", blank=True)
    contact_role = models.CharField("contact (fonction, service)", max_length=200)
    contact_email = models.EmailField("adresse électronique du service")
    published = models.BooleanField("publiée dans le réseau", default=False)
    published_at = models.DateTimeField("publiée le", null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    objects = ExperienceQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "title"]
        verbose_name = "fiche expérience"

    def __str__(self) -> str:
        return self.title

    def publics_display(self) -> list[str]:
        return [Public(p).label for p in self.publics if p in Public.values]


class NetworkMeeting(models.Model):
    """A meeting of the regional network (the CPOs of the region), hosted by one cité."""

    region = models.CharField("région", max_length=80)
    host = models.ForeignKey(
        "cites.Cite",
        on_delete=models.PROTECT,
        related_name="hosted_network_meetings",
        verbose_name="cité hôte",
    )
    held_on = models.DateField("date")
    place = models.CharField("lieu", max_length=200, blank=True)
    weather = models.TextField("météo du jour", blank=True)
    national_news = models.TextField("actualités nationales", blank=True)
    regional_news = models.TextField("actualités régionales", blank=True)
    local_news = models.TextField("actualités locales", blank=True)
    presented = models.ManyToManyField(
        Experience, blank=True, related_name="network_meetings", verbose_name="actions présentées"
    )
    notes = models.TextField("échanges", blank=True)
    next_meeting_on = models.DateField("prochaine réunion le", null=True, blank=True)
    next_meeting_note = models.CharField("prochaine réunion : précision", max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-held_on", "-id"]
        verbose_name = "réunion du réseau"

    def __str__(self) -> str:
        return f"Réseau {self.region} du {self.held_on:%d/%m/%Y}"

    @property
    def cite(self) -> Any:
        """The cité whose journal records the meeting's changes."""
        return self.host
