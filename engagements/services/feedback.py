"""The feedback loop's writes: recommendations, results, responses, their timeline and evidence, ratings, and the
young person's and partnership's feedback settings.

The rules, in one place (pages, API and the spreadsheet import all call these):
- Participation workers and scrutiny leads record recommendations (engagements.change_recommendation) from an
  engagement of their partnership that was not cancelled. The young people who made one must be young people of the
  partnership who were confirmed for the engagement or whose attendance was marked (present, late or left early).
  A section 11 panel's recommendation names its standard and an agency under review; no other engagement's does.
- The scrutiny lead records the response, changes it, writes updates, adds evidence and groups recommendations under
  results (engagements.change_response). One response per recommendation.
- Status moves follow RecommendationResponse.TRANSITIONS (core.workflows.transition). Done means progress 100.
  "Not going ahead" needs a reason; so do "partly accepted" and "not accepted". Nothing is hidden because of it.
- Every call that changes a response's decision, status, progress or due date writes ONE TimelineEntry (CHANGE, with
  the changes and plain words for a young person); recording the response writes a RESPONSE entry, a written update
  an UPDATE entry and new evidence an EVIDENCE entry. Each entry is handed to notify_timeline_entry in the same
  transaction, which tells the young people who made the recommendation once. A call that changes nothing writes
  nothing. Changes of the owner alone are audited, not told.
- Young people who made a recommendation rate its response (1-5 and a comment); a new rating replaces theirs, and
  notify_rating tells the scrutiny lead and the owner.

Validation names the field (ValidationError({field: message})); business rules raise ApplicationError. Everything a
call checks is checked before it writes, so a refusal leaves nothing behind (the spreadsheet import relies on it).
"""

from __future__ import annotations

import copy
import datetime
import uuid
from collections.abc import Iterable, Mapping, Sequence
from functools import partial
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.validators import URLValidator
from django.db import transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.uploads import document_kind, document_problem
from core.workflows import transition
from engagements.models import (
    Engagement,
    FeedbackPreference,
    FeedbackSettings,
    Notification,
    OpportunityType,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    ResponseRating,
    Result,
    Section11Standard,
    TimelineEntry,
)
from engagements.services import notifications
from engagements.services.outputs import contributors_allowed
from participants.models import Membership, Partnership, User

CHANGE_RECOMMENDATION = "engagements.change_recommendation"
CHANGE_RESPONSE = "engagements.change_response"
RATE_RESPONSE = "engagements.rate_response"
VIEW_IMPACT_FEED = "engagements.view_impact_feed"
CHANGE_FEEDBACK_SETTINGS = "engagements.change_feedbacksettings"

MAX_FILE_BYTES = 25 * 1024 * 1024

# Fields of a response a change may name (response_update), and those whose change the young people are told of.
RESPONSE_FIELDS = (
    "owner_agency",
    "owner_name",
    "owner_email",
    "decision",
    "decision_reason",
    "status",
    "status_reason",
    "progress",
    "due_on",
)
NOTIFIED_FIELDS = ("decision", "status", "progress", "due_on")
# The order a change entry's plain words tell them in.
_TOLD_IN_ORDER = ("decision", "progress", "status", "due_on")

RECOMMENDATION_FIELDS = (
    "text",
    "theme",
    "agency",
    "section_11_standard",
    "contributors",
    "result_id",
    "weight",
    "is_public",
)

Status = RecommendationResponse.Status
Decision = RecommendationResponse.Decision


# --- Small helpers ----------------------------------------------------------------------------------------------


def _day(value: datetime.date) -> str:
    """A date as people read it: 1 March 2027."""
    return f"{value:%-d %B %Y}"


def _sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in ".!?" else f"{text}."


def _max_length(model: type[Any], field: str) -> int:
    """The field's longest value (a large number for a text field, which has no limit)."""
    return int(model._meta.get_field(field).max_length or 100_000)


