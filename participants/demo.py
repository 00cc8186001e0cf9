"""The demo data set: two partnerships, each with one person in every role, plus young scrutineers.

Used by `manage.py seed_demo` (and so by `make run`) and documented in docs/demo.md. Every demo login ends in
`.example`, a domain that can never receive mail.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from allauth.mfa.totp.internal.auth import TOTP
from django.db import transaction

from core.tenancy import act_in
from participants.models import STAFF_ROLES, Membership, Partnership, Role, User
from participants.services import membership_create, membership_suspend, partnership_create

DEMO_PASSWORD = "scrutiny-demo-2026"  # noqa: S105 - documented demo credential, local use only
# One documented TOTP secret for every demo staff account, so a tester can add it to an authenticator app once.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105


@dataclass(frozen=True)
class DemoPerson:
    email: str
    full_name: str
    roles: tuple[str, ...]
    job_title: str = ""
    preferred_name: str = ""


PARTNERSHIPS = [
    {
        "name": "North Shire Safeguarding Children Partnership",
        "slug": "north-shire",
        "area": "North Shire County Council",
        "contact_email": "lscp@north-shire.example",
        "employs_young_people": True,
        "people": [
            DemoPerson("amara@north-shire.example", "Amara Okafor", (Role.YOUNG_PERSON,), preferred_name="Amara"),
            DemoPerson(
                "sam.patel@north-shire.example",
                "Sam Patel",
                (Role.PARTICIPATION_WORKER,),
                "Participation and engagement worker",
            ),
            DemoPerson(
                "helen.ward@north-shire.example",
                "Helen Ward",
                (Role.SAFEGUARDING_LEAD,),
                "Designated safeguarding lead",
            ),
            DemoPerson("priya.shah@north-shire.example", "Priya Shah", (Role.FINANCE_OFFICER,), "Finance officer"),
            # A second finance officer: a payment batch is approved by someone other than whoever built it.
            DemoPerson("dan.cole@north-shire.example", "Dan Cole", (Role.FINANCE_OFFICER,), "Senior finance officer"),
            DemoPerson(
                "joanne.reid@north-shire.example",
                "Joanne Reid",
                (Role.PARTNERSHIP_ADMIN,),
                "Partnership business manager",
            ),
            DemoPerson(
                "tom.hughes@north-shire.example",
                "Dr Tom Hughes",
                (Role.SCRUTINY_LEAD,),
                "Independent Scrutineer",
            ),
            DemoPerson("kai.brown@north-shire.example", "Kai Brown", (Role.YOUNG_PERSON,), preferred_name="Kai"),
            DemoPerson("leah.nowak@north-shire.example", "Leah Nowak", (Role.YOUNG_PERSON,)),
            DemoPerson("yusuf.ali@north-shire.example", "Yusuf Ali", (Role.YOUNG_PERSON,)),
            DemoPerson("ellie.jones@north-shire.example", "Ellie Jones", (Role.YOUNG_PERSON,)),
            DemoPerson("finn.taylor@north-shire.example", "Finn Taylor", (Role.YOUNG_PERSON,)),
        ],
        "leaver": "finn.taylor@north-shire.example",
    },
    {
        "name": "Riverside City Safeguarding Children Partnership",
        "slug": "riverside-city",
        "area": "Riverside City Council",
        "contact_email": "safeguarding.partnership@riverside.example",
        "employs_young_people": False,
        "people": [
            DemoPerson("jordan@riverside.example", "Jordan Mensah", (Role.YOUNG_PERSON,), preferred_name="Jordan"),
            DemoPerson(
                "chris.evans@riverside.example",
                "Chris Evans",
                (Role.PARTICIPATION_WORKER,),
                "Youth voice lead",
            ),
            DemoPerson("fatima.khan@riverside.example", "Fatima Khan", (Role.SAFEGUARDING_LEAD,), "Safeguarding lead"),
            DemoPerson("mark.lee@riverside.example", "Mark Lee", (Role.FINANCE_OFFICER,), "Council finance officer"),
            DemoPerson("ruth.green@riverside.example", "Ruth Green", (Role.PARTNERSHIP_ADMIN,), "Partnership manager"),
            # The same Independent Scrutineer serves both partnerships: one login, two partnerships.
            DemoPerson(
                "tom.hughes@north-shire.example",
                "Dr Tom Hughes",
                (Role.SCRUTINY_LEAD,),
                "Independent Scrutineer",
            ),
            DemoPerson("mia.roberts@riverside.example", "Mia Roberts", (Role.YOUNG_PERSON,)),
            DemoPerson("oscar.white@riverside.example", "Oscar White", (Role.YOUNG_PERSON,)),
            DemoPerson("zara.hussain@riverside.example", "Zara Hussain", (Role.YOUNG_PERSON,)),
        ],
        "leaver": None,
    },
]


def demo_people() -> list[tuple[str, DemoPerson]]:
    return [(str(spec["slug"]), person) for spec in PARTNERSHIPS for person in spec["people"]]  # type: ignore[attr-defined]


@transaction.atomic
def seed_demo() -> list[Partnership]:
    created: list[Partnership] = []
    for spec in PARTNERSHIPS:
        partnership = partnership_create(
            name=spec["name"],  # type: ignore[arg-type]
            slug=spec["slug"],  # type: ignore[arg-type]
            area=spec["area"],  # type: ignore[arg-type]
            contact_email=spec["contact_email"],  # type: ignore[arg-type]
            employs_young_people=spec["employs_young_people"],  # type: ignore[arg-type]
        )
        created.append(partnership)
        admin: User | None = None
        for person in spec["people"]:  # type: ignore[attr-defined]
            membership = membership_create(
                actor=admin,
                partnership=partnership,
                email=person.email,
                full_name=person.full_name,
                preferred_name=person.preferred_name,
                roles=person.roles,
                job_title=person.job_title,
                email_verified=True,
            )
            user = membership.user
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if Role.PARTNERSHIP_ADMIN in person.roles:
                admin = user
                act_in(admin, partnership)
            is_staff = bool(membership.roles & STAFF_ROLES)
            if is_staff and not Authenticator.objects.filter(user=user, type=Authenticator.Type.TOTP).exists():
                TOTP.activate(user, DEMO_TOTP_SECRET)
                RecoveryCodes.activate(user)
        if spec["leaver"] and admin is not None:
            leaver = Membership.objects.get(partnership=partnership, user__email=spec["leaver"])
            membership_suspend(actor=admin, membership_id=leaver.pk, reason="Moved away for university.")
        if spec["slug"] == "north-shire" and admin is not None:
            worker = Membership.objects.get(partnership=partnership, is_participation_worker=True).user
            seed_recruitment(partnership, worker, admin)
        if spec["slug"] == "north-shire":
            seed_training_and_support(partnership)
        seed_safeguarding(partnership)
        if spec["slug"] == "north-shire":
            from engagements.demo import seed_engagements, seed_feedback

            seed_engagements(partnership)
            seed_feedback(partnership)
            from payments.demo import seed_payments

            seed_payments(partnership)
            seed_data_request(partnership)
    from library.demo import seed_library  # both partnerships: one publishes, the other finds it

    seed_library()
    return created


# --- Recruitment demo: a live intake in North Shire -------------------------------------------------------------


def seed_recruitment(partnership: Partnership, worker: User, admin: User) -> None:
    """An open round with questions, outreach links and interview times, and applications at every stage."""
    import datetime

    from django.utils import timezone

    from participants.models import Application, OnboardingItem, OutreachChannel
    from participants.services import recruitment as rec
    from participants.services.onboarding import onboarding_create_for
    from participants.tokens import make_token

    today = timezone.localdate()
    act_in(worker, partnership)
    act_in(admin, partnership)
    round_ = rec.round_create(
        actor=worker,
        title="Young Scrutineers 2027 intake",
        description=(
            "Help us check how well children and young people in North Shire are kept safe. You will sit on "
            "panels with senior leaders, visit services, run focus groups with other young people and help "
            "write the young people's version of our annual report. It is paid, it fits around school or "
            "college, and you get training and support."
        ),
        opens_on=today - datetime.timedelta(days=14),
        closes_on=today + datetime.timedelta(days=28),
        places=8,
        min_age=13,
        max_age=21,
        is_published=True,
        next_round_opens_on=today + datetime.timedelta(days=365),
    )
    questions = [
        rec.round_question_add(actor=worker, round_id=round_.pk, text="Why would you like to be a young scrutineer?",
                               help_text="A few sentences is plenty."),
        rec.round_question_add(actor=worker, round_id=round_.pk, text="What would you change about how adults "
                               "listen to young people?"),
        rec.round_question_add(actor=worker, round_id=round_.pk, text="Can you get to meetings in Northtown after "
                               "school?", kind="yes_no"),
    ]  # fmt: skip
    links: dict[str, Any] = {
        str(channel): rec.outreach_link_create(actor=worker, round_id=round_.pk, channel=channel, label=label)
        for channel, label in [
            (OutreachChannel.SCHOOLS_COLLEGES, "North Shire College newsletter"),
            (OutreachChannel.CHILDREN_IN_CARE_COUNCIL, "Children in care council"),
            (OutreachChannel.YOUTH_COUNCIL, "Youth council meeting"),
        ]
    }
    for days in (10, 11, 12):
        starts = timezone.now().replace(hour=16, minute=0, second=0, microsecond=0) + datetime.timedelta(days=days)
        rec.interview_slot_add(
            actor=worker,
            round_id=round_.pk,
            starts_at=starts,
            ends_at=starts + datetime.timedelta(minutes=30),
            location="Northtown Youth Hub",
        )

    def apply(name: str, email: str, years: int, channel: str | None) -> Application:
        application = rec.application_start(
            round_public_id=round_.public_id,
            full_name=name,
            email=email,
            outreach_code=links[channel].code if channel else None,
        )
        dob = today - datetime.timedelta(days=years * 365 + 40)
        fields = {"date_of_birth": dob, "preferred_name": name.split(" ")[0]}
        if years < 16:
            fields |= {"parent_carer_name": f"Parent of {name}", "parent_carer_email": f"parent.{email}"}
        rec.application_update(
            application_public_id=application.public_id,
            fields=fields,
            answers={
                str(questions[0].pk): "I want adults to really hear what young people say.",
                str(questions[1].pk): "Ask us before deciding, not after.",
                str(questions[2].pk): "yes",
            },
            equality={"gender": "prefer_not_to_say"},
        )
        return rec.application_submit(application_public_id=application.public_id)

    st = Application.Status
    ch = OutreachChannel
    people: list[tuple[str, str, int, str | None, str | None]] = [
        ("Riley Carter", "riley@applicant.example", 15, ch.SCHOOLS_COLLEGES, None),
        ("Maya Singh", "maya@applicant.example", 17, ch.CHILDREN_IN_CARE_COUNCIL, st.SCREENING),
        ("Ethan Price", "ethan@applicant.example", 19, ch.YOUTH_COUNCIL, st.INTERVIEW),
        ("Grace Obi", "grace@applicant.example", 16, None, st.OFFERED),
        ("Noah Clarke", "noah@applicant.example", 18, ch.SCHOOLS_COLLEGES, st.ACCEPTED),
        ("Isla Murray", "isla@applicant.example", 20, ch.YOUTH_COUNCIL, st.UNSUCCESSFUL),
    ]
    paths: dict[str, list[str]] = {
        st.SCREENING: [st.SCREENING],
        st.INTERVIEW: [st.SCREENING, st.INTERVIEW],
        st.OFFERED: [st.SCREENING, st.OFFERED],
        st.ACCEPTED: [st.SCREENING, st.OFFERED],
        st.UNSUCCESSFUL: [st.SCREENING, st.UNSUCCESSFUL],
    }
    criteria = list(round_.criteria.all())
    for name, email, years, channel, stage in people:
        application = apply(name, email, years, channel)
        path = paths.get(stage or "", [])
        for step in path:
            reason = "Lives outside North Shire, so not eligible this time." if step == "unsuccessful" else ""
            rec.application_move(actor=worker, application_id=application.pk, to=step, reason=reason)
        if stage in (Application.Status.INTERVIEW, Application.Status.OFFERED, Application.Status.ACCEPTED):
            for scorer, base in ((worker, 4), (admin, 3)):
                rec.panel_score_set(
                    actor=scorer,
                    application_id=application.pk,
                    scores={c.pk: base for c in criteria},
                    comment="Thoughtful answers.",
                )
        if stage == Application.Status.ACCEPTED:
            rec.application_respond_to_offer(token=make_token("offer", application.public_id), accept=True)

    # Amara joined before the system: give her a checklist, half done, so her home page shows it.
    amara = Membership.objects.get(partnership=partnership, user__email="amara@north-shire.example")
    for item in onboarding_create_for(membership=amara, under_16=False)[:4]:
        item.status = OnboardingItem.Status.DONE
        item.completed_by = worker
        item.completed_at = timezone.now()
        item.save()


# --- Safeguarding demo: profiles, consents, DBS checks, a panel with an approved risk assessment ----------------

DEMO_AGES = {
    "amara@north-shire.example": 17, "kai.brown@north-shire.example": 14, "leah.nowak@north-shire.example": 16,
    "yusuf.ali@north-shire.example": 19, "ellie.jones@north-shire.example": 15, "finn.taylor@north-shire.example": 18,
    "jordan@riverside.example": 18, "mia.roberts@riverside.example": 13, "oscar.white@riverside.example": 20,
    "zara.hussain@riverside.example": 16,
}  # fmt: skip


def seed_safeguarding(partnership: Partnership) -> None:
    import datetime

    from django.utils import timezone

    from engagements.models import OpportunityType
    from engagements.services import engagement_add_attendee, engagement_create
    from participants.models import YoungPersonProfile
    from safeguarding.services.checks import staff_check_record
    from safeguarding.services.consent import consent_give_own
    from safeguarding.services.risk import (
        risk_assessment_approve,
        risk_assessment_create,
        risk_assessment_submit,
        risk_template_save,
    )

    today = timezone.localdate()
    for membership in Membership.objects.filter(partnership=partnership, is_young_person=True).select_related("user"):
        years = DEMO_AGES.get(membership.user.email, 17)
        YoungPersonProfile.objects.get_or_create(
            membership=membership,
            defaults={"partnership": partnership, "date_of_birth": today - datetime.timedelta(days=years * 365 + 100)},
        )
    if partnership.slug != "north-shire":
        return
    lead = Membership.objects.get(partnership=partnership, is_safeguarding_lead=True).user
    worker = Membership.objects.get(partnership=partnership, is_participation_worker=True).user
    amara = Membership.objects.get(partnership=partnership, user__email="amara@north-shire.example")
    for user in (lead, worker):
        act_in(user, partnership)
    for number, staff in enumerate(
        Membership.objects.filter(partnership=partnership).filter(Membership.with_any_staff_role())
    ):
        staff_check_record(
            actor=lead,
            membership_id=staff.pk,
            certificate_number=f"00123456789{number}",
            issued_on=today - datetime.timedelta(days=(200, 500, 1060, 300, 700, 150)[number % 6]),
            update_service=number % 2 == 0,
        )
    act_in(amara.user, partnership)
    for kind in ("taking_part", "emergency_medical", "media"):
        consent_give_own(actor=amara.user, consent_type=kind, give=True)
    starts = (timezone.now() + datetime.timedelta(days=12)).replace(hour=16, minute=30, second=0, microsecond=0)
    panel = engagement_create(
        actor=worker,
        title="Section 11 challenge panel: North Shire Police",
        opportunity_type=OpportunityType.SECTION_11_PANEL,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Police HQ, Northtown, meeting room 4",
        staff_lead_id=worker.pk,
    )
    risk_template_save(
        actor=lead,
        opportunity_type=OpportunityType.SECTION_11_PANEL,
        hazards=[
            {
                "hazard": "Upsetting topics come up (abuse, exploitation)",
                "control": (
                    "Content warning sent beforehand; a worker sits with the young people; a quiet room; a debrief."
                ),
            },
            {
                "hazard": "Travelling home after dark",
                "control": "Finish by 18:30; taxi home paid for anyone who wants one.",
            },
            {
                "hazard": "Senior officers dominate the conversation",
                "control": "The chair briefs the panel on the young people's role; questions prepared in advance.",
            },
        ],
    )
    assessment = risk_assessment_create(actor=worker, engagement_id=panel.pk)
    risk_assessment_submit(actor=worker, assessment_id=assessment.pk)
    risk_assessment_approve(actor=lead, assessment_id=assessment.pk)
    engagement_add_attendee(actor=worker, engagement_id=panel.pk, membership_id=amara.pk)


# --- Training, support and portfolio demo (North Shire) ----------------------------------------------------------


def seed_training_and_support(partnership: Partnership) -> None:
    import datetime

    from django.utils import timezone

    from engagements.models import OpportunityType
    from participants.services.portfolio import skill_claim_confirm, skill_claim_create, skill_create
    from participants.services.support import support_session_create
    from participants.services.training import module_create, record_create, session_create

    worker = Membership.objects.get(partnership=partnership, is_participation_worker=True).user
    amara = Membership.objects.get(partnership=partnership, user__email="amara@north-shire.example")
    act_in(worker, partnership)
    today = timezone.localdate()
    all_types = [str(value) for value in OpportunityType.values]
    modules = {}
    catalogue: list[tuple[str, int, int | None, list[str], str]] = [
        ("Safeguarding basics", 120, 24, all_types, "training.safeguarding_basics"),
        ("What scrutiny is", 90, None, [], "training.what_is_scrutiny"),
        ("Section 11 explained", 90, 36, [str(OpportunityType.SECTION_11_PANEL)], ""),
        ("Confidentiality", 60, None, [], ""),
        ("Interviewing and focus groups", 120, None, [], ""),
        ("Media and consent", 60, None, [], ""),
    ]
    for title, minutes, months, required, key in catalogue:
        modules[title] = module_create(
            actor=worker,
            title=title,
            duration_minutes=minutes,
            validity_months=months,
            required_for=required,
            onboarding_key=key,
        )
    starts = (timezone.now() + datetime.timedelta(days=5)).replace(hour=17, minute=0, second=0, microsecond=0)
    session_create(
        actor=worker,
        module_id=modules["Safeguarding basics"].pk,
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=2),
        location="Northtown Youth Hub",
        trainer="Sam Patel",
    )
    for title, days_ago in (("Safeguarding basics", 300), ("What scrutiny is", 280), ("Section 11 explained", 90)):
        record_create(
            actor=worker,
            membership_id=amara.pk,
            module_id=modules[title].pk,
            completed_on=today - datetime.timedelta(days=days_ago),
        )
    support_session_create(
        actor=worker,
        membership_id=amara.pk,
        kind="one_to_one",
        held_on=today - datetime.timedelta(days=20),
        restricted_notes="Talked about exam stress and how much she can take on this term.",
        agreed="Amara will do one panel a month until her exams finish. Sam checks in after each one.",
    )
    skills = [
        skill_create(actor=worker, name=name)
        for name in (
            "Questioning senior leaders",
            "Chairing a meeting",
            "Presenting to a board",
            "Running a focus group",
        )
    ]
    act_in(amara.user, partnership)
    claim = skill_claim_create(
        actor=amara.user,
        skill_id=skills[0].pk,
        example="I asked the police lead why young people are not told what happens next.",
    )
    skill_claim_confirm(actor=worker, claim_id=claim.pk)


def seed_data_request(partnership: Partnership) -> None:
    """One open access request: Leah asked, from her account, for everything held about her (docs/data-rights.md).
    Workers see it under Data requests with its due date."""
    from participants.services.data_rights import data_request_make

    leah = Membership.objects.get(partnership=partnership, user__email="leah.nowak@north-shire.example").user
    act_in(leah, partnership)
    data_request_make(
        actor=leah,
        kind="access",
        details="I would like a copy of everything you have about me, including what staff wrote.",
    )
