"""The audit log: every display, export or change of a child's data. Append-only.

Nobody edits or deletes an entry, in the application or through the ORM: ``save`` refuses an update,
``delete`` refuses, and the QuerySet refuses bulk updates and deletes. On PostgreSQL a trigger refuses
them too (migration 0002). Entries name records by their identifier, never by a name or a date, so
that purging a child's data leaves the log intact and anonymous.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ImmutableError(Exception):
    pass


class Action(models.TextChoices):
    VIEW = "view", "consultation"
    CREATE = "create", "création"
    CHANGE = "change", "modification"
    EXPORT = "export", "export"
    DELETE = "delete", "suppression"
    PURGE = "purge", "purge réglementaire"
    LOGIN = "login", "connexion"
    REFUSED = "refused", "accès refusé"


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise ImmutableError("Le journal des accès ne se modifie pas.")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Le journal des accès ne se supprime pas.")


class AuditEvent(models.Model):
    at = models.DateTimeField("date", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    commune = models.ForeignKey("territories.Commune", on_delete=models.PROTECT, null=True, related_name="+")
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField("type", max_length=40)
    object_id = models.CharField("identifiant", max_length=64, blank=True)
    detail = models.CharField("précision", max_length=300, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    #: the identifiers of the records a list displayed (children, cases), comma-separated: an
    #: auditor can tell who saw a given child, not just how many rows a page had
    shown = models.TextField("identifiants affichés", blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "entrée du journal"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ImmutableError("Le journal des accès ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ImmutableError("Le journal des accès ne se supprime pas.")