def _raise_if(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def _text(value: Any) -> str | None:
    """A string, stripped; None for anything that is not a string (None counts as empty)."""
    if value is None:
        return ""
    if not isinstance(value, str):
        return None
    return value.strip()


def _required_text(
    errors: dict[str, str], field: str, value: Any, *, missing: str, model: type[Any], label: str
) -> str:
    text = _text(value)
    if text is None:
        errors[field] = f"{label} must be text."
        return ""
    if not text:
        errors[field] = missing
    elif len(text) > _max_length(model, field):
        errors[field] = f"{label} must be {_max_length(model, field)} characters or fewer."
    return text


def _happened_on(happened_on: datetime.date | None) -> datetime.date:
    today = timezone.localdate()
    if happened_on is None:
        return today
    if isinstance(happened_on, datetime.datetime) or not isinstance(happened_on, datetime.date):
        raise ValidationError({"happened_on": "Enter the date it happened, like 1 March 2027."})
    if happened_on > today:
        raise ValidationError({"happened_on": "The date it happened must be today or in the past."})
    return happened_on


def _choice(value: Any, choices: type[Any]) -> str | None:
    """A choice's value from its value or its label (any case), or None when it is neither."""
    if not isinstance(value, str):
        return None
    wanted = value.strip().lower()
    for choice_value, label in choices.choices:
        if wanted in (str(choice_value).lower(), str(label).lower()):
            return str(choice_value)
    return None


def _labels(choices: type[Any]) -> str:
    labels = [str(label) for _, label in choices.choices]
    return ", ".join(labels[:-1]) + f" or {labels[-1]}"


# --- Recommendations --------------------------------------------------------------------------------------------


def _engagement_for(actor: User, engagement_id: int) -> Engagement:
    """The engagement a recommendation is from: 404 for another partnership's, refused when cancelled."""
    engagement = get_object_or_404(
        Engagement.objects.select_related("partnership").filter(partnership=actor.partnership), pk=engagement_id
    )
    require(actor, CHANGE_RECOMMENDATION, engagement)
    if engagement.status == Engagement.Status.CANCELLED:
        raise ApplicationError(
            "This engagement was cancelled, so it has no recommendations.", extra={"field": "engagement_id"}
        )
    return engagement


def _contributors(
    errors: dict[str, str], engagement: Engagement, contributors: Any
) -> dict[int, tuple[Membership, bool]]:
    """Check (membership_id, is_anonymous) pairs: young people confirmed for or who attended the engagement."""
    wanted: dict[int, bool] = {}
    try:
        for membership_id, is_anonymous in contributors:
            if isinstance(membership_id, bool):
                raise TypeError
            wanted[int(membership_id)] = bool(is_anonymous)
    except (TypeError, ValueError):
        errors["contributors"] = "Choose the young people who made it from the list."
        return {}
    if not wanted:
        return {}
    allowed = {membership.pk: membership for membership in contributors_allowed(engagement)}
    if any(pk not in allowed for pk in wanted):
        errors["contributors"] = "Choose only young people who were confirmed for or attended this engagement."
        return {}
    return {pk: (allowed[pk], is_anonymous) for pk, is_anonymous in wanted.items()}


def _section_11(
    errors: dict[str, str], engagement: Engagement, *, standard: Any, agency: str, check_agency: bool
) -> str:
    """The section 11 standard (required for a section 11 panel, refused for anything else); for a panel with
    agencies under review, the agency must be one of them (returned in the engagement's spelling)."""
    standard = _text(standard) or ""
    if engagement.opportunity_type != OpportunityType.SECTION_11_PANEL:
        if standard:
            errors["section_11_standard"] = "Only a section 11 panel's recommendations are about a section 11 standard."
        return agency
    if not standard:
        errors["section_11_standard"] = "Choose the section 11 standard it is about."
    elif standard not in Section11Standard.values:
        errors["section_11_standard"] = "Choose a section 11 standard from the list."
    under_review = [str(name).strip() for name in engagement.agencies_under_review or [] if str(name).strip()]
    if check_agency and agency and under_review:
        matches = [name for name in under_review if name.lower() == agency.lower()]
        if not matches:
            errors["agency"] = "Choose one of the agencies this panel reviewed: " + ", ".join(under_review) + "."
        else:
            return matches[0]
    return agency


def _result(errors: dict[str, str], actor: User, result_id: Any) -> Result | None:
    if result_id in (None, ""):
        return None
    try:
        if isinstance(result_id, bool):
            raise TypeError
        pk = int(result_id)
    except (TypeError, ValueError):
        pk = None
    result = Result.objects.filter(partnership=actor.partnership, pk=pk).first() if pk is not None else None
    if result is None:
        errors["result_id"] = "Choose a result from the list."
    return result


def _weight(errors: dict[str, str], weight: Any) -> int:
    if isinstance(weight, bool) or not isinstance(weight, int | str):
        errors["weight"] = "Enter the weight as a whole number from 1 to 100."
        return 1
    try:
        number = int(weight)
    except ValueError:
        errors["weight"] = "Enter the weight as a whole number from 1 to 100."
        return 1
    if not 1 <= number <= 100:
        errors["weight"] = "The weight must be from 1 to 100."
    return number


@transaction.atomic
def recommendation_create(
    *,
    actor: User,
    engagement_id: int,
    text: str,
    theme: str,
    agency: str,
    section_11_standard: str = "",
    contributors: Sequence[tuple[int, bool]] = (),
    result_id: int | None = None,
    weight: int = 1,
    is_public: bool = False,
) -> Recommendation:
    """contributors: (membership_id, is_anonymous) pairs."""
    require(actor, CHANGE_RECOMMENDATION)
    engagement = _engagement_for(actor, engagement_id)
    errors: dict[str, str] = {}
    text = _required_text(
        errors, "text", text, missing="Enter the recommendation.", model=Recommendation, label="The recommendation"
    )
    theme = _required_text(errors, "theme", theme, missing="Enter the theme.", model=Recommendation, label="The theme")
    agency = _required_text(
        errors, "agency", agency, missing="Enter the agency or group it is for.", model=Recommendation, label="Agency"
    )
    agency = _section_11(errors, engagement, standard=section_11_standard, agency=agency, check_agency=True)
    people = _contributors(errors, engagement, contributors)
    result = _result(errors, actor, result_id)
    weight = _weight(errors, weight)
    _raise_if(errors)
    recommendation = Recommendation(
        partnership=engagement.partnership,
        engagement=engagement,
        text=text,
        theme=theme,
        agency=agency,
        section_11_standard=(_text(section_11_standard) or ""),
        result=result,
        weight=weight,
        is_public=bool(is_public),
        created_by=actor,
    )
    recommendation.full_clean()
    recommendation.save()
    _set_contributors(recommendation, people)
    audit_record(
        actor=actor,
        partnership=recommendation.partnership,
        subject=recommendation,
        event_type="recommendation.created",
        payload={
            "engagement": engagement.pk,
            "contributors": sorted(people),
            "anonymous": sorted(pk for pk, (_, anonymous) in people.items() if anonymous),
            "result": result.pk if result else None,
            "weight": weight,
            "is_public": recommendation.is_public,
        },
    )
    return recommendation


def _set_contributors(recommendation: Recommendation, people: Mapping[int, tuple[Membership, bool]]) -> bool:
    """Make the recommendation's contributors exactly `people`; True when anything changed."""
    current = {c.membership_id: c for c in RecommendationContributor.objects.filter(recommendation=recommendation)}
    changed = False
    gone = [c.pk for pk, c in current.items() if pk not in people]
    if gone:
        RecommendationContributor.objects.filter(pk__in=gone).delete()
        changed = True
    for pk, (membership, is_anonymous) in people.items():
        contribution = current.get(pk)
        if contribution is None:
            RecommendationContributor.objects.create(
                partnership=recommendation.partnership,
                recommendation=recommendation,
                membership=membership,
                is_anonymous=is_anonymous,
            )
            changed = True
        elif contribution.is_anonymous != is_anonymous:
            contribution.is_anonymous = is_anonymous
            contribution.save(update_fields=["is_anonymous"])
            changed = True
    return changed


def _shown(value: Any) -> Any:
    """A value as the audit payload keeps it (a result by its id)."""
    return value.pk if isinstance(value, Result) else value


@transaction.atomic
def recommendation_update(*, actor: User, recommendation_id: int, **fields: Any) -> Recommendation:
    """fields: any of text, theme, agency, section_11_standard, contributors, result_id, weight, is_public.
    Only what is given is checked and changed."""
    require(actor, CHANGE_RECOMMENDATION)
    unknown = sorted(set(fields) - set(RECOMMENDATION_FIELDS))
    if unknown:
        raise ValidationError(dict.fromkeys(unknown, "A recommendation has no field with this name."))
    recommendation = get_object_or_404(
        Recommendation.objects.select_for_update().filter(partnership=actor.partnership), pk=recommendation_id
    )
    require(actor, CHANGE_RECOMMENDATION, recommendation)
    engagement = _engagement_for(actor, recommendation.engagement_id)
    errors: dict[str, str] = {}
    values: dict[str, Any] = {}
    for field, label, missing in (
        ("text", "The recommendation", "Enter the recommendation."),
        ("theme", "The theme", "Enter the theme."),
        ("agency", "Agency", "Enter the agency or group it is for."),
    ):
        if field in fields:
            values[field] = _required_text(
                errors, field, fields[field], missing=missing, model=Recommendation, label=label
            )
    agency = values.get("agency", recommendation.agency)
    if "agency" in fields or "section_11_standard" in fields:
        standard = fields.get("section_11_standard", recommendation.section_11_standard)
        agency = _section_11(errors, engagement, standard=standard, agency=agency, check_agency="agency" in fields)
        values["section_11_standard"] = _text(standard) or ""
        if "agency" in fields:
            values["agency"] = agency
    people = _contributors(errors, engagement, fields["contributors"]) if "contributors" in fields else None
    if "result_id" in fields:
        values["result"] = _result(errors, actor, fields["result_id"])
    if "weight" in fields:
        values["weight"] = _weight(errors, fields["weight"])
    if "is_public" in fields:
        values["is_public"] = bool(fields["is_public"])
    _raise_if(errors)

    changed: dict[str, dict[str, Any]] = {}
    for field, value in values.items():
        before = getattr(recommendation, field)
        if before != value:
            setattr(recommendation, field, value)
            changed[field] = {"from": _shown(before), "to": _shown(value)}
    recommendation.full_clean()
    if changed:
        recommendation.save(update_fields=list(changed))
    if people is not None:
        before_people = sorted(
            RecommendationContributor.objects.filter(recommendation=recommendation).values_list(
                "membership_id", "is_anonymous"
            )
        )
        if _set_contributors(recommendation, people):
            changed["contributors"] = {
                "from": [list(pair) for pair in before_people],
                "to": sorted([pk, anonymous] for pk, (_, anonymous) in people.items()),
            }
    if changed:
        audit_record(
            actor=actor,
            partnership=recommendation.partnership,
            subject=recommendation,
            event_type="recommendation.updated",
            payload={"changes": changed},
        )
    return recommendation


# --- Results ----------------------------------------------------------------------------------------------------


def _result_fields(title: Any, description: Any) -> tuple[str, str]:
    errors: dict[str, str] = {}
    title = _required_text(errors, "title", title, missing="Enter a title.", model=Result, label="The title")
    description = _text(description)
    if description is None:
        errors["description"] = "The description must be text."
    _raise_if(errors)
    return title, description or ""


@transaction.atomic
def result_create(*, actor: User, title: str, description: str = "") -> Result:
    require(actor, CHANGE_RESPONSE)
    title, description = _result_fields(title, description)
    result = Result(partnership=actor.partnership, title=title, description=description, created_by=actor)
    result.full_clean()
    result.save()
    audit_record(actor=actor, partnership=result.partnership, subject=result, event_type="result.created")
    return result


@transaction.atomic
def result_update(*, actor: User, result_id: int, title: str, description: str = "") -> Result:
    require(actor, CHANGE_RESPONSE)
    result = get_object_or_404(Result.objects.select_for_update().filter(partnership=actor.partnership), pk=result_id)
    require(actor, CHANGE_RESPONSE, result)
    title, description = _result_fields(title, description)
    changed = [
        field for field, value in (("title", title), ("description", description)) if getattr(result, field) != value
    ]
    if not changed:
        return result
    result.title, result.description = title, description
    result.full_clean()
    result.save(update_fields=changed)
    audit_record(
        actor=actor,
        partnership=result.partnership,
        subject=result,
        event_type="result.updated",
        payload={"changed": changed},
    )
    return result


# --- Responses --------------------------------------------------------------------------------------------------


def _lock_response(actor: User, response_id: int) -> RecommendationResponse:
    """Lock the response; another partnership's is a 404, exactly like a missing one."""
    require(actor, CHANGE_RESPONSE)
    response = get_object_or_404(
        RecommendationResponse.objects.select_for_update().filter(partnership=actor.partnership), pk=response_id
    )
    require(actor, CHANGE_RESPONSE, response)
    return response


def _entry(
    response: RecommendationResponse,
    *,
    actor: User,
    kind: str,
    text: str,
    happened_on: datetime.date,
    changes: list[dict[str, Any]] | None = None,
) -> TimelineEntry:
    """Write one timeline entry and tell the young people who made the recommendation (once, in this transaction)."""
    entry = TimelineEntry(
        partnership_id=response.partnership_id,
        response=response,
        kind=kind,
        text=text,
        happened_on=happened_on,
        changes=changes or [],
        created_by=actor,
    )
    entry.full_clean()
    entry.save()
    notifications.notify_timeline_entry(entry)
    return entry


def _touch(response: RecommendationResponse) -> None:
    response.updated_at = timezone.now()
    response.save(update_fields=["updated_at"])


def _with_reason(label: str, reason: str) -> str:
    return f"{label}. Why: {_sentence(reason)}" if reason else f"{label}."


def _response_words(response: RecommendationResponse) -> str:
    """The RESPONSE entry: "The partnership responded: Accepted. Owner: Police, Sam Jones. Due by 1 March 2027."."""
    decision = response.get_decision_display()
    reason = response.decision_reason if response.decision in RecommendationResponse.DECISIONS_WITH_REASON else ""
    words = [f"The partnership responded: {_with_reason(decision, reason)}"]
    owner = ", ".join(part for part in (response.owner_agency, response.owner_name) if part)
    if owner:
        words.append(f"Owner: {owner}.")
    if response.due_on:
        words.append(f"Due by {_day(response.due_on)}.")
    return " ".join(words)


def _decision_reason_problem(decision: str, reason: str) -> str | None:
    if decision in RecommendationResponse.DECISIONS_WITH_REASON and not reason:
        label = Decision(decision).label.lower()
        return f"Say why it was {label}, in plain words for the young people."
    return None


def _date(value: Any, *, label: str) -> tuple[datetime.date | None, str | None]:
    """A date (or None to leave it empty) from a date or an ISO string; else a problem naming the fix."""
    if value is None or value == "":
        return None, None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value, None
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value.strip()), None
        except ValueError:
            pass
    return None, f"Enter {label} as a date, like 2027-03-01."


