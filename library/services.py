"""The shared library's writes: drafting an example from a partnership's records, reviewing and editing it, asking
young people whether they want to be named, publishing with a second person's approval, withdrawing, questions.

The rules, in one place (pages, API and safeguarding's consent withdrawal all call these):
- A participation worker drafts an example from their own partnership's engagements that have taken place (not
  cancelled). The draft is written from the records: the method from the engagements' type, the topic, how young
  people were recruited (outreach channels of their applications, counted only when 5 or more), how they were
  prepared (the training the type needs and the preparation time), what they recommended, what changed (the
  responses), the outcome, the age range on the day and how many took part (blank under 5). It names nobody:
  what young people recommended is in their own words and may, which is why nothing is reviewed at draft.
- Every free-text field must be reviewed by a person after its last change (Example.reviewed holds a hash of the
  text as reviewed, so any edit needs a new review).
- Publication (submit, then approve by a *different* member of staff of the same partnership) is refused while
  anything in `publication_problems` stands, naming every problem at once and changing nothing.
- Young people are named only once they agree (ExampleCredit); taking the agreement back withdraws a published
  example at once, and so does withdrawing a media or data-sharing consent it rests on
  (`examples_withdraw_for_consent`, called from safeguarding's consent withdrawal).
- Staff of any other partnership ask the publishing partnership questions about a published example; its library
  editors answer. Emails go after the transaction commits, one per person.

Locking: an approval locks the media and data-sharing consents of the people the example rests on before the
example (the consent withdrawal holds the consent and then locks examples), so the two cannot cross.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import escape, linebreaks

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.tasks import send_email_message
from core.workflows import transition
from engagements.models import (
    Attendance,
    Engagement,
    OpportunityType,
    Output,
    Recommendation,
    RecommendationResponse,
    TimelineEntry,
)
from engagements.services.outputs import media_consents
from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from participants.equality import SMALLEST_COUNT_SHOWN
from participants.models import (
    Application,
    Membership,
    OutreachChannel,
    Partnership,
    Role,
    TrainingModule,
    User,
)
from participants.models.profile import birthday_in
from safeguarding.models import Consent, ConsentType

CHANGE_EXAMPLE = "library.change_example"
APPROVE_EXAMPLE = "library.approve_example"
WITHDRAW_EXAMPLE = "library.withdraw_example"
ASK_QUESTION = "library.ask_question"
ANSWER_QUESTION = "library.answer_question"
ANSWER_CREDIT = "library.answer_credit"

Status = Example.Status
CreditStatus = ExampleCredit.Status

# The library's methods, from the type of opportunity an engagement was. Other types: the worker chooses.
METHOD_FOR_TYPE: dict[str, str] = {
    OpportunityType.SECTION_11_PANEL: Method.SECTION_11_PANEL,
    OpportunityType.SCRUTINY_EVENT: Method.SCRUTINY_EVENT,
    OpportunityType.DEEP_DIVE: Method.DEEP_DIVE,
    OpportunityType.FOCUS_GROUP: Method.FOCUS_GROUP,
    OpportunityType.YOUNG_INSPECTOR_VISIT: Method.YOUNG_INSPECTORS,
    OpportunityType.ANNUAL_REPORT: Method.ANNUAL_REPORT,
}

# How each free-text field is named to staff, at the start of a sentence.
FIELD_LABELS: dict[str, str] = {
    "title": "The title",
    "topic": "The topic",
    "recruitment": "How young people were recruited",
    "support": "How they were prepared and supported",
    "recommended": "What they recommended",
    "changed": "What changed",
}
YOUNGEST, OLDEST = 13, 25
MAX_QUESTION = 2000
MAX_ANSWER = 5000
MAX_REASON = 1000
FEWER_THAN = f"fewer than {SMALLEST_COUNT_SHOWN}"
# The fields example_update changes (engagement_ids and output_ids set the example's records).
UPDATABLE = (*Example.TEXT_FIELDS, "method", "outcome", "age_min", "age_max", "young_people_count")
# A consent whose withdrawal withdraws the examples that rest on the person.
CONSENTS_EXAMPLES_REST_ON = (ConsentType.MEDIA, ConsentType.DATA_SHARING)


@dataclass(frozen=True)
class Problem:
    """One reason an example cannot be published yet: the field it is about and what to do, in plain words."""

    field: str
    message: str


# --- Review of free text ------------------------------------------------------------------------------------------


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def field_is_reviewed(example: Example, field: str) -> bool:
    """Reviewed, and not changed since: the hash kept at review matches the text as it reads now."""
    kept = (example.reviewed or {}).get(field)
    return bool(kept) and kept == text_hash(str(getattr(example, field) or ""))


def unreviewed_fields(example: Example) -> list[str]:
    return [field for field in Example.TEXT_FIELDS if not field_is_reviewed(example, field)]


# --- Small helpers ----------------------------------------------------------------------------------------------


def _site_link(name: str, *args: object, fallback: str) -> str:
    """A full address for an email. `fallback` is the agreed path, for while the page is not wired in yet."""
    try:
        path = reverse(name, args=args)
    except NoReverseMatch:
        path = fallback
    return f"{str(settings.SITE_URL).rstrip('/')}{path}"


def _email(addresses: Iterable[str], *, subject: str, body: str) -> None:
    """One email to each address (nobody sees the others), sent after the transaction commits."""
    for address in sorted({address for address in addresses if address}):
        transaction.on_commit(
            partial(send_email_message.delay, subject=subject, body=body, to=[address], html=linebreaks(escape(body)))
        )


def _editors(partnership_id: int, *, besides: User | None = None) -> list[User]:
    """The people who look after a partnership's library examples: participation workers, scrutiny leads and
    partnership admins with an active membership."""
    memberships = (
        Membership.objects.filter(partnership_id=partnership_id, status=Membership.Status.ACTIVE, user__is_active=True)
        .filter(
            Membership.with_role(Role.PARTICIPATION_WORKER)
            | Membership.with_role(Role.SCRUTINY_LEAD)
            | Membership.with_role(Role.PARTNERSHIP_ADMIN)
        )
        .select_related("user")
        .order_by("pk")
    )
    if besides is not None:
        memberships = memberships.exclude(user=besides)
    return [membership.user for membership in memberships]


def _day(value: datetime.date) -> str:
    return f"{value:%-d %B %Y}"


def _duration(minutes: int) -> str:
    hours, rest = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if rest:
        parts.append(f"{rest} minute{'s' if rest != 1 else ''}")
    return " ".join(parts) or "no time"


def _shown_count(count: int) -> str:
    return str(count) if count >= SMALLEST_COUNT_SHOWN else FEWER_THAN


def _age(date_of_birth: datetime.date, day: datetime.date) -> int:
    return day.year - date_of_birth.year - (1 if day < birthday_in(date_of_birth, day.year) else 0)


def _without_names(text: str, names: Iterable[str]) -> str:
    """Take people's full names out of text drafted from the records (longest first, any case)."""
    for name in sorted({name.strip() for name in names if name and len(name.strip()) >= 3}, key=len, reverse=True):
        text = re.sub(re.escape(name), "[name]", text, flags=re.IGNORECASE)
    return text


