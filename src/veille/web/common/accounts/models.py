"""People, their membership of a commune's cell with a role, invitations, and throttling of attempts."""

from __future__ import annotations

import hmac
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import ClassVar

import pyotp
from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import F, Q
from django.db.models.functions import Greatest, Lower
from django.utils import timezone

from .roles import Capability, Role, can

CHARTER_VERSION = "2026-1"


USERNAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{2,149}$")


def normalise_username(value: str) -> str:
    """The one spelling of a login: NFKC (full-width and ligature forms folded), then lower case."""
    return unicodedata.normalize("NFKC", value).strip().lower()


def validate_username(value: str) -> None:
    """ASCII letters, digits, dot, dash, underscore only: no look-alike (Cyrillic « а », « ﬁ »…)."""
    if not USERNAME_PATTERN.match(normalise_username(value)):
        raise ValidationError(
            "Un identifiant s'écrit avec 3 à 150 lettres sans accent, chiffres, points, tirets ou "
            "soulignés, en commençant par une lettre ou un chiffre (ex. : prenom.nom).",
            code="invalid_username",
        )


class VeilleUserManager(UserManager["User"]):
    def get_by_natural_key(self, username: str | None) -> User:
        # Logins are compared case-insensitively, after NFKC: « Agent » and « agent » are one account.
        return self.get(username__iexact=normalise_username(username or ""))


class User(AbstractUser):
    """A person with an account. Their rights come from their memberships, one per commune."""

    organisation = models.CharField("organisme", max_length=200, blank=True)
    charter_version = models.CharField("version de la charte acceptée", max_length=20, blank=True)
    charter_accepted_at = models.DateTimeField("charte acceptée le", null=True, blank=True)
    totp_secret = models.CharField(max_length=64, blank=True)
    totp_enabled = models.BooleanField("double authentification", default=False)
    #: the time step of the last second-factor code accepted: a code is good once
    totp_last_step = models.BigIntegerField(null=True, blank=True)
    must_change_password = models.BooleanField("mot de passe provisoire à changer", default=False)

    objects: ClassVar[VeilleUserManager] = VeilleUserManager()

    class Meta:
        verbose_name = "utilisateur"
        constraints = [models.UniqueConstraint(Lower("username"), name="username_unique_ignoring_case")]

    def use_totp_code(self, code: str, *, secret: str | None = None) -> bool:
        """Whether ``code`` is right now (one step of clock drift either way) and not used before.

        The step is claimed by one conditional UPDATE, so two sessions racing with the same code
        cannot both win.
        """
        step = totp_step(secret or self.totp_secret, code)
        if step is None:
            return False
        claimed = (
            User.objects.filter(pk=self.pk)
            .filter(Q(totp_last_step__isnull=True) | Q(totp_last_step__lt=step))
            .update(totp_last_step=step)
        )
        if claimed:
            self.totp_last_step = step
        return bool(claimed)

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