@transaction.atomic
def response_record(
    *,
    actor: User,
    recommendation_id: int,
    owner_agency: str,
    owner_name: str,
    owner_email: str = "",
    decision: str = RecommendationResponse.Decision.PENDING,
    decision_reason: str = "",
    due_on: datetime.date | None = None,
    happened_on: datetime.date | None = None,
) -> RecommendationResponse:
    """The partnership's first response to a recommendation; adds a RESPONSE timeline entry (which notifies)."""
    require(actor, CHANGE_RESPONSE)
    recommendation = get_object_or_404(
        Recommendation.objects.select_for_update().filter(partnership=actor.partnership), pk=recommendation_id
    )
    require(actor, CHANGE_RESPONSE, recommendation)
    existing = RecommendationResponse.objects.filter(recommendation=recommendation).first()
    if existing is not None:
        raise ApplicationError(
            "This recommendation already has a response: change that response instead.",
            extra={"field": "recommendation_id", "response_id": existing.pk},
        )
    errors: dict[str, str] = {}
    model = RecommendationResponse
    owner_agency = _required_text(
        errors,
        "owner_agency",
        owner_agency,
        missing="Enter the agency that owns the response.",
        model=model,
        label="The agency",
    )
    owner_name = _required_text(
        errors,
        "owner_name",
        owner_name,
        missing="Enter the name of the person who owns it.",
        model=model,
        label="The owner's name",
    )
    owner_email = _text(owner_email) or ""
    chosen = _choice(decision, Decision)
    if chosen is None:
        errors["decision"] = f"Choose the decision: {_labels(Decision)}."
    reason = _text(decision_reason) or ""
    if chosen is not None and (problem := _decision_reason_problem(chosen, reason)):
        errors["decision_reason"] = problem
    due, problem = _date(due_on, label="the due date")
    if problem:
        errors["due_on"] = problem
    _raise_if(errors)
    on = _happened_on(happened_on)
    now = timezone.now()
    response = RecommendationResponse(
        partnership=recommendation.partnership,
        recommendation=recommendation,
        owner_agency=owner_agency,
        owner_name=owner_name,
        owner_email=owner_email,
        decision=chosen or Decision.PENDING,
        decision_reason=reason,
        due_on=due,
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    response.full_clean(exclude=["recommendation"])
    response.save()
    entry = _entry(
        response, actor=actor, kind=TimelineEntry.Kind.RESPONSE, text=_response_words(response), happened_on=on
    )
    audit_record(
        actor=actor,
        partnership=response.partnership,
        subject=response,
        event_type="response.recorded",
        payload={
            "recommendation": recommendation.pk,
            "decision": response.decision,
            "due_on": due.isoformat() if due else None,
            "entry": entry.pk,
        },
    )
    return response


def response_changes_check(response: RecommendationResponse, changes: Mapping[str, Any]) -> dict[str, tuple[Any, Any]]:
    """Check a change to a response without writing anything: {field: (from, to)} for each field that really changes
    (a move to Done adds progress 100), or a ValidationError naming every field that is wrong and how to put it
    right. The spreadsheet import's preview calls this; response_update calls it before it writes."""
    errors: dict[str, str] = {}
    unknown = sorted(str(name) for name in changes if name not in RESPONSE_FIELDS)
    for name in unknown:
        errors[name] = "A response has no field with this name. Use one of: " + ", ".join(RESPONSE_FIELDS) + "."
    new: dict[str, Any] = {}
    model = RecommendationResponse
    for field, label, missing in (
        ("owner_agency", "The agency", "Enter the agency that owns the response."),
        ("owner_name", "The owner's name", "Enter the name of the person who owns it."),
    ):
        if field in changes:
            new[field] = _required_text(errors, field, changes[field], missing=missing, model=model, label=label)
    for field, label in (
        ("owner_email", "The owner's email"),
        ("decision_reason", "The reason"),
        ("status_reason", "The reason"),
    ):
        if field in changes:
            value = _text(changes[field])
            if value is None:
                errors[field] = f"{label} must be text."
            else:
                new[field] = value
    if "decision" in changes:
        decision = _choice(changes["decision"], Decision)
        if decision is None:
            errors["decision"] = f"Choose the decision: {_labels(Decision)}."
        else:
            new["decision"] = decision
    if "status" in changes:
        status = _choice(changes["status"], Status)
        if status is None:
            errors["status"] = f"Choose the status: {_labels(Status)}."
        elif status != response.status and status not in RecommendationResponse.TRANSITIONS.get(
            Status(response.status), set()
        ):
            allowed = sorted(
                Status(s).label for s in RecommendationResponse.TRANSITIONS.get(Status(response.status), ())
            )
            errors["status"] = (
                f"A response that is {Status(response.status).label} cannot move to {Status(status).label}. "
                f"It can move to: {', '.join(allowed)}."
            )
        else:
            new["status"] = status
    if "progress" in changes:
        progress = changes["progress"]
        if isinstance(progress, str) and progress.strip().rstrip("%").strip().isdigit():
            progress = int(progress.strip().rstrip("%"))
        if isinstance(progress, bool) or not isinstance(progress, int):
            errors["progress"] = "Enter progress as a whole number from 0 to 100, like 60."
        elif not 0 <= progress <= 100:
            errors["progress"] = "Progress must be from 0 to 100."
        else:
            new["progress"] = progress
    if "due_on" in changes:
        due, problem = _date(changes["due_on"], label="the due date")
        if problem:
            errors["due_on"] = problem
        else:
            new["due_on"] = due
    _raise_if(errors)

    status = new.get("status", response.status)
    if status == Status.DONE and "status" in new and new["status"] != response.status:
        new["progress"] = 100
    elif status == Status.DONE and "progress" in new and new["progress"] != 100:
        errors["progress"] = "This is done, so its progress is 100%. Move its status back to In progress first."
    decision = new.get("decision", response.decision)
    decision_reason = new.get("decision_reason", response.decision_reason)
    if ("decision" in new or "decision_reason" in new) and (
        problem := _decision_reason_problem(decision, decision_reason)
    ):
        errors["decision_reason"] = problem
    status_reason = new.get("status_reason", response.status_reason)
    needs_reason = status in RecommendationResponse.STATUSES_WITH_REASON
    if ("status" in new or "status_reason" in new) and needs_reason and not status_reason:
        errors["status_reason"] = "Say why it is not going ahead, in plain words for the young people."
    _raise_if(errors)

    diff = {
        field: (getattr(response, field), value) for field, value in new.items() if getattr(response, field) != value
    }
    if diff:
        # The model's own checks (the email address, lengths), on a copy: nothing is written here.
        candidate = copy.copy(response)
        for field, (_, value) in diff.items():
            setattr(candidate, field, value)
        # The partnership and the constraints are not re-checked per row (a spreadsheet may hold thousands): the
        # partnership never changes here, and the field validators already hold progress to 0-100.
        candidate.full_clean(
            exclude=["recommendation", "created_by", "partnership"], validate_unique=False, validate_constraints=False
        )
    return diff


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime.date) else value


