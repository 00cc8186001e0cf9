"""Partnerships (the tenant), people and their roles in a partnership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import rules
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils import timezone

if TYPE_CHECKING:
    from collections.abc import Iterable


class Partnership(models.Model):
    """A Local Safeguarding Children Partnership: the tenant. Every record belongs to exactly one."""

    name = models.CharField(max_length=200, unique=True)
    slug = models.SlugField(max_length=60, unique=True)
    area = models.CharField(max_length=200, help_text="The local authority area(s) the partnership covers.")
    contact_email = models.EmailField(blank=True)
    employs_young_people = models.BooleanField(
        default=False,
        help_text="Whether the partnership employs its young scrutineers (minimum wage and child employment law).",
    )
    applicant_retention_days = models.PositiveIntegerField(
        default=183,
        help_text="How long withdrawn and unsuccessful applications are kept before they are deleted (days).",
    )
    leaver_retention_days = models.PositiveIntegerField(
        default=365,
        help_text=(
            "How long after someone leaves (their account is suspended) their record is reduced to what must be"
            " kept (days)."
        ),
    )
    load_limit_engagements = models.PositiveIntegerField(
        default=6,
        help_text="Warn when confirming a young person would give them more engagements than this in 90 days.",
    )
    load_limit_hours = models.PositiveIntegerField(
        default=30, help_text="Warn when confirming a young person would give them more hours than this in 90 days."
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    YOUNG_PERSON = "young_person", "Young person"
    PARTICIPATION_WORKER = "participation_worker", "Participation worker"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    SCRUTINY_LEAD = "scrutiny_lead", "Scrutiny lead"
    PARTNERSHIP_ADMIN = "partnership_admin", "Partnership admin"


STAFF_ROLES: frozenset[str] = frozenset(Role.values) - {Role.YOUNG_PERSON.value}
PRODUCT_APPS = frozenset({"core", "participants", "safeguarding", "engagements", "payments", "library", "frontend"})


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create(self, email: str, password: str | None, **extra: object) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("full_name", "Operator")
        return self._create(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who can sign in. Keyed by email. What they may do comes from their Membership in a partnership.

    During a request the person acts in exactly one partnership: `core.tenancy` attaches that membership,
    and `user.partnership` / `user.roles` read it. Code that runs outside a request (tasks, commands) calls
    `core.tenancy.act_in(user, partnership)` first.
    """

    email = models.EmailField(unique=True)
    full_name = models.CharField(max_length=150)
    preferred_name = models.CharField(max_length=60, blank=True, help_text="What they like to be called.")
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May use the Django admin (operators only).")
    date_joined = models.DateTimeField(default=timezone.now)

    objects: ClassVar[UserManager] = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["full_name"]

    class Meta:
        ordering = ["full_name"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def clean(self) -> None:
        super().clean()
        self.email = self.email.strip().lower()

    def has_perm(self, perm: str, obj: Any = None) -> bool:
        """The product's own permissions are decided by the rules alone: being a superuser (an operator of the
        deployment) gives no role in any partnership. Django's own permissions (the admin) work as usual."""
        if perm.split(".", 1)[0] in PRODUCT_APPS:
            return bool(self.is_active and rules.has_perm(perm, self, obj))
        return super().has_perm(perm, obj)

    def get_short_name(self) -> str:
        return self.preferred_name or self.full_name.split(" ")[0]

    # --- the partnership this person is acting in (set per request by core.tenancy) ---------------------
    _active_membership: Membership | None = None
    # All of the person's active memberships, when core.tenancy's middleware read them for this request.
    _active_memberships: list[Membership] | None = None
    # Set per request by core.mfa: did this browser session's sign-in include the second factor?
    second_factor_this_session: bool = False

    @property
    def membership(self) -> Membership | None:
        return self._active_membership

    @property
    def partnership(self) -> Partnership:
        if self._active_membership is None:
            raise PermissionDenied("You are not acting in any partnership.")
        return self._active_membership.partnership

    @property
    def partnership_id(self) -> int | None:
        return self._active_membership.partnership_id if self._active_membership else None

    @property
    def roles(self) -> frozenset[str]:
        return self._active_membership.roles if self._active_membership else frozenset()

    @property
    def is_partnership_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


def role_field(role: str) -> str:
    return f"is_{role}"


_ROLE_FIELDS: tuple[tuple[str, str], ...] = tuple((role, role_field(role)) for role in Role.values)


class Membership(models.Model):
    """A person's place in one partnership: which roles they hold there, and whether it is active.

    A person may hold several roles in one partnership and belong to several partnerships; they act in one
    at a time. Suspending a membership takes every role away at once and is recorded in the audit log.
    """

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        SUSPENDED = "suspended", "Suspended"

    TRANSITIONS: ClassVar[dict[str, set[str]]] = {
        Status.ACTIVE: {Status.SUSPENDED},
        Status.SUSPENDED: {Status.ACTIVE},
    }

    partnership = models.ForeignKey(Partnership, on_delete=models.PROTECT, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    job_title = models.CharField(max_length=120, blank=True)
    is_young_person = models.BooleanField("young person", default=False)
    is_participation_worker = models.BooleanField("participation worker", default=False)
    is_safeguarding_lead = models.BooleanField("safeguarding lead", default=False)
    is_finance_officer = models.BooleanField("finance officer", default=False)
    is_scrutiny_lead = models.BooleanField("scrutiny lead", default=False)
    is_partnership_admin = models.BooleanField("partnership admin", default=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set when the person's data in this partnership was erased or reduced to what must be kept
    # (participants.services.data_rights): the row stays, because kept records (concerns, payments) point at it.
    erased_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["partnership", "user__full_name"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "user"], name="one_membership_per_partnership"),
            models.CheckConstraint(
                condition=(
                    models.Q(is_young_person=True)
                    | models.Q(is_participation_worker=True)
                    | models.Q(is_safeguarding_lead=True)
                    | models.Q(is_finance_officer=True)
                    | models.Q(is_scrutiny_lead=True)
                    | models.Q(is_partnership_admin=True)
                ),
                name="membership_has_a_role",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"])]

    def __str__(self) -> str:
        return f"{self.user} in {self.partnership}"

    @property
    def roles(self) -> frozenset[str]:
        # Read by every permission check (a page's menu alone asks about 40): the role fields are listed once below,
        # because `Role.values` builds its list afresh at each use.
        return frozenset(role for role, name in _ROLE_FIELDS if getattr(self, name))

    @property
    def sorted_roles(self) -> list[str]:
        return sorted(self.roles)

    @property
    def role_labels(self) -> list[str]:
        return [Role(role).label for role in Role.values if role in self.roles]

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    def set_roles(self, roles: Iterable[str]) -> None:
        wanted = set(roles)
        unknown = wanted - set(Role.values)
        if unknown:
            raise ValueError(f"Unknown roles: {sorted(unknown)}")
        for role in Role.values:
            setattr(self, role_field(role), role in wanted)

    @classmethod
    def with_role(cls, role: str) -> models.Q:
        return models.Q(**{role_field(role): True})

    @classmethod
    def with_any_staff_role(cls) -> models.Q:
        q = models.Q()
        for role in sorted(STAFF_ROLES):
            q |= cls.with_role(role)
        return q
