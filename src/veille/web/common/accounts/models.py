"""People, their membership of a commune's cell with a role, and login throttling."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone

from .roles import Capability, Role, can

CHARTER_VERSION = "2026-1"


class User(AbstractUser):
    """A person with an account. Their rights come from their memberships, one per commune."""

    organisation = models.CharField("organisme", max_length=200, blank=True)
    charter_version = models.CharField("version de la charte acceptée", max_length=20, blank=True)
    charter_accepted_at = models.DateTimeField("charte acceptée le", null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField("double authentification", default=False)

    class Meta:
        verbose_name = "utilisateur"

    @property
    def has_accepted_charter(self) -> bool:
        return self.charter_version == CHARTER_VERSION

    def accept_charter(self) -> None:
        self.charter_version = CHARTER_VERSION
        self.charter_accepted_at = timezone.now()
        self.save(update_fields=["charter_version", "charter_accepted_at"])


class MembershipQuerySet(models.QuerySet["Membership"]):
    def for_user(self, user: User) -> MembershipQuerySet:
        return self.filter(user=user, active=True).select_related("commune")


class Membership(models.Model):
    """A person's seat in one commune's cell, with one role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    active = models.BooleanField("actif", default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "commune"], name="one_role_per_commune")]
        verbose_name = "membre de la cellule"

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} ({self.commune})"

    def can(self, capability: Capability) -> bool:
        return self.active and can(self.role, capability)


class LoginAttemptQuerySet(models.QuerySet["LoginAttempt"]):
    def recent_failures(self, username: str) -> int:
        since = timezone.now() - timedelta(minutes=settings.LOGIN_LOCK_MINUTES)
        return self.filter(username=username.lower(), succeeded=False, at__gte=since).count()


class LoginAttempt(models.Model):
    """One login attempt; failures in a row pause the account for a while (no personal data but the login)."""

    username = models.CharField(max_length=150, db_index=True)
    at = models.DateTimeField(default=timezone.now)
    succeeded = models.BooleanField(default=False)

    objects = LoginAttemptQuerySet.as_manager()

    @classmethod
    def is_locked(cls, username: str) -> bool:
        return cls.objects.recent_failures(username) >= settings.LOGIN_MAX_FAILURES

    @classmethod
    def record(cls, username: str, *, succeeded: bool) -> None:
        cls.objects.create(username=username.lower(), succeeded=succeeded)
        if succeeded:
            cls.objects.filter(username=username.lower(), succeeded=False).delete()