def _change_words(response: RecommendationResponse, diff: Mapping[str, tuple[Any, Any]]) -> str:
    """Plain words for a young person: "Progress went from 40% to 100%. The status changed from In progress to
    Done."."""
    words: list[str] = []
    for field in _TOLD_IN_ORDER:
        if field not in diff:
            continue
        before, after = diff[field]
        if field == "decision":
            reason = response.decision_reason if after in RecommendationResponse.DECISIONS_WITH_REASON else ""
            words.append(
                _with_reason(f"The decision changed from {Decision(before).label} to {Decision(after).label}", reason)
            )
        elif field == "status":
            reason = response.status_reason if after in RecommendationResponse.STATUSES_WITH_REASON else ""
            words.append(
                _with_reason(f"The status changed from {Status(before).label} to {Status(after).label}", reason)
            )
        elif field == "progress":
            words.append(f"Progress went from {before}% to {after}%.")
        elif before is None:
            words.append(f"It is now due by {_day(after)}.")
        elif after is None:
            words.append(f"It no longer has a due date (it was {_day(before)}).")
        else:
            words.append(f"The due date changed from {_day(before)} to {_day(after)}.")
    return " ".join(words)


@transaction.atomic
def response_update(
    *,
    actor: User,
    response_id: int,
    changes: dict[str, Any],
    happened_on: datetime.date | None = None,
    note: str = "",
) -> RecommendationResponse:
    """Change any of RESPONSE_FIELDS. A change of NOTIFIED_FIELDS adds one CHANGE timeline entry (with `note`
    added to its plain-words text) which notifies the young people once. Status moves go through transition().

    Everything is checked before anything is written. A call that changes nothing writes nothing. A note with no
    change they are told of is written as an update (an UPDATE entry), so it is never lost."""
    response = _lock_response(actor, response_id)
    diff = response_changes_check(response, changes)
    note = (_text(note) or "").strip()
    on = _happened_on(happened_on)
    if not diff and not note:
        return response

    told = {field: diff[field] for field in NOTIFIED_FIELDS if field in diff}
    status_move = diff.get("status")
    others = [field for field in diff if field != "status"]
    for field in others:
        setattr(response, field, diff[field][1])
    if diff:
        response.updated_at = timezone.now()
        if status_move is not None:
            transition(response, to=status_move[1], actor=actor, extra_update_fields=[*others, "updated_at"])
        else:
            response.full_clean(exclude=["recommendation"])
            response.save(update_fields=[*others, "updated_at"])

    entry: TimelineEntry | None = None
    if told:
        text = _change_words(response, told)
        entry = _entry(
            response,
            actor=actor,
            kind=TimelineEntry.Kind.CHANGE,
            text=f"{text}\n\n{note}" if note else text,
            happened_on=on,
            changes=[{"field": f, "from": _json(a), "to": _json(b)} for f, (a, b) in told.items()],
        )
    elif note:
        entry = _entry(response, actor=actor, kind=TimelineEntry.Kind.UPDATE, text=note, happened_on=on)
        if not diff:
            _touch(response)

    # The status move has its own audit row (transition); this one records everything else in the same call.
    audited = {field: {"from": _json(a), "to": _json(b)} for field, (a, b) in diff.items() if field != "status"}
    if audited:
        audit_record(
            actor=actor,
            partnership=response.partnership,
            subject=response,
            event_type="response.changed",
            payload={"changes": audited, "entry": entry.pk if entry else None},
        )
    elif entry is not None and entry.kind == TimelineEntry.Kind.UPDATE:
        audit_record(
            actor=actor,
            partnership=response.partnership,
            subject=response,
            event_type="response.update_added",
            payload={"entry": entry.pk},
        )
    return response


