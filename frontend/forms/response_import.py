"""The form for uploading a spreadsheet of response updates. It checks only that a file was chosen; what is in it
(its kind, size, columns and rows) is engagements.services.response_import's to judge."""

from __future__ import annotations

from django import forms

ACCEPT = ".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class ResponseImportForm(forms.Form):
    file = forms.FileField(
        label="Upload a spreadsheet",
        help_text="A CSV (saved as UTF-8) or an Excel workbook (.xlsx) of 5 MB or less, with at most 10,000 rows.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
        error_messages={
            "required": "Choose a CSV or XLSX file to upload",
            "empty": "The file is empty",
            "invalid": "Choose the file again",
        },
    )
