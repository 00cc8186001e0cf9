"""The onboarding checklist: created on acceptance, ticked off by other apps through `onboarding_item_complete`."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from participants.models import Membership, OnboardingItem, User

Kind = OnboardingItem.Kind


# Items only the owning app's records can complete (so the checklist never says "done" without the record).
RECORDED_ELSEWHERE = ("consent.",)


@dataclass(frozen=True)
class ChecklistEntry:
    key: str
    kind: str
    label: str
    hint: str = ""
    under_16_only: bool = False


# What every new young scrutineer needs before they can take part. Later parts of the product tick these off:
# consents (safeguarding), training records (training), payment set-up (payments).
CHECKLIST: tuple[ChecklistEntry, ...] = (
    ChecklistEntry("consent.taking_part", Kind.CONSENT, "Say yes to taking part",
                   "Read what being a young scrutineer involves and give your consent."),
    ChecklistEntry("consent.parent_carer", Kind.CONSENT, "Consent from your parent or carer",
                   "Because you are under 16, we ask your parent or carer too. We will email them a link.",
                   under_16_only=True),
    ChecklistEntry("consent.media", Kind.CONSENT, "Choose about photos and film",
                   "You decide whether you appear in photos or films. You can change your mind at any time."),
    ChecklistEntry("safeguarding.emergency_contact", Kind.SAFEGUARDING, "Add an emergency contact",
                   "Someone we can call if you are unwell during a session."),
    ChecklistEntry("training.safeguarding_basics", Kind.TRAINING, "Safeguarding basics training",
                   "A short session on keeping yourself and others safe."),
    ChecklistEntry("training.what_is_scrutiny", Kind.TRAINING, "What scrutiny is",
                   "How the partnership works and what young scrutineers do."),
    ChecklistEntry("payment.setup", Kind.PAYMENT, "Choose how you get paid",
                   "Bank transfer, vouchers, or no payment if you prefer."),
)  # fmt: skip


@transaction.atomic
def onboarding_create_for(*, membership: Membership, under_16: bool) -> list[OnboardingItem]:
    """Create the checklist for a new young scrutineer. Safe to run twice: existing rows are kept."""
    items = []
    for order, entry in enumerate(CHECKLIST):
        if entry.under_16_only and not under_16:
            continue
        item, _ = OnboardingItem.objects.get_or_create(
            membership=membership,
            key=entry.key,
            defaults={
                "partnership_id": membership.partnership_id,
                "kind": entry.kind,
                "label": entry.label,
                "hint": entry.hint,
                "order": order,
            },
        )
        items.append(item)
    return items


@transaction.atomic
def onboarding_item_record(
    *, membership: Membership, key: str, status: str = OnboardingItem.Status.DONE, by: User | None = None
) -> OnboardingItem | None:
    """For other apps' services, which have already checked their own permissions: tick (or untick) an item
    because a record was made (a consent given, training completed...). No item with that key: nothing to do.
    Safe to call twice."""
    item = OnboardingItem.objects.select_for_update().filter(membership=membership, key=key).first()
    if item is None or item.status == status:
        return item
    previous = item.status
    item.status = status
    item.completed_at = timezone.now() if status != OnboardingItem.Status.TO_DO else None
    item.completed_by = by if status != OnboardingItem.Status.TO_DO else None
    item.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        actor=by,
        partnership=item.partnership,
        subject=item,
        event_type="onboarding.item_changed",
        payload={"key": key, "from": previous, "to": status},
    )
    return item


@transaction.atomic
def onboarding_item_complete(
    *, actor: User, membership_id: int, key: str, status: str = OnboardingItem.Status.DONE
) -> OnboardingItem:
    """Tick an item off (or mark it not needed, or back to do). Other apps call this when their record is made."""
    require(actor, "participants.change_onboarding")
    if key.startswith(RECORDED_ELSEWHERE):
        raise ApplicationError(
            "Consent ticks itself off when it is recorded on the consent pages; it cannot be marked by hand.",
            extra={"field": "status"},
        )
    item = get_object_or_404(
        OnboardingItem.objects.select_for_update().filter(partnership=actor.partnership),
        membership_id=membership_id,
        key=key,
    )
    if status not in OnboardingItem.Status.values:
        raise ApplicationError("Choose done, not needed or to do.", extra={"field": "status"})
    previous = item.status
    item.status = status
    item.completed_at = timezone.now() if status != OnboardingItem.Status.TO_DO else None
    item.completed_by = actor if status != OnboardingItem.Status.TO_DO else None
    item.save(update_fields=["status", "completed_at", "completed_by"])
    audit_record(
        actor=actor,
        partnership=item.partnership,
        subject=item,
        event_type="onboarding.item_changed",
        payload={"key": key, "from": previous, "to": status},
    )
    return item
