"""The dashboard's dates: from and to, as GOV.UK date inputs (day, month and year boxes).

Both left empty means the current reporting year (1 April to 31 March). The rules for a period (the to date not
before the from date, at most 3 years) are engagements.selectors.reports.period_problem's; this form shows them
against the field they are about.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms

from engagements.selectors.reports import Period, make_period, period_problem
from frontend.forms.apply import DateField, DateInputWidget

FIELD_FOR = {"from": "starts", "to": "ends"}


class PeriodForm(forms.Form):
    starts = DateField(label="From date", widget=DateInputWidget, help_text="For example, 1 4 2025")
    ends = DateField(label="To date", widget=DateInputWidget, help_text="For example, 31 3 2026")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts: datetime.date | None = data.get("starts")
        ends: datetime.date | None = data.get("ends")
        if self.errors:
            return data
        if starts is None and ends is not None:
            self.add_error("starts", "Enter the from date")
        elif ends is None and starts is not None:
            self.add_error("ends", "Enter the to date")
        elif starts is not None and ends is not None:
            problem = period_problem(starts, ends)
            if problem is not None:
                self.add_error(FIELD_FOR[problem[0]], problem[1])
        return data

    def period(self) -> Period | None:
        """The period asked for (the current reporting year when nothing was typed); None when the form has
        errors."""
        if not self.is_bound:
            return make_period()
        if not self.is_valid():
            return None
        return make_period(self.cleaned_data.get("starts"), self.cleaned_data.get("ends"))


def period_form(query: Any) -> PeriodForm:
    """Bound when any of the date boxes was sent, so an empty page load shows the current reporting year."""
    sent = any(key.startswith(("starts_", "ends_")) for key in query)
    if sent:
        return PeriodForm(query)
    default = make_period()
    return PeriodForm(initial={"starts": default.starts, "ends": default.ends})
