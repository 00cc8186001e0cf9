"""What frontend/includes/gds_field.html needs to know about a form field, worked out once in Python.

The template used to ask the bound field for its id, name, value, errors and help text again at every place it
printed them (a radio button asked for the field's value once per choice), each through the template engine's
lookup. On a page with a form on each of 20 cards that was 40% of the request (docs/performance.md, "Where the
time goes"). `gds_parts` gathers them once into a dictionary; the markup stays in the template.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.forms import BoundField

register = template.Library()


@register.filter
def gds_parts(field: BoundField) -> dict[str, Any]:
    """The field's parts for gds_field.html. `errors` is the field's own error list (field_errors.html reads it)."""
    field_id = field.auto_id
    hint_id = f"{field_id}-hint"
    error_id = f"{field_id}-error"
    errors = field.errors
    help_text = field.help_text
    widget = field.field.widget
    kind = field.widget_type
    value = field.value()
    parts: dict[str, Any] = {
        "kind": kind,
        "id": field_id,
        "name": field.html_name,
        "label": field.label,
        "help_text": help_text,
        "errors": errors,
        "hint_id": hint_id,
        "error_id": error_id,
        "described_by": " ".join(part for part, wanted in ((hint_id, help_text), (error_id, errors)) if wanted),
        "attrs": widget.attrs,
        "input_type": getattr(widget, "input_type", ""),
        "value": "" if value is None else value,
    }
    if kind == "radioselect":
        chosen = str(value)
        parts["choices"] = [
            {
                "value": choice,
                "label": label,
                "id": field_id if number == 1 else f"{field_id}-{number}",
                "checked": str(choice) == chosen,
                "divider": choice == "prefer_not_to_say" and number > 1,
            }
            for number, (choice, label) in enumerate(getattr(field.field, "choices", ()), start=1)
        ]
    elif kind == "dateinput":
        error_parts = getattr(field.field, "error_parts", ())
        parts["date_parts"] = [
            {
                "label": label,
                "id": field_id if number == 1 else part["attrs"]["id"],
                "name": part["name"],
                "value": "" if part["value"] is None else part["value"],
                "width": 4 if number == 3 else 2,
                "error": bool(errors) and name in error_parts,
                "autocomplete_suffix": name,
            }
            for number, (name, label, part) in enumerate(
                zip(
                    ("day", "month", "year"),
                    ("Day", "Month", "Year"),
                    field.subwidgets[0].data["subwidgets"],
                    strict=True,
                ),
                start=1,
            )
        ]
    return parts
