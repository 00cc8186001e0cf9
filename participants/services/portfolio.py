"""Writes for the portfolio: the partnership's skill list, skill claims (claimed -> confirmed / not confirmed by a
worker) and reference letters (requested as a draft written from confirmed records only, then signed off by a
worker, after which the text never changes)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from core.audit import audit_record
from core.exceptions import ApplicationError
from core.permissions import require
from core.workflows import transition
from participants.models import ReferenceLetter, Skill, SkillClaim, User
from participants.selectors.portfolio import Portfolio, format_hours, own_membership, portfolio_for

# --- The skill list ------------------------------------------------------------------------------------------------


@transaction.atomic
def skill_create(*, actor: User, name: str, description: str = "") -> Skill:
    require(actor, "participants.change_skill")
    name = name.strip()
    if Skill.objects.filter(partnership=actor.partnership, name__iexact=name).exists():
        raise ApplicationError(f"The list already has a skill called {name}.", extra={"field": "name"})
    skill = Skill(partnership=actor.partnership, name=name, description=description.strip())
    skill.full_clean()
    skill.save()
    audit_record(actor=actor, partnership=skill.partnership, subject=skill, event_type="skill.created")
    return skill


@transaction.atomic
def skill_set_active(*, actor: User, skill_id: int, is_active: bool) -> Skill:
    """Take a skill off the list (existing claims keep it) or put it back."""
    require(actor, "participants.change_skill")
    skill = get_object_or_404(Skill.objects.select_for_update().filter(partnership=actor.partnership), pk=skill_id)
    require(actor, "participants.change_skill", skill)
    if skill.is_active != is_active:
        skill.is_active = is_active
        skill.full_clean()
        skill.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            partnership=skill.partnership,
            subject=skill,
            event_type="skill.activated" if is_active else "skill.deactivated",
        )
    return skill


# --- Skill claims --------------------------------------------------------------------------------------------------


@transaction.atomic
def skill_claim_create(*, actor: User, skill_id: int, example: str) -> SkillClaim:
    require(actor, "participants.claim_skill")
    membership = own_membership(actor)
    skill = Skill.objects.filter(partnership=actor.partnership, is_active=True, pk=skill_id).first()
    if skill is None:
        raise ApplicationError("Choose a skill from the list.", extra={"field": "skill"})
    example = example.strip()
    if not example:
        raise ValidationError({"example": "Say when you showed this skill, in your own words."})
    if SkillClaim.objects.filter(membership=membership, skill=skill).exists():
        raise ApplicationError(f"You have already added {skill.name}.", extra={"field": "skill"})
    claim = SkillClaim(partnership=membership.partnership, membership=membership, skill=skill, example=example)
    claim.full_clean()
    try:
        with transaction.atomic():
            claim.save()
    except IntegrityError as error:  # two submissions at once
        raise ApplicationError(f"You have already added {skill.name}.", extra={"field": "skill"}) from error
    audit_record(
        actor=actor,
        partnership=claim.partnership,
        subject=claim,
        event_type="skillclaim.created",
        payload={"skill": skill.name},
    )
    return claim


def _decide_claim(*, actor: User, claim_id: int, to: str, reason: str = "") -> SkillClaim:
    claim = get_object_or_404(SkillClaim.objects.select_for_update().filter(partnership=actor.partnership), pk=claim_id)
    require(actor, "participants.confirm_skill", claim)
    if claim.membership.user_id == actor.pk:
        raise ApplicationError("Someone else must confirm your own skills.")
    extra: list[str] = []
    if to == SkillClaim.Status.CONFIRMED:
        claim.confirmed_by = actor
        claim.confirmed_at = timezone.now()
        extra = ["confirmed_by", "confirmed_at"]
    payload = {"reason": reason.strip()} if reason.strip() else {}
    transition(claim, to=to, actor=actor, payload=payload, extra_update_fields=extra)
    return claim


@transaction.atomic
def skill_claim_confirm(*, actor: User, claim_id: int) -> SkillClaim:
    return _decide_claim(actor=actor, claim_id=claim_id, to=SkillClaim.Status.CONFIRMED)


@transaction.atomic
def skill_claim_not_confirm(*, actor: User, claim_id: int, reason: str = "") -> SkillClaim:
    return _decide_claim(actor=actor, claim_id=claim_id, to=SkillClaim.Status.NOT_CONFIRMED, reason=reason)


# --- Reference letters ---------------------------------------------------------------------------------------------


def _list(items: list[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def reference_letter_text(portfolio: Portfolio) -> str:
    """The letter's text, from confirmed records only: attended engagements with hours, completed training,
    confirmed skills and roles. Plain paragraphs separated by blank lines."""
    person = portfolio.membership.user
    partnership = portfolio.membership.partnership
    first = person.get_short_name()
    paragraphs: list[str] = []
    roles = portfolio.roles
    since = f"{roles[0].since:%-d %B %Y}" if roles else ""
    role_names = _list([role.label.lower() for role in roles]) or "member"
    paragraphs.append(
        f"{person.full_name} has been a {role_names} with {partnership.name} since {since}. Young scrutineers "
        "look at how well local services keep children and young people safe, and help leaders do better."
    )
    if portfolio.engagements:
        kinds = _list([f"{row.label} ({row.hours})" for row in portfolio.hours_by_kind])
        count = len(portfolio.engagements)
        paragraphs.append(
            f"From our records, {first} has taken part in {count} engagement{'s' if count != 1 else ''}, "
            f"{portfolio.total_hours} in total: {kinds}."
        )
        recent = "; ".join(f"{e.title}, {e.starts_at:%-d %B %Y} ({e.hours})" for e in portfolio.engagements[:10])
        paragraphs.append(f"These include: {recent}.")
    if portfolio.training:
        modules = _list([f"{t.module_title} ({t.completed_on:%B %Y})" for t in portfolio.training])
        paragraphs.append(f"{first} has completed this training with us: {modules}.")
    if portfolio.skills:
        skills = _list([skill.name for skill in portfolio.skills])
        paragraphs.append(f"A participation worker has seen {first} show these skills: {skills}.")
    paragraphs.append(
        f"Everything in this letter comes from {partnership.name}'s confirmed records. We are happy to recommend "
        f"{first}."
    )
    return "\n\n".join(paragraphs)


@transaction.atomic
def reference_request(*, actor: User, addressed_to: str = "") -> ReferenceLetter:
    """A young person asks for a letter. Nothing is saved if they have no confirmed work yet."""
    require(actor, "participants.request_reference")
    membership = own_membership(actor)
    portfolio = portfolio_for(actor, membership.pk)
    if missing := portfolio.missing_for_reference():
        raise ApplicationError(
            "We cannot write a reference letter yet: your record has no confirmed work. It needs at least "
            f"{' or '.join(missing)}. Ask your participation worker if you think something is missing.",
            extra={"missing": ["attended_engagement", "completed_training"]},
        )
    letter = ReferenceLetter(
        partnership=membership.partnership,
        membership=membership,
        addressed_to=addressed_to.strip() or "To whom it may concern",
        body=reference_letter_text(portfolio),
    )
    letter.full_clean()
    letter.save()
    audit_record(
        actor=actor,
        partnership=letter.partnership,
        subject=letter,
        event_type="referenceletter.requested",
        payload={"hours": format_hours(portfolio.total_minutes)},
    )
    return letter


@transaction.atomic
def reference_sign_off(*, actor: User, reference_id: int) -> ReferenceLetter:
    """A worker signs the letter off as it was written; from then on its text never changes."""
    letter = get_object_or_404(
        ReferenceLetter.objects.select_for_update().filter(partnership=actor.partnership), pk=reference_id
    )
    require(actor, "participants.sign_off_reference", letter)
    if letter.membership.user_id == actor.pk:
        raise ApplicationError("Someone else must sign off your own reference letter.")
    letter.signed_off_by = actor
    letter.signed_off_at = timezone.now()
    transition(
        letter,
        to=ReferenceLetter.Status.SIGNED_OFF,
        actor=actor,
        extra_update_fields=["signed_off_by", "signed_off_at"],
    )
    return letter
