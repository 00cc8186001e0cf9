"""Django admin for operators: safeguarding concerns, read-only and without their content.

Operators run the deployment; they are not safeguarding leads. A superuser can see that a concern, an entry or a
read exists (to answer "is retention working?"), never what it says: no encrypted text, category or person is
listed or shown, and nothing can be added, changed or deleted here. Concerns change only through
safeguarding.services.concerns.

Why `has_view_permission` is overridden: `User.has_perm` sends "safeguarding.*" to the product's rules, and the
admin asks for "safeguarding.view_concern", which is the rule for *reading concerns*. Left alone, an operator who
is also a safeguarding lead with a second factor would be shown every partnership's concerns here, unscoped.
Viewing this metadata is instead for active superusers only, whatever roles they hold.
"""

from __future__ import annotations

from typing import Any, TypeVar

from django.contrib import admin
from django.db import models
from django.http import HttpRequest

from safeguarding.models import Concern, ConcernEntry, ConcernView

M = TypeVar("M", bound=models.Model)


class ReadOnlyAdmin(admin.ModelAdmin[M]):
    """Nothing can be added, changed or deleted, and no bulk actions (not even "delete selected")."""

    actions = None

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        user = request.user
        return bool(user.is_active and user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Concern)
class ConcernAdmin(ReadOnlyAdmin[Concern]):
    # No about_name, young_persons_words, what_happened or outcome (encrypted), and no category or person.
    fields = ("id", "partnership", "status", "raised_at", "legal_hold", "review_due_on")
    readonly_fields = fields
    list_display = ("id", "partnership", "status", "raised_at", "legal_hold", "review_due_on")
    list_filter = ("partnership", "status", "legal_hold")
    list_select_related = ("partnership",)


@admin.register(ConcernEntry)
class ConcernEntryAdmin(ReadOnlyAdmin[ConcernEntry]):
    # No text (encrypted) and no details.
    fields = ("id", "partnership", "concern", "kind", "created_at")
    readonly_fields = fields
    list_display = ("id", "partnership", "concern", "kind", "created_at")
    list_filter = ("partnership", "kind")
    list_select_related = ("partnership", "concern")


@admin.register(ConcernView)
class ConcernViewAdmin(ReadOnlyAdmin[ConcernView]):
    fields = ("id", "partnership", "concern", "viewer", "viewed_at", "via")
    readonly_fields = fields
    list_display = ("id", "partnership", "concern", "viewer", "viewed_at", "via")
    list_filter = ("partnership", "via")
    list_select_related = ("partnership", "concern", "viewer")