@transaction.atomic
def timeline_entry_add(
    *, actor: User, response_id: int, text: str, happened_on: datetime.date | None = None
) -> TimelineEntry:
    """An UPDATE entry written by the scrutiny lead; notifies the young people once."""
    response = _lock_response(actor, response_id)
    words = _text(text)
    if words is None or not words:
        raise ValidationError({"text": "Write what happened, in plain words for the young people."})
    on = _happened_on(happened_on)
    entry = _entry(response, actor=actor, kind=TimelineEntry.Kind.UPDATE, text=words, happened_on=on)
    _touch(response)
    audit_record(
        actor=actor,
        partnership=response.partnership,
        subject=response,
        event_type="response.update_added",
        payload={"entry": entry.pk},
    )
    return entry


# --- Evidence ---------------------------------------------------------------------------------------------------


def _evidence_file(upload: IO[bytes] | File[Any]) -> tuple[File[Any], str]:
    """The upload and its kind ('pdf', 'jpg' or 'png', from its first bytes), or a refusal naming the file field."""
    wrapped = upload if isinstance(upload, File) else File(upload)
    problem = document_problem(wrapped, max_bytes=MAX_FILE_BYTES, name="The file")
    kind = document_kind(wrapped)
    if problem or kind is None:
        raise ValidationError({"file": f"{problem or 'The file must be a photo (JPG or PNG) or a PDF'}."})
    return wrapped, kind