def totp_step(secret: str, code: str) -> int | None:
    """The time step whose code is ``code`` (now, or one step before or after), else None."""
    if not secret or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now = totp.timecode(timezone.now())
    for step in (now, now - 1, now + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def pending_for(self, user: User) -> InvitationQuerySet:
        return self.filter(username=normalise_username(user.username), answered_at=None).select_related(
            "commune"
        )


class Invitation(models.Model):
    """A référent's invitation of an existing account into the cell; the account accepts or declines.

    It names the login as typed (normalised), not the account: the référent's page looks the same
    whether such an account exists or not, so the page teaches nothing about other communes' people.
    """

    commune = models.ForeignKey("territories.Commune", on_delete=models.CASCADE, related_name="invitations")
    username = models.CharField("identifiant invité", max_length=150)
    role = models.CharField("rôle", max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    accepted = models.BooleanField(default=False)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = "invitation"

    def answer(self, user: User, *, accept: bool) -> Membership | None:
        """The invited account's answer; accepting seats it in the cell with the invited role."""
        if normalise_username(user.username) != self.username or self.answered_at is not None:
            raise ValueError("Cette invitation ne vous est pas adressée ou a déjà reçu une réponse.")
        with transaction.atomic():
            self.answered_at, self.accepted = timezone.now(), accept
            self.save(update_fields=["answered_at", "accepted"])
            if not accept:
                return None
            membership, _ = Membership.objects.update_or_create(
                user=user, commune=self.commune, defaults={"role": self.role, "active": True}
            )
            return membership


class Throttle(models.Model):
    """Failed attempts counted under one key (an account, an address, both, a second factor).

    An attempt is counted before the password or code is checked (see :func:`reserve`): parallel
    attempts cannot slip more checks in than the limit. No personal data but the login and address.
    """

    key = models.CharField(max_length=300, unique=True)
    failures = models.PositiveIntegerField(default=0)
    window_started = models.DateTimeField(default=timezone.now)
    last_failure = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "compteur d'essais"


@dataclass(frozen=True)
class Limit:
    """``failures`` allowed under ``key`` per window of ``window`` minutes.

    Past the limit the key is locked until its window ends; with ``backoff`` seconds it is not
    locked but slowed: one attempt per ``backoff`` seconds (so that a stranger cannot lock a person
    out of their own account by failing on purpose from elsewhere).
    """

    key: str
    failures: int
    window: int
    backoff: int = 0

    def refuses(self, row: Throttle, now: datetime) -> bool:
        if row.failures < self.failures:
            return False
        if self.backoff:
            return row.last_failure is not None and now - row.last_failure < timedelta(seconds=self.backoff)
        return True


def reserve(limits: list[Limit]) -> bool:
    """Count one attempt under every key, unless a key refuses it; True if the attempt may go on.

    One transaction with the rows locked (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's IMMEDIATE
    transactions take the write lock at once): the check and the count cannot be split by another
    attempt.
    """
    now = timezone.now()
    keys = sorted(limit.key for limit in limits)
    with transaction.atomic():
        Throttle.objects.bulk_create(
            [Throttle(key=k, window_started=now) for k in keys], ignore_conflicts=True
        )
        rows = {t.key: t for t in Throttle.objects.select_for_update().filter(key__in=keys).order_by("key")}
        for limit in limits:
            row = rows[limit.key]
            if now - row.window_started >= timedelta(minutes=limit.window):
                row.failures, row.window_started = 0, now
        if any(limit.refuses(rows[limit.key], now) for limit in limits):
            return False
        for row in rows.values():
            row.failures += 1
            row.last_failure = now
            row.save(update_fields=["failures", "window_started", "last_failure"])
    return True


def forgive(*, reset: Sequence[str] = (), discount: Sequence[str] = ()) -> None:
    """After a success: ``reset`` keys start again from zero, ``discount`` keys lose the attempt."""
    Throttle.objects.filter(key__in=reset).delete()
    Throttle.objects.filter(key__in=discount).update(failures=Greatest(F("failures") - 1, 0))


def login_limits(username: str, address: str) -> list[Limit]:
    """Per (account, address) a lock; per address a lock; per account a short backoff (settings)."""
    login = normalise_username(username)
    window = settings.LOGIN_LOCK_MINUTES
    return [
        Limit(f"login:{login}|{address}", settings.LOGIN_MAX_FAILURES, window),
        Limit(f"address:{address}", settings.LOGIN_ADDRESS_MAX_FAILURES, window),
        Limit(
            f"account:{login}",
            settings.LOGIN_ACCOUNT_MAX_FAILURES,
            window,
            settings.LOGIN_ACCOUNT_BACKOFF_SECONDS,
        ),
    ]


def totp_limit(user: User) -> Limit:
    return Limit(f"totp:{user.pk}", settings.TOTP_MAX_FAILURES, settings.LOGIN_LOCK_MINUTES)
