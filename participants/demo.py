"""The demo data set: two partnerships, each with one person in every role, plus young scrutineers.

Used by `manage.py seed_demo` (and so by `make run`) and documented in docs/demo.md. Every demo login ends in
`.example`, a domain that can never receive mail.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    return created
