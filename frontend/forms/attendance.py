"""The attendance form: one block per confirmed young person (a radios group and a note) and one Save."""

from __future__ import annotations

from typing import Any

from django import forms

from engagements.models import Attendance
from engagements.selectors.attendance import AttendanceRow
from engagements.services.attendance import NOTE_MAX


class AttendanceForm(forms.Form):
    """Fields `status_<membership id>` and `note_<membership id>` for each row. A person left without a choice is
    left as they were (not marked yet, or their current mark)."""

    def __init__(self, *args: Any, rows: list[AttendanceRow], **kwargs: Any) -> None:
        initial = {}
        for row in rows:
            initial[f"status_{row.membership.pk}"] = row.status or ""
            initial[f"note_{row.membership.pk}"] = row.note
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        self.rows = rows
        for row in rows:
            name = row.membership.user.full_name
            self.fields[f"status_{row.membership.pk}"] = forms.ChoiceField(
                label=name,
                choices=Attendance.Status.choices,
                required=False,
                widget=forms.RadioSelect,
                error_messages={"invalid_choice": f"Choose present, late, left early or absent for {name}"},
            )
            self.fields[f"note_{row.membership.pk}"] = forms.CharField(
                label=f"Note about {name} (optional)",
                help_text="For example, 'Left at 5pm for a bus'.",
                required=False,
                max_length=NOTE_MAX,
                error_messages={"max_length": f"The note about {name} must be {NOTE_MAX} characters or fewer"},
            )

    def blocks(self) -> list[dict[str, Any]]:
        return [
            {
                "row": row,
                "status": self[f"status_{row.membership.pk}"],
                "note": self[f"note_{row.membership.pk}"],
            }
            for row in self.rows
        ]

    def marks(self) -> tuple[dict[int, str], dict[int, str]]:
        """The marks chosen (people without one are left out) and every person's note."""
        marks: dict[int, str] = {}
        notes: dict[int, str] = {}
        for row in self.rows:
            pk = row.membership.pk
            status = self.cleaned_data.get(f"status_{pk}") or ""
            note = (self.cleaned_data.get(f"note_{pk}") or "").strip()
            if status:
                marks[pk] = status
                notes[pk] = note
            elif note and note != row.note:
                self.add_error(
                    f"status_{pk}", f"Choose present, late, left early or absent for {row.membership.user.full_name}"
                )
        return marks, notes
