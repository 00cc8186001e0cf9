"""Demo data for the shared library (docs/demo.md).

Riverside City publishes an example that North Shire's staff can find in the library: a young inspectors' visit to
the children's emergency department that Jordan, Oscar and Zara took part in, the recommendations they made and what
the hospital changed. Riverside had no engagements of its own in the demo, so the visit is set up here the way a real
partnership's would be: a check on the staff lead, the young people's consents, an approved risk assessment, places
confirmed, attendance marked, recommendations and the scrutiny lead's responses. Chris Evans writes the example up
from those records, reviews every part, asks Jordan whether he wants to be named (he agrees), and sends it for
approval; Ruth Green approves it. Sam Patel of North Shire has asked Riverside a question about it, and Chris has
answered.

North Shire has a draft written from its school exclusions deep dive, waiting for Sam to review it: nothing in it
is reviewed yet, and Amara has been asked whether she wants to be named on it.

Everything goes through the services. As in engagements.demo, the one exception is history: places can only be
confirmed before an engagement starts, so the visit is set up in the future and then moved back in time with a
queryset update, which only demo data ever does.
"""

from __future__ import annotations

import datetime

from django.utils import timezone

from core.tenancy import act_in
from engagements.models import Engagement, Interest, OpportunityType
from library.models import Example, Outcome
from participants.models import Membership, Partnership, User

RIVERSIDE_TITLE = "Young inspectors check how a children's emergency department treats young people"
NORTH_SHIRE_DIVE = "Deep dive: school exclusions"


def _person(partnership: Partnership, email: str) -> Membership:
    """A demo person's membership, with its own User object acting in this partnership (Dr Tom Hughes serves both
    partnerships, so each partnership's code gets its own copy of him)."""
    membership = Membership.objects.select_related("user").get(partnership=partnership, user__email=email)
    act_in(membership.user, partnership)
    return membership


def _at(days: int, hour: int) -> datetime.datetime:
    day = timezone.localdate() + datetime.timedelta(days=days)
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, 0)))


def seed_library() -> None:
    """A published example from Riverside City, with a question from North Shire answered, and a draft in North
    Shire waiting for review. Needs both demo partnerships and North Shire's deep dive (engagements.demo)."""
    riverside = Partnership.objects.get(slug="riverside-city")
    north = Partnership.objects.get(slug="north-shire")
    example = _publish_riverside_example(riverside)
    _question_from_north_shire(north, riverside, example)
    _north_shire_draft(north)


