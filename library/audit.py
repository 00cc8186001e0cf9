"""How library events read in the audit log (registered with core.audit): plain words, and no names or text of the
examples themselves (partnership admins read the audit log; each record's page shows its own history)."""

from __future__ import annotations

from core.audit import describe_in_words, describe_status_moves
from library.models import Example, ExampleCredit

_EVENTS = {
    "example.drafted": "drafted a library example from the partnership's records",
    "example.updated": "changed a library example",
    "example.reviewed": "reviewed the text of a library example",
    "examplecredit.asked": "asked a young person whether they want to be named on a library example",
    "examplequestion.asked": "asked another partnership a question about a library example",
    "examplequestion.answered": "answered a question about a library example",
}


describe_in_words(_EVENTS)
describe_status_moves(
    {
        "example.status_changed": ("moved a library example to", dict(Example.Status.choices)),
        "examplecredit.status_changed": (
            "moved a request to be named on a library example to",
            dict(ExampleCredit.Status.choices),
        ),
    }
)
