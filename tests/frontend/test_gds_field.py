"""frontend/includes/gds_field.html and the gds_parts filter that feeds it: ids, names, values, errors and hints in
the GOV.UK markup, for each kind of field."""

from __future__ import annotations

from django import forms
from django.template.loader import render_to_string

from frontend.forms.apply import DateField
from frontend.templatetags.gds import gds_parts


class EveryKind(forms.Form):
    name = forms.CharField(label="Your name", help_text="As you like to be called.")
    email = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    story = forms.CharField(label="Tell us", widget=forms.Textarea(attrs={"rows": 3}), required=False)
    colour = forms.ChoiceField(
        label="Colour",
        choices=[("red", "Red"), ("blue", "Blue"), ("prefer_not_to_say", "Prefer not to say")],
        widget=forms.RadioSelect,
    )
    born = DateField(label="Date of birth", help_text="For example, 27 3 2010")
    born.widget.attrs["autocomplete"] = "bday"
    evidence = forms.FileField(label="A file", required=False, widget=forms.FileInput(attrs={"accept": ".pdf"}))


def render(field: forms.BoundField, **extra: object) -> str:
    return " ".join(render_to_string("frontend/includes/gds_field.html", {"field": field, **extra}).split())


def test_a_text_input_with_a_hint_and_no_error():
    html = render(EveryKind()["name"])
    assert '<label class="govuk-label govuk-label--s" for="id_name">Your name</label>' in html
    assert '<div id="id_name-hint" class="govuk-hint">As you like to be called.</div>' in html
    assert 'id="id_name" name="name" type="text" value=""' in html
    assert 'aria-describedby="id_name-hint"' in html
    assert "govuk-error-message" not in html


def test_an_error_is_shown_linked_and_the_typed_value_kept_and_escaped():
    form = EveryKind(data={"name": "", "email": "<not an email>"})
    form.is_valid()
    html = render(form["email"], label_size="m", heading=True)
    assert '<h1 class="govuk-label-wrapper"> <label class="govuk-label govuk-label--m" for="id_email">' in html
    assert 'class="govuk-form-group govuk-form-group--error"' in html
    assert '<p id="id_email-error" class="govuk-error-message">' in html
    assert 'value="&lt;not an email&gt;"' in html
    assert 'autocomplete="email"' in html
    assert 'aria-describedby="id_email-error"' in html
    both = render(form["name"])
    assert 'aria-describedby="id_name-hint id_name-error"' in both


def test_a_textarea_keeps_its_rows_and_text():
    html = render(EveryKind(data={"story": "It was <fine>"})["story"])
    assert (
        '<textarea class="govuk-textarea" id="id_story" name="story" rows="3" >It was &lt;fine&gt;</textarea>' in html
    )


def test_radios_number_their_ids_check_the_chosen_one_and_divide_off_prefer_not_to_say():
    html = render(EveryKind(data={"colour": "blue"})["colour"])
    assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s"> Colour </legend>' in html
    assert 'id="id_colour" name="colour" type="radio" value="red" >' in html
    assert 'id="id_colour-2" name="colour" type="radio" value="blue" checked>' in html
    assert '<label class="govuk-label govuk-radios__label" for="id_colour-3"> Prefer not to say </label>' in html
    assert html.count('<div class="govuk-radios__divider">or</div>') == 1
    assert html.index("govuk-radios__divider") > html.index('value="blue"')


def test_a_date_marks_only_the_missing_boxes():
    form = EveryKind(data={"born_0": "27", "born_1": "", "born_2": "2010"})
    form.is_valid()
    parts = gds_parts(form["born"])
    assert [(part["label"], part["error"], part["value"]) for part in parts["date_parts"]] == [
        ("Day", False, "27"),
        ("Month", True, ""),
        ("Year", False, "2010"),
    ]
    html = render(form["born"])
    assert 'role="group" aria-describedby="id_born-hint id_born-error"' in html
    assert 'govuk-input--width-2 govuk-input--error" id="id_born_1" name="born_1"' in html
    assert 'govuk-input--width-4" id="id_born_2" name="born_2"' in html
    assert 'id="id_born" name="born_0" type="text" inputmode="numeric" autocomplete="bday-day" value="27"' in html
    assert "Date of birth must include a month" in html


def test_a_file_upload_names_what_it_accepts():
    html = render(EveryKind()["evidence"])
    assert '<input class="govuk-file-upload" id="id_evidence" name="evidence" type="file" accept=".pdf" >' in html