def _riverside_visit(riverside: Partnership) -> tuple[Engagement, dict[str, Membership], User]:
    """A young inspectors' visit that took place two weeks ago, with three young people who attended, their
    recommendations and the scrutiny lead's responses. Returns the visit, the young people and the worker."""
    from engagements.services.attendance import attendance_mark
    from engagements.services.feedback import recommendation_create, response_record, response_update
    from engagements.services.opportunities import engagement_complete, engagement_create, engagement_publish
    from engagements.services.outputs import output_create
    from engagements.services.selection import place_invite
    from safeguarding.services.checks import staff_check_record
    from safeguarding.services.consent import consent_give_own
    from safeguarding.services.risk import (
        risk_assessment_approve,
        risk_assessment_create,
        risk_assessment_submit,
        risk_assessment_update,
        risk_template_save,
    )

    today = timezone.localdate()
    worker = _person(riverside, "chris.evans@riverside.example").user
    lead = _person(riverside, "fatima.khan@riverside.example").user
    scrutiny = _person(riverside, "tom.hughes@north-shire.example").user
    young = {
        name: _person(riverside, email)
        for name, email in (
            ("jordan", "jordan@riverside.example"),
            ("oscar", "oscar.white@riverside.example"),
            ("zara", "zara.hussain@riverside.example"),
        )
    }

    staff_check_record(
        actor=lead,
        membership_id=Membership.objects.get(partnership=riverside, user=worker).pk,
        certificate_number="001987654321",
        issued_on=today - datetime.timedelta(days=400),
        update_service=True,
    )
    for membership in young.values():
        for kind in ("taking_part", "emergency_medical", "media"):
            consent_give_own(actor=membership.user, consent_type=kind, give=True)
    risk_template_save(
        actor=lead,
        opportunity_type=OpportunityType.YOUNG_INSPECTOR_VISIT,
        hazards=[
            {
                "hazard": "Seeing people who are unwell or hurt, or hearing upsetting things",
                "control": "The visit avoids treatment areas; a worker stays with the group; a debrief afterwards.",
            },
            {
                "hazard": "Getting lost or separated in a busy hospital",
                "control": "Meet at the main entrance; a named member of hospital staff guides the group throughout.",
            },
        ],
    )

    starts = _at(9, 16)
    visit = engagement_create(
        actor=worker,
        title="Young inspectors visit: Riverside General children's emergency department",
        opportunity_type=OpportunityType.YOUNG_INSPECTOR_VISIT,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Riverside General Hospital, main entrance",
        staff_lead_id=worker.pk,
        topic="How young people are treated in the hospital's emergency department",
        commissioned_by="Riverside City health partners",
        description=(
            "Walk through the children's emergency department as a young patient would, and tell the hospital "
            "what works and what does not."
        ),
        preparation_minutes=60,
        places=4,
    )
    assessment = risk_assessment_create(actor=worker, engagement_id=visit.pk)
    risk_assessment_update(actor=worker, assessment_id=assessment.pk, staff_count=2, young_people_count=4)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    risk_assessment_approve(actor=lead, assessment_id=assessment.pk)
    engagement_publish(actor=worker, engagement_id=visit.pk)
    for membership in young.values():
        place_invite(actor=worker, engagement_id=visit.pk, membership_id=membership.pk, acknowledge_load=True)

    past = _at(-14, 16)
    Engagement.objects.filter(pk=visit.pk).update(starts_at=past, ends_at=past + datetime.timedelta(hours=2))
    Interest.objects.filter(engagement=visit).update(created_at=past - datetime.timedelta(days=10))
    for membership in young.values():
        attendance_mark(actor=worker, engagement_id=visit.pk, membership_id=membership.pk, status="present")
    engagement_complete(actor=worker, engagement_id=visit.pk)
    output_create(
        actor=worker,
        engagement_id=visit.pk,
        title="Our visit to the children's emergency department",
        kind="report",
        summary="The young inspectors' report to the hospital, in their own words.",
        link="https://riverside.example/young-inspectors/emergency-department",
        contributor_ids=[young["jordan"].pk, young["zara"].pk],
    )

    waiting = recommendation_create(
        actor=worker,
        engagement_id=visit.pk,
        text="Tell young people how long they will wait, and keep telling them. Nobody knows if they are forgotten.",
        theme="Waiting",
        agency="Riverside General Hospital",
        contributors=[(young["jordan"].pk, False), (young["zara"].pk, False)],
    )
    talk = recommendation_create(
        actor=worker,
        engagement_id=visit.pk,
        text="Doctors and nurses should talk to the young person, not only to the adult with them.",
        theme="Being listened to",
        agency="Riverside General Hospital",
        contributors=[(young["oscar"].pk, False), (young["zara"].pk, True)],
    )
    response = response_record(
        actor=scrutiny,
        recommendation_id=waiting.pk,
        owner_agency="Riverside General Hospital",
        owner_name="Nadia Osei, children's emergency department matron",
        decision="accepted",
        happened_on=today - datetime.timedelta(days=10),
    )
    response_update(
        actor=scrutiny,
        response_id=response.pk,
        changes={"status": "done"},
        happened_on=today - datetime.timedelta(days=3),
        note="A screen in the children's waiting area now shows the expected wait, updated every 15 minutes.",
    )
    response = response_record(
        actor=scrutiny,
        recommendation_id=talk.pk,
        owner_agency="Riverside General Hospital",
        owner_name="Nadia Osei, children's emergency department matron",
        decision="accepted",
        happened_on=today - datetime.timedelta(days=10),
    )
    response_update(
        actor=scrutiny,
        response_id=response.pk,
        changes={"status": "in_progress", "progress": 50},
        happened_on=today - datetime.timedelta(days=2),
        note="Half of the department's nurses have done the hospital's new 'talk to me' training.",
    )
    return visit, young, worker


