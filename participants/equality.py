"""The optional equality questions. Every one can be skipped, and each has "Prefer not to say".

Answers are stored apart from the application (EqualityResponse) and reported only as counts of five or more.
"""

from __future__ import annotations

from dataclasses import dataclass

PREFER_NOT_TO_SAY = ("prefer_not_to_say", "Prefer not to say")
SMALLEST_COUNT_SHOWN = 5


@dataclass(frozen=True)
class EqualityQuestion:
    key: str
    text: str
    options: tuple[tuple[str, str], ...]


QUESTIONS: tuple[EqualityQuestion, ...] = (
    EqualityQuestion("gender", "How would you describe your gender?", (
        ("girl_woman", "Girl or woman"), ("boy_man", "Boy or man"), ("non_binary", "Non-binary"),
        ("other", "In another way"), PREFER_NOT_TO_SAY)),
    EqualityQuestion("ethnicity", "What is your ethnic group?", (
        ("asian", "Asian or Asian British"), ("black", "Black, Black British, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"), ("white", "White"), ("other", "Another ethnic group"),
        PREFER_NOT_TO_SAY)),
    EqualityQuestion("disability", "Do you consider yourself to be disabled or to have a long-term health condition?",
                     (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY)),
    EqualityQuestion("sexual_orientation", "Which best describes your sexual orientation?", (
        ("straight", "Straight or heterosexual"), ("gay_lesbian", "Gay or lesbian"), ("bisexual", "Bisexual"),
        ("other", "In another way"), ("not_sure", "Not sure yet"), PREFER_NOT_TO_SAY)),
    EqualityQuestion("care_experience", "Are you, or have you been, in care?",
                     (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY)),
    EqualityQuestion("young_carer", "Do you look after someone in your family?",
                     (("yes", "Yes"), ("no", "No"), PREFER_NOT_TO_SAY)),
)  # fmt: skip

BY_KEY = {question.key: question for question in QUESTIONS}


def clean_answers(raw: dict[str, str]) -> dict[str, str]:
    """Keep only known questions and options; anything else is dropped, never stored."""
    clean = {}
    for key, value in raw.items():
        question = BY_KEY.get(key)
        if question and value in {option for option, _ in question.options}:
            clean[key] = value
    return clean
