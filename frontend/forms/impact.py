"""Forms for the young person's side of the feedback loop: rating a response ("did this change anything?") and
how they want to hear about their recommendations.

These check only the shape of what was typed. The rules (only the young people who made a recommendation may rate
its response; one rating each, a new one replaces it) are engagements.services.feedback's; the views show its
refusals against the fields they name.
"""

from __future__ import annotations

from django import forms

from engagements.models import FeedbackPreference

# "Did this change anything?" in words a 13-year-old would use. The number comes first so it reads as a scale.
DASH = "\u2013"  # an en dash, as GOV.UK writes ranges and scales
RATING_CHOICES = [
    (1, f"1 {DASH} Nothing changed"),
    (2, f"2 {DASH} It changed a little"),
    (3, f"3 {DASH} It changed some things"),
    (4, f"4 {DASH} It changed quite a lot"),
    (5, f"5 {DASH} It changed a lot"),
]
RATING_WORDS = dict(RATING_CHOICES)
SCORE_MESSAGE = "Choose how much this changed things, from 1 to 5"
EMAIL_MESSAGE = "Choose how often you want emails"


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label="Did this change anything?",
        choices=RATING_CHOICES,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={"required": SCORE_MESSAGE, "invalid_choice": SCORE_MESSAGE},
    )
    comment = forms.CharField(
        label="Tell them more (optional)",
        help_text=(
            "The people who answered your recommendation and your scrutiny lead will read this. "
            "Other young people will not see it."
        ),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"max_length": "What you wrote must be 2,000 characters or fewer"},
    )


class FeedbackPreferenceForm(forms.Form):
    email = forms.ChoiceField(
        label="When should we email you about your recommendations?",
        help_text="You will always see the news on your impact page.",
        choices=FeedbackPreference.Email.choices,
        widget=forms.RadioSelect,
        error_messages={"required": EMAIL_MESSAGE, "invalid_choice": EMAIL_MESSAGE},
    )
    after_leaving = forms.BooleanField(
        label="Keep telling me what happens to my recommendations after I leave",
        required=False,
    )
