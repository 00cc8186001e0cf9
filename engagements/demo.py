"""Demo data for engagements (North Shire): opportunity defaults, a published section 11 panel with a confirmed
place, a focus group with expressions of interest waiting for a decision, and a past deep dive that Amara
attended, logged time for (waiting for approval) and wrote a blog about.

Everything goes through the services, as a real partnership's data would. The one exception is history: an
engagement can only be confirmed before it starts, so the past deep dive is set up in the future and then moved
back in time with a queryset update, which only demo data ever does.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.tenancy import act_in
from engagements.models import Engagement, Interest, OpportunityType, PayBasis, Section11Standard
from participants.models import Membership, Partnership


def _at(days: int, hour: int, minute: int = 0) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def _next_weekday(days: int, hour: int, weekday: int) -> datetime.datetime:
    """The first day on or after `days` from today that falls on `weekday` (0 = Monday), at `hour`."""
    start = _at(days, hour)
    return start + datetime.timedelta(days=(weekday - start.weekday()) % 7)


def seed_engagements(partnership: Partnership) -> None:
    from engagements.services.attendance import attendance_mark
    from engagements.services.opportunities import (
        engagement_create,
        engagement_publish,
        engagement_update,
        opportunity_type_setting_save,
    )
    from engagements.services.outputs import output_create
    from engagements.services.selection import interest_express, place_confirm
    from engagements.services.work_logs import work_log_save_draft, work_log_submit
    from safeguarding.services.risk import (
        risk_assessment_approve,
        risk_assessment_create,
        risk_assessment_submit,
        risk_template_save,
    )

    def person(email: str) -> Membership:
        return Membership.objects.select_related("user").get(partnership=partnership, user__email=email)

    worker = person("sam.patel@north-shire.example").user
    lead = person("helen.ward@north-shire.example").user
    amara, kai, leah = (person(f"{n}@north-shire.example") for n in ("amara", "kai.brown", "leah.nowak"))
    for user in (worker, lead, amara.user, kai.user, leah.user):
        act_in(user, partnership)

    for kind, basis, note, prep, notes in (
        (
            OpportunityType.SECTION_11_PANEL,
            PayBasis.HOURLY,
            "Paid by the hour for the panel and your preparation, plus travel.",
            60,
            "You will read a short summary of what the agency told us, and help write the questions. A worker "
            "sits with you all the time. You can take a break whenever you need one.",
        ),
        (
            OpportunityType.FOCUS_GROUP,
            PayBasis.SESSION,
            "A session fee, plus travel and lunch.",
            0,
            "A relaxed conversation with other young people. Nobody has to share anything they do not want to.",
        ),
        (
            OpportunityType.DEEP_DIVE,
            PayBasis.HOURLY,
            "Paid by the hour, including reading time.",
            90,
            "We look closely at a few real (anonymous) cases with the partnership's practitioners.",
        ),
    ):
        opportunity_type_setting_save(
            actor=worker,
            opportunity_type=kind,
            pay_basis=basis,
            pay_note=note,
            is_filmed=False,
            preparation_minutes=prep,
            briefing_notes=notes,
        )

    # The section 11 panel the safeguarding demo set up: described, and published.
    panel = Engagement.objects.get(partnership=partnership, opportunity_type=OpportunityType.SECTION_11_PANEL)
    engagement_update(
        actor=worker,
        engagement_id=panel.pk,
        topic="How the police keep children safe when they go missing",
        commissioned_by="Dr Tom Hughes, Independent Scrutineer",
        description=(
            "North Shire Police will tell the panel what they do when a child goes missing from home or care. "
            "You will ask them questions about what young people need, and check their answers against the "
            "section 11 standards."
        ),
        preparation_minutes=60,
        places=4,
        content_warning="We will talk about children going missing and about exploitation.",
        agencies_under_review=["North Shire Police"],
        section_11_standards=[Section11Standard.CHILDRENS_VIEWS.value, Section11Standard.INTERAGENCY.value],
    )
    engagement_publish(actor=worker, engagement_id=panel.pk)

    # A focus group with interest waiting for a decision (its risk assessment is not approved yet, so the
    # selection page shows the worker why nobody can be confirmed).
    starts = _next_weekday(15, 11, weekday=5)
    group = engagement_create(
        actor=worker,
        title="Focus group: feeling safe online",
        opportunity_type=OpportunityType.FOCUS_GROUP,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Northtown Youth Hub, upstairs room",
        staff_lead_id=worker.pk,
        topic="Online safety",
        commissioned_by="The partnership's online safety task group",
        description="Tell us what makes you feel safe or unsafe online, and what adults get wrong about it.",
        places=8,
    )
    engagement_publish(actor=worker, engagement_id=group.pk)
    interest_express(actor=kai.user, engagement_id=group.pk, note="I run my school's online safety club.")
    interest_express(actor=leah.user, engagement_id=group.pk)

    # A deep dive Amara took part in last week: confirmed, attended, time logged, a blog written.
    starts = _next_weekday(3, 16, weekday=2)
    dive = engagement_create(
        actor=worker,
        title="Deep dive: school exclusions",
        opportunity_type=OpportunityType.DEEP_DIVE,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="County Hall, room 2.14",
        staff_lead_id=worker.pk,
        topic="Children excluded from school",
        description="We look at what happened to four children who were excluded from school, and what helped.",
        preparation_minutes=90,
        places=3,
    )
    risk_template_save(
        actor=lead,
        opportunity_type=OpportunityType.DEEP_DIVE,
        hazards=[
            {
                "hazard": "Case details are upsetting or close to home",
                "control": "Cases are anonymised and summarised; a worker checks in during and after; a debrief.",
            }
        ],
    )
    assessment = risk_assessment_create(actor=worker, engagement_id=dive.pk)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    risk_assessment_approve(actor=lead, assessment_id=assessment.pk)
    engagement_publish(actor=worker, engagement_id=dive.pk)
    interest = interest_express(actor=amara.user, engagement_id=dive.pk, note="I was excluded in year 9.")
    place_confirm(actor=worker, interest_id=interest.pk)
    past = _next_weekday(-10, 16, weekday=2)
    Engagement.objects.filter(pk=dive.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    Interest.objects.filter(pk=interest.pk).update(created_at=past - datetime.timedelta(days=7))
    attendance_mark(actor=worker, engagement_id=dive.pk, membership_id=amara.pk, status="present")
    log = work_log_save_draft(
        actor=amara.user,
        engagement_id=dive.pk,
        preparation_minutes=75,
        session_minutes=120,
        travel_minutes=40,
        note="I read the case summaries on the bus.",
    )
    work_log_submit(actor=amara.user, work_log_id=log.pk)
    output_create(
        actor=worker,
        engagement_id=dive.pk,
        title="What young people told us about school exclusions",
        kind="blog",
        summary="Amara's blog about the deep dive, for the partnership's website.",
        contributor_ids=[amara.pk],
    )


def seed_feedback(partnership: Partnership) -> None:
    """The feedback loop for the deep dive Amara took part in: three recommendations in her words, the scrutiny
    lead's responses (one accepted and under way, one done with evidence, one not accepted with the reason), a
    larger result grouping two of them, and the public "you said, we did" page switched on."""
    from engagements.services.feedback import (
        evidence_add,
        feedback_settings_update,
        recommendation_create,
        response_record,
        response_update,
        result_create,
        timeline_entry_add,
    )

    def person(email: str) -> Membership:
        return Membership.objects.select_related("user").get(partnership=partnership, user__email=email)

    worker = person("sam.patel@north-shire.example").user
    scrutiny = person("tom.hughes@north-shire.example").user
    amara = person("amara@north-shire.example")
    for user in (worker, scrutiny):
        act_in(user, partnership)
    dive = Engagement.objects.get(partnership=partnership, title="Deep dive: school exclusions")
    today = timezone.localdate()

    result = result_create(
        actor=scrutiny,
        title="Children out of school are not forgotten",
        description="What the partnership is doing about children who are excluded from school.",
    )
    heard = recommendation_create(
        actor=worker,
        engagement_id=dive.pk,
        text="Before a school excludes someone, ask them what is going on at home. Nobody asked me.",
        theme="Being listened to",
        agency="Schools and the education service",
        contributors=[(amara.pk, False)],
        result_id=result.pk,
        weight=2,
        is_public=True,
    )
    contact = recommendation_create(
        actor=worker,
        engagement_id=dive.pk,
        text="Give every excluded young person one named adult who rings them in the first week.",
        theme="Support after exclusion",
        agency="The virtual school",
        contributors=[(amara.pk, True)],
        result_id=result.pk,
        is_public=True,
    )
    taxis = recommendation_create(
        actor=worker,
        engagement_id=dive.pk,
        text="Pay for taxis to alternative provision so nobody has to take three buses.",
        theme="Getting there",
        agency="Home to school transport",
        contributors=[(amara.pk, False)],
    )

    response = response_record(
        actor=scrutiny,
        recommendation_id=heard.pk,
        owner_agency="Schools and the education service",
        owner_name="Mark Evans, head of inclusion",
        owner_email="mark.evans@north-shire-council.example",
        decision="accepted",
        due_on=today + datetime.timedelta(days=60),
        happened_on=today - datetime.timedelta(days=6),
    )
    response_update(
        actor=scrutiny,
        response_id=response.pk,
        changes={"status": "in_progress", "progress": 40},
        happened_on=today - datetime.timedelta(days=3),
        note="Head teachers agreed to add a 'what is going on at home?' conversation to the exclusion checklist.",
    )
    timeline_entry_add(
        actor=scrutiny,
        response_id=response.pk,
        text="The new checklist is being tried in four secondary schools this term.",
        happened_on=today - datetime.timedelta(days=1),
    )

    response = response_record(
        actor=scrutiny,
        recommendation_id=contact.pk,
        owner_agency="The virtual school",
        owner_name="Grace Lee, virtual school head",
        decision="accepted",
        due_on=today - datetime.timedelta(days=2),
        happened_on=today - datetime.timedelta(days=5),
    )
    response_update(
        actor=scrutiny,
        response_id=response.pk,
        changes={"status": "done"},
        note="Every young person excluded since September has had a call from a named adult within five days.",
    )
    evidence_add(
        actor=scrutiny,
        response_id=response.pk,
        title="Virtual school report to the partnership board",
        link="https://north-shire.example/virtual-school-report",
    )

    response_record(
        actor=scrutiny,
        recommendation_id=taxis.pk,
        owner_agency="Home to school transport",
        owner_name="Chris Moore, transport manager",
        decision="not_accepted",
        decision_reason=(
            "The council cannot pay for taxis for everyone. Instead, bus passes now cover every route to "
            "alternative provision, and a worker plans the journey with each young person."
        ),
        due_on=today + datetime.timedelta(days=30),
    )
    feedback_settings_update(
        actor=scrutiny,
        public_page=True,
        public_intro="What young people in North Shire told us, and what we did about it.",
    )
