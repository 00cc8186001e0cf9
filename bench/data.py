"""The data generator the benchmarks use: partnerships full of people and audit history, made fast with
bulk_create (the services are exercised by the tests; here we only need volume)."""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db import transaction

from core.models import AuditEvent
from participants.models import Membership, Partnership, Role, User


@transaction.atomic
def generate(*, partnerships: int, people_per_partnership: int, events_per_partnership: int) -> list[Partnership]:
    made = Partnership.objects.bulk_create(
        Partnership(name=f"Bench Partnership {i}", slug=f"bench-{i}", area=f"Area {i}") for i in range(partnerships)
    )
    users = User.objects.bulk_create(
        User(email=f"bench-{p.slug}-{n}@bench.example", full_name=f"Person {n} of {p.slug}")
        for p in made
        for n in range(people_per_partnership)
    )
    memberships = []
    for index, user in enumerate(users):
        partnership = made[index // people_per_partnership]
        membership = Membership(partnership=partnership, user=user)
        membership.set_roles([Role.YOUNG_PERSON] if index % 10 else [Role.PARTICIPATION_WORKER])
        memberships.append(membership)
    Membership.objects.bulk_create(memberships)
    membership_type = ContentType.objects.get_for_model(Membership)
    events = []
    for partnership in made:
        theirs = [m for m in memberships if m.partnership_id == partnership.pk]
        for n in range(events_per_partnership):
            subject = theirs[n % len(theirs)]
            events.append(
                AuditEvent(
                    partnership=partnership,
                    event_type="membership.created",
                    subject_type=membership_type,
                    subject_id=str(subject.pk),
                    payload={"roles": sorted(subject.roles)},
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    return made
