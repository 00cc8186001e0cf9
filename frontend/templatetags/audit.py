from django import template

from core.audit import audit_describe
from core.models import AuditEvent

register = template.Library()


@register.filter
def describe(event: AuditEvent) -> str:
    return audit_describe(event)