def _evidence_link(link: Any) -> str:
    value = _text(link)
    if value is None:
        raise ValidationError({"link": "Enter the link as text."})
    if not value:
        return ""
    try:
        URLValidator(schemes=["https"])(value)
    except ValidationError:
        raise ValidationError(
            {"link": "Enter the link as a full https address, like https://www.example.org/our-report."}
        ) from None
    if len(value) > _max_length(ResponseEvidence, "link"):
        raise ValidationError(
            {"link": f"The link must be {_max_length(ResponseEvidence, 'link')} characters or fewer."}
        )
    return value


@transaction.atomic
def evidence_add(
    *, actor: User, response_id: int, title: str, link: str = "", file: IO[bytes] | None = None
) -> ResponseEvidence:
    """A link (https) or a file (PDF, PNG or JPG by its content); adds an EVIDENCE timeline entry."""
    response = _lock_response(actor, response_id)
    errors: dict[str, str] = {}
    title = _required_text(errors, "title", title, missing="Enter a title.", model=ResponseEvidence, label="The title")
    _raise_if(errors)
    link = _evidence_link(link)
    upload = _evidence_file(file) if file is not None else None
    if not link and upload is None:
        raise ValidationError({"link": "Add a link or a file that shows what was done."})
    evidence = ResponseEvidence(
        partnership_id=response.partnership_id, response=response, title=title, link=link, added_by=actor
    )
    if upload is not None:
        wrapped, kind = upload
        evidence.file_kind = kind
        evidence.file.save(f"{uuid.uuid4().hex}.{kind}", wrapped, save=False)
    try:
        evidence.full_clean()
        evidence.save()
        entry = _entry(
            response,
            actor=actor,
            kind=TimelineEntry.Kind.EVIDENCE,
            text=_sentence(f"We added evidence of what was done: {title}"),
            happened_on=timezone.localdate(),
        )
        _touch(response)
        audit_record(
            actor=actor,
            partnership=response.partnership,
            subject=response,
            event_type="response.evidence_added",
            payload={"evidence": evidence.pk, "entry": entry.pk, "file": bool(evidence.file), "link": bool(link)},
        )
    except BaseException:
        if evidence.file:
            evidence.file.storage.delete(evidence.file.name)
        raise
    return evidence