def _publish_riverside_example(riverside: Partnership) -> Example:
    from library.services import (
        credit_answer,
        credit_ask,
        example_approve,
        example_draft,
        example_review,
        example_submit,
        example_update,
    )

    visit, young, worker = _riverside_visit(riverside)
    approver = _person(riverside, "ruth.green@riverside.example").user
    example = example_draft(actor=worker, engagement_ids=[visit.pk])
    output_ids = list(visit.outputs.values_list("pk", flat=True))
    example_update(
        actor=worker,
        example_id=example.pk,
        title=RIVERSIDE_TITLE,
        topic="Hospital emergency departments",
        recruitment=(
            "We asked our young scrutineers' group, who had told us that hospitals were one of the places they felt "
            "least listened to, and those who wanted to take part volunteered."
        ),
        support=(
            "An hour's paid preparation with our youth voice lead: what a young inspector does, what to look for and "
            "how to give feedback. A worker stayed with the group during the visit, which avoided treatment areas, "
            "and there was a debrief afterwards."
        ),
        recommended=(
            "1. Tell young people how long they will wait, and keep telling them.\n"
            "2. Doctors and nurses should talk to the young person, not only to the adult with them."
        ),
        changed=(
            "1. A screen in the children's waiting area now shows the expected wait, updated every 15 minutes.\n"
            "2. The department's nurses are doing the hospital's new 'talk to me' training: half have done it."
        ),
        outcome=Outcome.PRACTICE_CHANGED,
        young_people_count=None,  # three took part: fewer than 5, so the number is not shown
        output_ids=output_ids,
    )
    example_review(actor=worker, example_id=example.pk, fields=list(Example.TEXT_FIELDS))
    jordan = young["jordan"]
    credit = credit_ask(actor=worker, example_id=example.pk, membership_id=jordan.pk)
    credit_answer(actor=jordan.user, credit_id=credit.pk, agree=True, credit_name="Jordan")
    example_submit(actor=worker, example_id=example.pk)
    return example_approve(actor=approver, example_id=example.pk)


def _question_from_north_shire(north: Partnership, riverside: Partnership, example: Example) -> None:
    from library.services import question_answer, question_ask

    asker = _person(north, "sam.patel@north-shire.example").user
    answerer = _person(riverside, "chris.evans@riverside.example").user
    question = question_ask(
        actor=asker,
        example_id=example.pk,
        text="How did you get the hospital to agree to a visit? We would like to try this at North Shire General.",
    )
    question_answer(
        actor=answerer,
        question_id=question.pk,
        answer=(
            "Our partnership's health lead asked the matron, who was keen: the hospital wanted young patients' "
            "views for its inspection. We agreed the route with her beforehand so the group never went near "
            "treatment areas. Happy to talk it through."
        ),
    )


def _north_shire_draft(north: Partnership) -> Example:
    """A draft from the school exclusions deep dive as it was written from the records: nothing reviewed yet, and
    Amara asked whether she wants to be named."""
    from library.services import credit_ask, example_draft

    worker = _person(north, "sam.patel@north-shire.example").user
    amara = _person(north, "amara@north-shire.example")
    dive = Engagement.objects.get(partnership=north, title=NORTH_SHIRE_DIVE)
    example = example_draft(actor=worker, engagement_ids=[dive.pk])
    credit_ask(actor=worker, example_id=example.pk, membership_id=amara.pk)
    return example
