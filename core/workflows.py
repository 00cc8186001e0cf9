"""The transition helper (CONVENTIONS.md 5): every workflow state change goes through `transition`.

A workflow model declares a `TextChoices` status field and `TRANSITIONS: dict[from, set[to]]`. The calling
service locks the row with select_for_update() inside @transaction.atomic, checks the actor may act, and then
calls `transition`, which refuses moves the map does not allow, writes the new status and appends the audit
row in the same transaction.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from core.audit import audit_record
from core.exceptions import ApplicationError

if TYPE_CHECKING:
    from participants.models import User


def _label(model: type[models.Model], field: str, value: str) -> str:
    choices = dict(getattr(model._meta.get_field(field), "choices", None) or [])
    return str(choices.get(value, value))


def transition(
    obj: models.Model,
    *,
    to: str,
    actor: User | None,
    field: str = "status",
    payload: dict[str, Any] | None = None,
    extra_update_fields: list[str] | None = None,
) -> models.Model:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("transition() must run inside the service's transaction, on a locked row.")
    model = type(obj)
    allowed: dict[str, set[str]] = getattr(model, "TRANSITIONS", {})
    current = getattr(obj, field)
    if to not in allowed.get(current, set()):
        name = str(model._meta.verbose_name)
        article = "An" if name[:1].lower() in "aeiou" else "A"
        raise ApplicationError(
            f"{article} {name} cannot move from {_label(model, field, current)} to {_label(model, field, to)}.",
            extra={"field": field, "from": current, "to": to},
        )
    setattr(obj, field, to)
    obj.full_clean()
    obj.save(update_fields=[field, *(extra_update_fields or [])])
    audit_record(
        actor=actor,
        partnership=obj.partnership,  # type: ignore[attr-defined]
        subject=obj,
        event_type=f"{model._meta.model_name}.{field}_changed",
        payload={**(payload or {}), "from": current, "to": to},
    )
    return obj