@transaction.atomic
def evidence_remove(*, actor: User, evidence_id: int) -> None:
    """Take evidence off a response (its file is deleted once this commits). The young people are not told; the
    timeline keeps the entry that said it was added."""
    require(actor, CHANGE_RESPONSE)
    evidence = get_object_or_404(
        ResponseEvidence.objects.select_for_update().filter(partnership=actor.partnership), pk=evidence_id
    )
    response = _lock_response(actor, evidence.response_id)
    name, storage = (evidence.file.name, evidence.file.storage) if evidence.file else ("", None)
    audit_record(
        actor=actor,
        partnership=response.partnership,
        subject=response,
        event_type="response.evidence_removed",
        payload={"evidence": evidence.pk, "file": bool(name), "link": bool(evidence.link)},
    )
    evidence.delete()
    _touch(response)
    if name and storage is not None:
        transaction.on_commit(partial(storage.delete, name))


# --- Ratings ----------------------------------------------------------------------------------------------------


@transaction.atomic
def response_rate(*, actor: User, response_id: int, score: int, comment: str = "") -> ResponseRating:
    """A contributor's rating (1-5 and a comment); a second rating replaces the first. Tells the owner and the
    scrutiny lead."""
    response = get_object_or_404(
        RecommendationResponse.objects.select_for_update().filter(partnership=actor.partnership), pk=response_id
    )
    require(actor, RATE_RESPONSE, response, "Only the young people who made a recommendation rate its response.")
    membership = actor.membership
    if membership is None:  # pragma: no cover - the rule above needs one
        raise ApplicationError("You are not acting in any partnership.")
    if isinstance(score, str) and score.strip().isdigit():
        score = int(score.strip())
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise ValidationError({"score": "Choose a score from 1 (nothing changed) to 5 (a lot changed)."})
    words = _text(comment)
    if words is None:
        raise ValidationError({"comment": "The comment must be text."})
    now = timezone.now()
    rating = ResponseRating.objects.select_for_update().filter(response=response, membership=membership).first()
    replaced = rating is not None
    if rating is None:
        rating = ResponseRating(
            partnership_id=response.partnership_id,
            response=response,
            membership=membership,
            created_at=now,
        )
    rating.score, rating.comment, rating.updated_at = score, words, now
    rating.full_clean(exclude=["response", "membership"], validate_unique=False)
    rating.save()
    audit_record(
        actor=actor,
        partnership=response.partnership,
        subject=response,
        event_type="response.rated",
        payload={"rating": rating.pk, "score": score, "replaced": replaced},
    )
    notifications.notify_rating(rating)
    return rating