def _clip(text: str, length: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _ids(values: Sequence[Any], field: str, message: str) -> list[int]:
    try:
        return list(dict.fromkeys(int(value) for value in values))
    except (TypeError, ValueError):
        raise ValidationError({field: message}) from None


def _optional_number(value: Any, field: str, label: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise ValidationError({field: f"{label} must be a whole number, like 15."}) from None
    if number < 0 or number > 32767:
        raise ValidationError({field: f"{label} must be a whole number, like 15."})
    return number


def _reason(reason: str, *, field: str = "reason", missing: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({field: missing})
    if len(reason) > MAX_REASON:
        raise ValidationError({field: f"The reason must be {MAX_REASON} characters or fewer."})
    return reason


# --- Finding rows -------------------------------------------------------------------------------------------------


def _lock_example(actor: User, example_id: int) -> Example:
    """Lock one of the actor's partnership's examples; another partnership's is a 404, exactly like a missing one."""
    return get_object_or_404(Example.objects.select_for_update().filter(partnership=actor.partnership), pk=example_id)


def _engagements_for(actor: User, engagement_ids: Sequence[Any], field: str = "engagement_ids") -> list[Engagement]:
    """The actor's partnership's engagements that have taken place (completed, or published and over) and were not
    cancelled. Another partnership's engagement reads exactly like one that does not exist."""
    unknown = "Choose engagements your partnership ran."
    wanted = _ids(engagement_ids, field, unknown)
    found = {
        engagement.pk: engagement
        for engagement in Engagement.objects.filter(partnership=actor.partnership, pk__in=wanted).select_related(
            "staff_lead", "scrutiny_lead", "created_by"
        )
    }
    if len(found) != len(wanted):
        raise ValidationError({field: unknown})
    now = timezone.now()
    engagements = [found[pk] for pk in wanted]
    for engagement in engagements:
        if engagement.status == Engagement.Status.CANCELLED:
            raise ValidationError({field: f"“{engagement.title}” was cancelled, so it cannot be part of an example."})
        over = engagement.status == Engagement.Status.PUBLISHED and engagement.ends_at <= now
        if engagement.status != Engagement.Status.COMPLETED and not over:
            raise ValidationError({field: f"“{engagement.title}” has not taken place yet."})
    return sorted(engagements, key=lambda engagement: (engagement.starts_at, engagement.pk))


def _method_for(engagements: Sequence[Engagement], method: str) -> str:
    if method:
        if method not in Method.values:
            raise ValidationError({"method": "Choose a method from the list."})
        return method
    methods = {METHOD_FOR_TYPE.get(engagement.opportunity_type) for engagement in engagements}
    if len(methods) == 1 and None not in methods:
        return str(methods.pop())
    unlisted = sorted(
        {
            OpportunityType(engagement.opportunity_type).label
            for engagement in engagements
            if engagement.opportunity_type not in METHOD_FOR_TYPE
        }
    )
    if unlisted:
        raise ValidationError(
            {"method": f"Choose the method this example shows: {', '.join(unlisted)} is not one the library lists."}
        )
    raise ValidationError({"method": "Choose the method this example shows: the engagements are of different kinds."})


def took_part(engagement_ids: Sequence[int]) -> dict[int, set[int]]:
    """Who took part in each engagement (membership ids): those whose attendance was marked present, late or left
    early, and those confirmed for it who were not marked absent. Two queries."""
    people: dict[int, set[int]] = {pk: set() for pk in engagement_ids}
    absent: set[tuple[int, int]] = set()
    for engagement_id, membership_id, status in Attendance.objects.filter(engagement_id__in=engagement_ids).values_list(
        "engagement_id", "membership_id", "status"
    ):
        if status in Attendance.ATTENDED:
            people[engagement_id].add(membership_id)
        else:
            absent.add((engagement_id, membership_id))
    confirmed = Engagement.attendees.through.objects.filter(engagement_id__in=engagement_ids).values_list(
        "engagement_id", "membership_id"
    )
    for engagement_id, membership_id in confirmed:
        if (engagement_id, membership_id) not in absent:
            people[engagement_id].add(membership_id)
    return people


def _confirmed_or_attended(engagement_ids: Sequence[int]) -> set[int]:
    """The young people who may be named on an example: confirmed for or attended one of its engagements."""
    confirmed = Engagement.attendees.through.objects.filter(engagement_id__in=engagement_ids).values_list(
        "membership_id", flat=True
    )
    attended = Attendance.objects.filter(engagement_id__in=engagement_ids, status__in=Attendance.ATTENDED).values_list(
        "membership_id", flat=True
    )
    return set(confirmed) | set(attended)


# --- Drafting from the records ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Drafted:
    """The text and facts drafted from a set of engagements."""

    title: str
    topic: str
    recruitment: str
    support: str
    recommended: str
    changed: str
    outcome: str
    age_min: int | None
    age_max: int | None
    young_people_count: int | None


def _recruitment_words(people: set[int]) -> str:
    if not people:
        return "Say how the young people who took part were recruited."
    channels = dict(OutreachChannel.choices)
    tally: Counter[str] = Counter()
    applied: set[int] = set()
    for membership_id, referral_id, channel in Application.objects.filter(membership_id__in=people).values_list(
        "membership_id", "referral_id", "outreach_link__channel"
    ):
        applied.add(membership_id)
        if referral_id:
            tally[str(OutreachChannel.PEER_REFERRAL.label)] += 1
        elif channel:
            tally[str(channels.get(channel, channel))] += 1
        else:
            tally["Applied directly"] += 1
    others = len(people - applied)
    if others:
        tally["Joined in another way"] += others
    lines = [
        f"- {label}: {_shown_count(count)}"
        for label, count in sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    ]
    return "How the young people who took part first came to us (young people in each group):\n" + "\n".join(lines)


def _support_words(engagements: Sequence[Engagement], partnership_id: int) -> str:
    types = {engagement.opportunity_type for engagement in engagements}
    modules = [
        module.title
        for module in TrainingModule.objects.filter(partnership_id=partnership_id, is_active=True).order_by("title")
        if any(module.is_required_for(kind) for kind in types)
    ]
    words = []
    if modules:
        words.append(f"Training they completed before taking part: {'; '.join(modules)}.")
    minutes = sorted({engagement.preparation_minutes for engagement in engagements if engagement.preparation_minutes})
    if len(minutes) == 1:
        words.append(f"Paid preparation time: {_duration(minutes[0])} for each session.")
    elif minutes:
        words.append(f"Paid preparation time: from {_duration(minutes[0])} to {_duration(minutes[-1])} a session.")
    return "\n".join(words) or "Say how the young people were prepared and supported."


def _changed_words(recommendations: Sequence[Recommendation]) -> tuple[str, str]:
    """What changed (one line per recommendation, numbered as in what they recommended) and the outcome."""
    lines = []
    statuses: set[str] = set()
    for number, recommendation in enumerate(recommendations, start=1):
        response: RecommendationResponse | None = getattr(recommendation, "response", None)
        if response is None:
            lines.append(f"{number}. No response has been recorded yet.")
            continue
        statuses.add(response.status)
        decision = response.get_decision_display()
        if response.decision in RecommendationResponse.DECISIONS_WITH_REASON and response.decision_reason:
            decision = f"{decision} ({response.decision_reason.strip()})"
        status = response.get_status_display()
        if response.status in RecommendationResponse.STATUSES_WITH_REASON and response.status_reason:
            status = f"{status} ({response.status_reason.strip()})"
        elif response.status == RecommendationResponse.Status.IN_PROGRESS and response.progress:
            status = f"{status}, {response.progress}% done"
        line = f"{number}. {response.owner_agency or recommendation.agency}: {decision}. {status}."
        latest: list[TimelineEntry] = getattr(response, "latest_entries", [])
        if latest:
            line += f" Latest: {' '.join(latest[0].text.split())}"
        lines.append(line)
    if RecommendationResponse.Status.DONE in statuses:
        outcome = Outcome.PRACTICE_CHANGED
    elif RecommendationResponse.Status.IN_PROGRESS in statuses:
        outcome = Outcome.UNDER_WAY
    else:
        outcome = Outcome.NOT_YET
    if not lines:
        return "Nothing has been recorded yet about what changed.", outcome
    return "\n".join(lines), outcome


def draft_from_records(engagements: Sequence[Engagement], *, method: str) -> Drafted:
    """Draft an example's text and facts from engagements (a fixed number of queries, however many)."""
    ids = [engagement.pk for engagement in engagements]
    partnership_id = engagements[0].partnership_id
    people_by_engagement = took_part(ids)
    people = set().union(*people_by_engagement.values()) if people_by_engagement else set()
    young = {
        pk: (full_name, born)
        for pk, full_name, born in Membership.objects.filter(pk__in=people, is_young_person=True).values_list(
            "pk", "user__full_name", "profile__date_of_birth"
        )
    }
    people = {pk for pk in people if pk in young}
    ages = [
        _age(young[pk][1], timezone.localdate(engagement.starts_at))
        for engagement in engagements
        for pk in people_by_engagement[engagement.pk]
        if pk in young and young[pk][1] is not None
    ]
    recommendations = list(
        Recommendation.objects.filter(engagement_id__in=ids)
        .select_related("response")
        .prefetch_related(
            Prefetch(
                "response__timeline",
                queryset=TimelineEntry.objects.filter(
                    kind__in=[TimelineEntry.Kind.UPDATE, TimelineEntry.Kind.EVIDENCE]
                ).order_by("-happened_on", "-created_at", "-pk"),
                to_attr="latest_entries",
            )
        )
        .order_by("engagement__starts_at", "engagement_id", "created_at", "pk")
    )
    names = [full_name for full_name, _ in young.values()]
    names += [recommendation.response.owner_name for recommendation in recommendations if _has_response(recommendation)]
    for engagement in engagements:
        names += [user.full_name for user in (engagement.staff_lead, engagement.scrutiny_lead) if user is not None]
    topics = list(dict.fromkeys(engagement.topic.strip() for engagement in engagements if engagement.topic.strip()))
    if not topics:
        topics = list(dict.fromkeys(recommendation.theme.strip() for recommendation in recommendations))
    topic = _clip(_without_names("; ".join(topic for topic in topics if topic), names), 200)
    topic = topic or str(Method(method).label)
    recommended = (
        "\n".join(f"{n}. {' '.join(r.text.split())}" for n, r in enumerate(recommendations, start=1))
        or "No recommendations were recorded."
    )
    changed, outcome = _changed_words(recommendations)
    return Drafted(
        title=_clip(f"{Method(method).label}: {topic}", 200),
        topic=topic,
        recruitment=_recruitment_words(people),
        support=_without_names(_support_words(engagements, partnership_id), names),
        recommended=recommended,  # the young people's own words: reviewed by a person before anyone else sees it
        changed=_without_names(changed, names),
        outcome=outcome,
        age_min=min(ages) if ages else None,
        age_max=max(ages) if ages else None,
        young_people_count=len(people) if len(people) >= SMALLEST_COUNT_SHOWN else None,
    )


def _has_response(recommendation: Recommendation) -> bool:
    try:
        return recommendation.response is not None
    except RecommendationResponse.DoesNotExist:
        return False


# --- Writes: drafting, editing, reviewing ---------------------------------------------------------------------------


@transaction.atomic
def example_draft(*, actor: User, engagement_ids: Sequence[int], method: str = "") -> Example:
    """A draft drafted from the partnership's own records (nothing reviewed yet)."""
    require(actor, CHANGE_EXAMPLE)
    if not engagement_ids:
        raise ValidationError({"engagement_ids": "Choose at least one engagement to draft the example from."})
    engagements = _engagements_for(actor, engagement_ids)
    chosen = _method_for(engagements, method)
    drafted = draft_from_records(engagements, method=chosen)
    now = timezone.now()
    example = Example(
        partnership=actor.partnership,
        status=Status.DRAFT,
        method=chosen,
        title=drafted.title,
        topic=drafted.topic,
        recruitment=drafted.recruitment,
        support=drafted.support,
        recommended=drafted.recommended,
        changed=drafted.changed,
        outcome=drafted.outcome,
        age_min=drafted.age_min,
        age_max=drafted.age_max,
        young_people_count=drafted.young_people_count,
        reviewed={},
        created_by=actor,
        created_at=now,
        updated_at=now,
    )
    example.full_clean()
    example.save()
    example.engagements.set(engagements)
    audit_record(
        actor=actor,
        partnership=example.partnership,
        subject=example,
        event_type="example.drafted",
        payload={"engagements": [engagement.pk for engagement in engagements], "method": chosen},
    )
    return example


def _back_to_draft(example: Example, *, actor: User, why: str) -> None:
    """Editing a submitted or withdrawn example puts it back to draft: what is approved is what was submitted."""
    if example.status == Status.PUBLISHED:
        raise ApplicationError(
            "A published example cannot be changed: withdraw it first, then change it and send it for approval again.",
            extra={"field": "status"},
        )
    if example.status in (Status.SUBMITTED, Status.WITHDRAWN):
        transition(example, to=Status.DRAFT, actor=actor, payload={"because": why})


def _text_value(field: str, value: Any) -> str:
    text = str(value or "").strip()
    if not text:
        raise ValidationError({field: f"{FIELD_LABELS[field]} cannot be empty."})
    limit: int | None = getattr(Example._meta.get_field(field), "max_length", None)
    if limit is not None and len(text) > limit:
        raise ValidationError({field: f"{FIELD_LABELS[field]} must be {limit} characters or fewer."})
    return text


def _outputs_for(example: Example, output_ids: Sequence[Any], engagement_ids: Sequence[int]) -> list[Output]:
    unknown = "Choose outputs made in the example's engagements."
    wanted = _ids(output_ids, "output_ids", unknown)
    outputs = list(
        Output.objects.filter(partnership_id=example.partnership_id, engagement_id__in=engagement_ids, pk__in=wanted)
    )
    if len(outputs) != len(wanted):
        raise ValidationError({"output_ids": unknown})
    return outputs


@transaction.atomic
def example_update(*, actor: User, example_id: int, **fields: Any) -> Example:
    """Edit text fields, method, outcome, age range, count, engagements (engagement_ids) and outputs (output_ids).
    Only a DRAFT (a submitted one is sent back to draft first)."""
    require(actor, CHANGE_EXAMPLE)
    unknown = sorted(set(fields) - {*UPDATABLE, "engagement_ids", "output_ids"})
    if unknown:
        raise ValidationError({unknown[0]: "This cannot be changed here."})
    example = _lock_example(actor, example_id)
    require(actor, CHANGE_EXAMPLE, example)
    changes: dict[str, Any] = {}
    for field in Example.TEXT_FIELDS:
        if field in fields:
            changes[field] = _text_value(field, fields[field])
    if "method" in fields:
        if fields["method"] not in Method.values:
            raise ValidationError({"method": "Choose a method from the list."})
        changes["method"] = fields["method"]
    if "outcome" in fields:
        if fields["outcome"] not in Outcome.values:
            raise ValidationError({"outcome": "Choose what the outcome was."})
        changes["outcome"] = fields["outcome"]
    labels = {"age_min": "The youngest age", "age_max": "The oldest age", "young_people_count": "The number"}
    for field, label in labels.items():
        if field in fields:
            changes[field] = _optional_number(fields[field], field, label)
    age_min = changes.get("age_min", example.age_min)
    age_max = changes.get("age_max", example.age_max)
    if age_min is not None and age_max is not None and age_max < age_min:
        raise ValidationError({"age_max": "The oldest age must be the same as or more than the youngest age."})
    if changes.get("young_people_count", 1) == 0:
        raise ValidationError({"young_people_count": "Enter how many young people took part, or leave it blank."})

    engagements: list[Engagement] | None = None
    current_engagements = list(example.engagements.values_list("pk", flat=True))
    if "engagement_ids" in fields:
        ids = fields["engagement_ids"] or []
        engagements = _engagements_for(actor, ids) if ids else []
    engagement_ids = [e.pk for e in engagements] if engagements is not None else current_engagements
    outputs: list[Output] | None = None
    if "output_ids" in fields:
        outputs = _outputs_for(example, fields["output_ids"] or [], engagement_ids)
    elif engagements is not None:
        stray = example.outputs.exclude(engagement_id__in=engagement_ids)
        if stray.exists():
            raise ValidationError({"output_ids": "Take off the outputs of engagements that are no longer included."})

    changed = [field for field, value in changes.items() if getattr(example, field) != value]
    relations: dict[str, Any] = {}
    if engagements is not None and sorted(engagement_ids) != sorted(current_engagements):
        relations["engagements"] = {"from": sorted(current_engagements), "to": sorted(engagement_ids)}
    if outputs is not None:
        before = sorted(example.outputs.values_list("pk", flat=True))
        after = sorted(output.pk for output in outputs)
        if before != after:
            relations["outputs"] = {"from": before, "to": after}
    if not changed and not relations:
        return example
    _back_to_draft(example, actor=actor, why="changed")
    for field in changed:
        setattr(example, field, changes[field])
    example.updated_at = timezone.now()
    example.full_clean()
    example.save(update_fields=[*changed, "updated_at"])
    if "engagements" in relations and engagements is not None:
        example.engagements.set(engagements)
    if "outputs" in relations and outputs is not None:
        example.outputs.set(outputs)
    audit_record(
        actor=actor,
        partnership=example.partnership,
        subject=example,
        event_type="example.updated",
        payload={
            "fields": changed + sorted(relations),
            "unreviewed": [field for field in changed if field in Example.TEXT_FIELDS],
            **relations,
        },
    )
    return example


@transaction.atomic
def example_review(*, actor: User, example_id: int, fields: Sequence[str], keep_others: bool = True) -> Example:
    """Mark these text fields reviewed as they read now. keep_others=False: the fields not listed are no longer
    reviewed (a form of checkboxes, where unticking one takes the review back)."""
    require(actor, CHANGE_EXAMPLE)
    wanted = list(dict.fromkeys(fields))
    unknown = [field for field in wanted if field not in Example.TEXT_FIELDS]
    if unknown:
        raise ValidationError({"fields": f"Only these can be reviewed: {', '.join(Example.TEXT_FIELDS)}."})
    example = _lock_example(actor, example_id)
    require(actor, CHANGE_EXAMPLE, example)
    reviewed = {
        field: kept
        for field, kept in (example.reviewed or {}).items()
        if field in Example.TEXT_FIELDS and (keep_others or field in wanted) and field_is_reviewed(example, field)
    }
    for field in wanted:
        reviewed[field] = text_hash(str(getattr(example, field) or ""))
    before = sorted(field for field in Example.TEXT_FIELDS if field_is_reviewed(example, field))
    after = sorted(reviewed)
    if before == after and all(field_is_reviewed(example, field) for field in wanted):
        return example
    _back_to_draft(example, actor=actor, why="reviewed")
    example.reviewed = reviewed
    example.updated_at = timezone.now()
    example.save(update_fields=["reviewed", "updated_at"])
    audit_record(
        actor=actor,
        partnership=example.partnership,
        subject=example,
        event_type="example.reviewed",
        payload={"reviewed": after, "unreviewed": [field for field in before if field not in after]},
    )
    return example


# --- Publication ----------------------------------------------------------------------------------------------------


_CREDIT_PROBLEMS: dict[str, str] = {
    CreditStatus.ASKED: "{name} has not said yet whether they agree to be named: wait for their answer, ask again or "
    "remove them.",
    CreditStatus.DECLINED: "{name} said no to being named: ask again or remove them.",
    CreditStatus.WITHDRAWN: "{name} took back their agreement to be named: ask again or remove them.",
}


# An age range drawn from a few young people can be one person's exact age: a published range covers at least
# this many years of age (15 to 17 is three).
NARROWEST_AGE_SPAN = 3


def publication_problems(example: Example) -> list[Problem]:
    """Everything that stops publication, each naming its field. Empty: it may be published."""
    problems = [
        Problem(
            field,
            f"{FIELD_LABELS[field]} has not been reviewed since it was last changed: read it, take out anything "
            "personal, and mark it as reviewed.",
        )
        for field in unreviewed_fields(example)
    ]
    if example.method not in Method.values:
        problems.append(Problem("method", "Choose the method this example shows."))
    if example.outcome not in Outcome.values:
        problems.append(Problem("outcome", "Choose what the outcome was."))
    if not example.engagements.exists():
        problems.append(Problem("engagements", "Choose at least one engagement the example comes from."))
    for field, which in (("age_min", "youngest"), ("age_max", "oldest")):
        age = getattr(example, field)
        if age is not None and not YOUNGEST <= age <= OLDEST:
            problems.append(
                Problem(
                    field, f"The {which} age must be between {YOUNGEST} and {OLDEST}: correct it, or leave it blank."
                )
            )
    if (
        example.age_min is not None
        and example.age_max is not None
        and example.age_max - example.age_min < NARROWEST_AGE_SPAN - 1
    ):
        problems.append(
            Problem(
                "age_min",
                f"An age range this narrow could identify someone: make it cover at least {NARROWEST_AGE_SPAN} "
                "years of age (for example 15 to 17), or leave both ages blank.",
            )
        )
    count = example.young_people_count
    if count is not None and count < SMALLEST_COUNT_SHOWN:
        problems.append(
            Problem(
                "young_people_count",
                f"Fewer than {SMALLEST_COUNT_SHOWN} young people would be counted, which could identify them: leave "
                f"the number blank and it will show as “{FEWER_THAN}”.",
            )
        )
    credits = (
        example.credits.filter(status__in=list(_CREDIT_PROBLEMS)).select_related("membership__user").order_by("pk")
    )
    for credit in credits:
        problems.append(
            Problem("credits", _CREDIT_PROBLEMS[credit.status].format(name=credit.membership.user.full_name))
        )
    outputs = list(
        example.outputs.prefetch_related(
            Prefetch("contributors", queryset=Membership.objects.select_related("user").order_by("pk"))
        ).order_by("pk")
    )
    people = {person.pk: person for output in outputs for person in output.contributors.all()}
    states = media_consents(people.values(), timezone.localdate())
    for output in outputs:
        makers = list(output.contributors.all())
        if output.is_hidden:
            problems.append(
                Problem("outputs", f"The output “{output.title}” is hidden in your records: take it off the example.")
            )
        elif not makers:
            problems.append(
                Problem(
                    "outputs",
                    f"Nobody is recorded as making the output “{output.title}”, so we cannot check their media "
                    "consent: take it off the example.",
                )
            )
        else:
            refused = [states[person.pk] for person in makers if not states[person.pk].counts]
            if refused:
                reasons = "; ".join(f"{state.membership.user.full_name}: {state.problem}" for state in refused)
                problems.append(
                    Problem(
                        "outputs",
                        f"The output “{output.title}” needs media consent that counts from everyone who made it "
                        f"({reasons}): take it off the example.",
                    )
                )
    return problems


def _refuse(problems: Sequence[Problem], *, doing: str) -> None:
    if problems:
        raise ApplicationError(
            f"It cannot be {doing} yet. " + " ".join(problem.message for problem in problems),
            extra={
                "field": problems[0].field,
                "problems": [{"field": problem.field, "message": problem.message} for problem in problems],
            },
        )


@transaction.atomic
def example_submit(*, actor: User, example_id: int) -> Example:
    """Send a draft for a second person's approval; refused, naming every problem, while any stands."""
    require(actor, CHANGE_EXAMPLE)
    example = _lock_example(actor, example_id)
    require(actor, CHANGE_EXAMPLE, example)
    if example.status != Status.DRAFT:
        raise ApplicationError(
            f"Only a draft can be sent for approval: this one is {example.get_status_display().lower()}.",
            extra={"field": "status"},
        )
    _refuse(publication_problems(example), doing="sent for approval")
    example.submitted_by = actor
    example.submitted_at = timezone.now()
    transition(example, to=Status.SUBMITTED, actor=actor, extra_update_fields=["submitted_by", "submitted_at"])
    link = _site_link("library_detail", example.pk, fallback=f"/library/{example.pk}/")
    body = (
        f"{actor.full_name} has sent the example “{example.title}” for approval before it is shared with other "
        f"partnerships in the library. It needs a different person from the one who sent it to check and approve it:"
        f"\n\n{link}"
    )
    _email(
        [user.email for user in _editors(example.partnership_id, besides=actor)],
        subject="A library example is waiting for approval",
        body=body,
    )
    return example


@transaction.atomic
def example_send_back(*, actor: User, example_id: int, reason: str) -> Example:
    """Send a submitted example back to draft, with the reason (emailed to whoever sent it)."""
    example = _lock_example(actor, example_id)
    if not (actor.has_perm(APPROVE_EXAMPLE, example) or actor.has_perm(CHANGE_EXAMPLE, example)):
        raise PermissionDenied("You do not have permission to do that.")
    reason = _reason(reason, missing="Enter why you are sending it back, so they know what to change.")
    if example.status != Status.SUBMITTED:
        raise ApplicationError("Only an example waiting for approval can be sent back.", extra={"field": "status"})
    transition(example, to=Status.DRAFT, actor=actor, payload={"because": "sent_back", "reason": reason})
    submitter = example.submitted_by
    if submitter is not None and submitter.pk != actor.pk and submitter.is_active:
        link = _site_link("library_edit", example.pk, fallback=f"/library/{example.pk}/edit/")
        _email(
            [submitter.email],
            subject="A library example was sent back to you",
            body=f"{actor.full_name} sent the example “{example.title}” back to draft:\n\n{reason}\n\n"
            f"Change it and send it for approval again:\n{link}",
        )
    return example


def _lock_consents_of(example: Example) -> None:
    """Lock the media and data-sharing consents of the people the example rests on (credits and output makers), in
    a fixed order, so a withdrawal happening now waits for this write or this write sees it."""
    credited = example.credits.values_list("membership_id", flat=True)
    makers = Output.contributors.through.objects.filter(output__in=example.outputs.all()).values_list(
        "membership_id", flat=True
    )
    ids = set(credited) | set(makers)
    list(
        Consent.objects.select_for_update()
        .filter(membership_id__in=ids, consent_type__in=CONSENTS_EXAMPLES_REST_ON)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


@transaction.atomic
def example_approve(*, actor: User, example_id: int) -> Example:
    """Publish: a different member of staff of the same partnership, and no publication problems."""
    require(actor, APPROVE_EXAMPLE)
    unlocked = get_object_or_404(Example.objects.filter(partnership=actor.partnership), pk=example_id)
    require(actor, APPROVE_EXAMPLE, unlocked)
    _lock_consents_of(unlocked)
    example = _lock_example(actor, example_id)
    if example.status != Status.SUBMITTED:
        raise ApplicationError(
            f"Only an example waiting for approval can be published: this one is "
            f"{example.get_status_display().lower()}.",
            extra={"field": "status"},
        )
    if example.submitted_by_id is not None and example.submitted_by_id == actor.pk:
        raise ApplicationError(
            "You sent this example for approval, so a different person must approve it.",
            extra={"field": "approved_by"},
        )
    _refuse(publication_problems(example), doing="published")
    now = timezone.now()
    example.approved_by = actor
    example.published_at = now
    example.withdrawn_at = None
    example.withdrawn_reason = ""
    example.updated_at = now
    transition(
        example,
        to=Status.PUBLISHED,
        actor=actor,
        extra_update_fields=["approved_by", "published_at", "withdrawn_at", "withdrawn_reason", "updated_at"],
    )
    submitter = example.submitted_by
    if submitter is not None and submitter.is_active:
        link = _site_link("library_detail", example.pk, fallback=f"/library/{example.pk}/")
        _email(
            [submitter.email],
            subject="Your library example is published",
            body=f"{actor.full_name} approved the example “{example.title}”. Staff of every partnership can now "
            f"find it in the library:\n\n{link}",
        )
    return example


def _withdraw_published(example: Example, *, actor: User | None, reason: str, because: str) -> None:
    """PUBLISHED -> WITHDRAWN on a locked row: from now on no read of the library shows it."""
    now = timezone.now()
    example.withdrawn_at = now
    example.withdrawn_reason = reason
    example.updated_at = now
    transition(
        example,
        to=Status.WITHDRAWN,
        actor=actor,
        payload={"because": because},
        extra_update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"],
    )


@transaction.atomic
def example_withdraw(*, actor: User | None, example_id: int, reason: str) -> Example:
    """Withdraw a published example: it disappears from every page, the API and search at once. actor=None: the
    system (no permission check, any partnership)."""
    if actor is None:
        example = get_object_or_404(Example.objects.select_for_update(), pk=example_id)
    else:
        require(actor, WITHDRAW_EXAMPLE)
        example = _lock_example(actor, example_id)
        require(actor, WITHDRAW_EXAMPLE, example)
    reason = _reason(reason, missing="Enter why it is being withdrawn.")
    if example.status != Status.PUBLISHED:
        raise ApplicationError(
            f"Only a published example can be withdrawn: this one is {example.get_status_display().lower()}.",
            extra={"field": "status"},
        )
    _withdraw_published(example, actor=actor, reason=reason, because="withdrawn")
    return example


# --- Credits: asking young people whether they want to be named -----------------------------------------------------


@transaction.atomic
def credit_ask(*, actor: User, example_id: int, membership_id: int) -> ExampleCredit:
    """Ask a young person who took part (confirmed or attended one of the example's engagements) whether they want
    to be named on it. They are emailed a link to their own page; the email says nothing of the example but its
    title."""
    require(actor, CHANGE_EXAMPLE)
    example = _lock_example(actor, example_id)
    require(actor, CHANGE_EXAMPLE, example)
    if example.status not in (Status.DRAFT, Status.SUBMITTED):
        raise ApplicationError(
            "Young people can be asked only while the example is a draft or waiting for approval.",
            extra={"field": "status"},
        )
    not_allowed = "Choose a young person who took part in one of the example's engagements."
    [wanted] = _ids([membership_id], "membership_id", not_allowed)
    engagement_ids = list(example.engagements.values_list("pk", flat=True))
    membership = (
        Membership.objects.filter(
            partnership=example.partnership, pk=wanted, is_young_person=True, status=Membership.Status.ACTIVE
        )
        .select_related("user")
        .first()
    )
    if membership is None or membership.pk not in _confirmed_or_attended(engagement_ids):
        raise ValidationError({"membership_id": not_allowed})
    credit = ExampleCredit.objects.select_for_update().filter(example=example, membership=membership).first()
    if credit is None:
        credit = ExampleCredit(partnership=example.partnership, example=example, membership=membership)
        credit.full_clean()
        credit.save()
        audit_record(
            actor=actor,
            partnership=example.partnership,
            subject=credit,
            event_type="examplecredit.asked",
            payload={"example": example.pk, "membership": membership.pk},
        )
    elif credit.status in (CreditStatus.ASKED, CreditStatus.AGREED):
        done = "has already been asked" if credit.status == CreditStatus.ASKED else "has already agreed"
        raise ApplicationError(f"{membership.user.full_name} {done}.", extra={"field": "membership_id"})
    else:
        credit.credit_name = ""
        credit.answered_at = None
        transition(credit, to=CreditStatus.ASKED, actor=actor, extra_update_fields=["credit_name", "answered_at"])
    if membership.user.is_active:
        link = _site_link("my_library_credit_answer", credit.pk, fallback=f"/your-credits/{credit.pk}/")
        body = (
            f"Hello {membership.user.get_short_name()},\n\n"
            f"{example.partnership.name} would like to share how young people took part in “{example.title}” with "
            "other safeguarding partnerships, so they can learn from it. We would like to know whether you want your "
            "name shown on it.\n\nIt is up to you. You can say yes or no, and change your mind at any time:\n"
            f"{link}"
        )
        _email([membership.user.email], subject="Do you want to be named on an example of your work?", body=body)
    return credit


@transaction.atomic
def credit_remove(*, actor: User, credit_id: int) -> ExampleCredit:
    """Take a young person off an example (they will not be named on it)."""
    require(actor, CHANGE_EXAMPLE)
    unlocked = get_object_or_404(ExampleCredit.objects.filter(partnership=actor.partnership), pk=credit_id)
    example = _lock_example(actor, unlocked.example_id)
    require(actor, CHANGE_EXAMPLE, example)
    credit = ExampleCredit.objects.select_for_update().get(pk=unlocked.pk)
    if credit.status == CreditStatus.REMOVED:
        return credit
    credit.credit_name = ""
    transition(credit, to=CreditStatus.REMOVED, actor=actor, extra_update_fields=["credit_name"])
    return credit


def _email_withdrawn(examples: Sequence[Example], *, why: str) -> None:
    """Tell the library editors of each example's partnership what happened to it (names no one)."""
    by_partnership: dict[int, list[Example]] = defaultdict(list)
    for example in examples:
        by_partnership[example.partnership_id].append(example)
    for partnership_id, theirs in by_partnership.items():
        lines = []
        for example in theirs:
            link = _site_link("library_detail", example.pk, fallback=f"/library/{example.pk}/")
            what = "withdrawn from the library" if example.status == Status.WITHDRAWN else "sent back to draft"
            lines.append(f"- “{example.title}”: {what}. {link}")
        body = (
            f"{why} It took effect straight away:\n\n"
            + "\n".join(lines)
            + "\n\nOther partnerships can no longer see a withdrawn example. Sign in to see what to do next."
        )
        subject = "A library example was withdrawn" if len(theirs) == 1 else "Library examples were withdrawn"
        _email([user.email for user in _editors(partnership_id)], subject=subject, body=body)


@transaction.atomic
def credit_answer(*, actor: User, credit_id: int, agree: bool, credit_name: str = "") -> ExampleCredit:
    """The young person's own answer; taking back an agreement withdraws a published example at once."""
    if actor.membership is None:
        raise PermissionDenied("You are not acting in any partnership.")
    unlocked = get_object_or_404(
        ExampleCredit.objects.filter(partnership=actor.partnership, membership=actor.membership).exclude(
            status=CreditStatus.REMOVED
        ),
        pk=credit_id,
    )
    require(actor, ANSWER_CREDIT, unlocked)
    example = get_object_or_404(Example.objects.select_for_update(), pk=unlocked.example_id)
    credit = ExampleCredit.objects.select_for_update().get(pk=unlocked.pk)
    now = timezone.now()
    if agree:
        if credit.status != CreditStatus.ASKED:
            raise ApplicationError(
                "You can say yes when you are asked. Ask the participation worker to ask you again.",
                extra={"field": "agree"},
            )
        name = " ".join((credit_name or "").split()) or actor.get_short_name()
        if len(name) > ExampleCredit._meta.get_field("credit_name").max_length:  # type: ignore[operator]
            raise ValidationError({"credit_name": "The name must be 100 characters or fewer."})
        credit.credit_name = name
        credit.answered_at = now
        transition(credit, to=CreditStatus.AGREED, actor=actor, extra_update_fields=["credit_name", "answered_at"])
        return credit
    if credit.status == CreditStatus.ASKED:
        credit.answered_at = now
        transition(credit, to=CreditStatus.DECLINED, actor=actor, extra_update_fields=["answered_at"])
        return credit
    if credit.status != CreditStatus.AGREED:
        return credit  # already a no (declined or taken back): nothing more to do
    credit.credit_name = ""
    credit.answered_at = now
    transition(credit, to=CreditStatus.WITHDRAWN, actor=actor, extra_update_fields=["credit_name", "answered_at"])
    if example.status == Status.PUBLISHED:
        _withdraw_published(
            example,
            actor=actor,
            reason="A young person named on it took back their agreement to be named.",
            because="credit_withdrawn",
        )
        _email_withdrawn([example], why="A young person named on this example took back their agreement to be named.")
    return credit


@transaction.atomic
def examples_withdraw_for_consent(*, membership: Membership, actor: User | None) -> list[Example]:
    """Called inside safeguarding's consent withdrawal: withdraw every example that rests on this person.

    Every PUBLISHED example that names them (agreed credit) or includes an output they made is withdrawn and every
    SUBMITTED one goes back to draft, with a reason that names no one; their agreements to be named stop standing
    (they must be asked again); the partnership's library editors are emailed after the withdrawal commits.
    No permission check: a consequence of a withdrawal that was allowed, not something the person does to examples.
    """
    credited = ExampleCredit.objects.filter(membership=membership, status=CreditStatus.AGREED).values("example_id")
    made = Output.objects.filter(contributors=membership).values("pk")
    ids = set(
        Example.objects.filter(partnership_id=membership.partnership_id)
        .filter(Q(pk__in=credited) | Q(outputs__in=made))
        .values_list("pk", flat=True)
    )
    examples = list(
        Example.objects.select_for_update()
        .filter(pk__in=ids, status__in=[Status.PUBLISHED, Status.SUBMITTED])
        .order_by("pk")
    )
    on = timezone.localdate()
    reason = f"A consent it rested on was withdrawn on {_day(on)}."
    for example in examples:
        if example.status == Status.PUBLISHED:
            _withdraw_published(example, actor=actor, reason=reason, because="consent_withdrawn")
        else:
            transition(example, to=Status.DRAFT, actor=actor, payload={"because": "consent_withdrawn"})
    for credit in (
        ExampleCredit.objects.select_for_update()
        .filter(membership=membership, status=CreditStatus.AGREED)
        .order_by("pk")
    ):
        credit.credit_name = ""
        transition(
            credit,
            to=CreditStatus.WITHDRAWN,
            actor=actor,
            payload={"because": "consent_withdrawn"},
            extra_update_fields=["credit_name"],
        )
    if examples:
        _email_withdrawn(examples, why=f"A consent these examples rested on was withdrawn on {_day(on)}.")
    return examples


# --- Questions between partnerships ---------------------------------------------------------------------------------


@transaction.atomic
def question_ask(*, actor: User, example_id: int, text: str) -> ExampleQuestion:
    """Staff ask the partnership that published an example a question (not their own partnership's examples)."""
    require(actor, ASK_QUESTION)
    example = get_object_or_404(
        Example.objects.select_for_update(of=("self",)).filter(status=Status.PUBLISHED).select_related("partnership"),
        pk=example_id,
    )
    require(actor, ASK_QUESTION, example)
    if example.partnership_id == actor.partnership.pk:
        raise ApplicationError(
            "This is your own partnership's example: ask your colleagues directly.", extra={"field": "text"}
        )
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "Enter your question."})
    if len(text) > MAX_QUESTION:
        raise ValidationError({"text": f"Your question must be {MAX_QUESTION} characters or fewer."})
    asking: Partnership = actor.partnership
    question = ExampleQuestion(partnership=asking, example=example, asked_by=actor, text=text)
    question.full_clean()
    question.save()
    audit_record(
        actor=actor,
        partnership=asking,
        subject=question,
        event_type="examplequestion.asked",
        payload={"example": example.pk, "publisher": example.partnership_id},
    )
    link = _site_link("library_question_answer", question.pk, fallback=f"/library/questions/{question.pk}/answer/")
    body = (
        f"Someone from {asking.name} asked a question about your library example “{example.title}”:\n\n"
        f"{text}\n\nAnswer it in Young Scrutineers:\n{link}"
    )
    _email(
        [user.email for user in _editors(example.partnership_id)],
        subject="A question about your library example",
        body=body,
    )
    return question


@transaction.atomic
def question_answer(*, actor: User, question_id: int, answer: str) -> ExampleQuestion:
    """The publishing partnership answers; the person who asked is emailed the answer."""
    require(actor, ANSWER_QUESTION)
    partnership = actor.partnership
    question = get_object_or_404(
        ExampleQuestion.objects.select_for_update(of=("self",))
        .filter(Q(partnership=partnership) | Q(example__partnership=partnership))
        .select_related("example", "example__partnership"),
        pk=question_id,
    )
    example = question.example
    require(actor, ANSWER_QUESTION, example)
    if example.status != Status.PUBLISHED:
        raise ApplicationError(
            "This example is no longer published, so its questions cannot be answered through the library.",
            extra={"field": "answer"},
        )
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": "Enter your answer."})
    if len(answer) > MAX_ANSWER:
        raise ValidationError({"answer": f"Your answer must be {MAX_ANSWER} characters or fewer."})
    was_answered = bool(question.answered_at)
    question.answer = answer
    question.answered_by = actor
    question.answered_at = timezone.now()
    question.full_clean()
    question.save(update_fields=["answer", "answered_by", "answered_at"])
    audit_record(
        actor=actor,
        partnership=partnership,
        subject=question,
        event_type="examplequestion.answered",
        payload={"example": example.pk, "changed_answer": was_answered},
    )
    asker = User.objects.filter(pk=question.asked_by_id, is_active=True).first() if question.asked_by_id else None
    if asker is not None:
        link = _site_link("library_questions", fallback="/library/questions/")
        _email(
            [asker.email],
            subject="Your question about a library example was answered",
            body=f"{example.partnership.name} answered your question about “{example.title}”.\n\n"
            f"You asked:\n{question.text}\n\nTheir answer:\n{answer}\n\nSee it in Young Scrutineers:\n{link}",
        )
    return question