# --- Preferences and settings -----------------------------------------------------------------------------------


@transaction.atomic
def feedback_preference_update(*, actor: User, email: str, after_leaving: bool) -> FeedbackPreference:
    """The young person's own choice: how often to be emailed, and whether to keep hearing after they leave."""
    require(actor, VIEW_IMPACT_FEED)
    membership = actor.membership
    if membership is None:  # pragma: no cover - the rule above needs one
        raise ApplicationError("You are not acting in any partnership.")
    chosen = _choice(email, FeedbackPreference.Email)
    if chosen is None:
        raise ValidationError({"email": "Choose how often you want emails."})
    # Lock the membership first, so two first saves at once cannot both try to create the row.
    list(Membership.objects.select_for_update().filter(pk=membership.pk).values_list("pk", flat=True))
    preference = FeedbackPreference.objects.select_for_update().filter(membership=membership).first()
    if preference is None:
        preference = FeedbackPreference(partnership_id=membership.partnership_id, membership=membership)
    before = (preference.email, preference.after_leaving) if preference.pk else None
    preference.email, preference.after_leaving = chosen, bool(after_leaving)
    if before == (preference.email, preference.after_leaving):
        return preference
    preference.updated_at = timezone.now()
    preference.full_clean(exclude=["membership"], validate_unique=False)
    preference.save()
    audit_record(
        actor=actor,
        partnership=membership.partnership,
        subject=preference,
        event_type="feedbackpreference.updated",
        payload={"email": preference.email, "after_leaving": preference.after_leaving},
    )
    return preference


@transaction.atomic
def feedback_settings_update(*, actor: User, public_page: bool, public_intro: str = "") -> FeedbackSettings:
    """Whether the partnership publishes its public "you said, we did" page, and its introduction."""
    partnership = actor.partnership
    require(actor, CHANGE_FEEDBACK_SETTINGS, partnership)
    intro = _text(public_intro)
    if intro is None:
        raise ValidationError({"public_intro": "The introduction must be text."})
    # Lock the partnership first, so two first saves at once cannot both try to create the row.
    list(Partnership.objects.select_for_update().filter(pk=partnership.pk).values_list("pk", flat=True))
    settings_row = FeedbackSettings.objects.select_for_update().filter(partnership=partnership).first()
    if settings_row is None:
        settings_row = FeedbackSettings(partnership=partnership)
    before = (settings_row.public_page, settings_row.public_intro) if settings_row.pk else None
    settings_row.public_page, settings_row.public_intro = bool(public_page), intro
    if before == (settings_row.public_page, settings_row.public_intro):
        return settings_row
    settings_row.updated_by = actor
    settings_row.updated_at = timezone.now()
    settings_row.full_clean(validate_unique=False)
    settings_row.save()
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=settings_row,
        event_type="feedbacksettings.updated",
        payload={"public_page": settings_row.public_page, "intro_changed": before is None or before[1] != intro},
    )
    return settings_row


@transaction.atomic
def notifications_mark_read(*, actor: User, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the actor's own notifications read (all of them when no ids are given); returns how many."""
    membership = actor.membership
    if membership is None:
        raise PermissionDenied("You are not acting in any partnership.")
    unread = Notification.objects.filter(membership=membership, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=_ids(notification_ids))
    return unread.update(read_at=timezone.now())


def _ids(values: Iterable[Any]) -> list[int]:
    ids: list[int] = []
    for value in values:
        try:
            if isinstance(value, bool):
                raise TypeError
            ids.append(int(value))
        except (TypeError, ValueError):
            raise ValidationError({"notification_ids": "Choose notifications from the list."}) from None
    return ids
