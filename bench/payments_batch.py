"""Benchmark: submitting a payment batch of 5,000 claims against the local Stripe test server, compared with the bare
SDK transfer calls alone against the same server.

    .venv/bin/python -m bench.payments_batch                 # or: --claims 5000 --payees 1000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/scrutineers .venv/bin/python -m bench.payments_batch

Starts the local Stripe test server (payments/stripe_server/) on 127.0.0.1 on a free port, makes a throwaway test
database (SQLite by default, the database of DATABASE_URL otherwise), and generates a partnership whose young people
each have an onboarded Stripe Express account and several OPEN claims (bulk inserts: only volume is needed here).
The batch is then built, approved and submitted through the services; submitting runs the Celery task in process
(eager), which sends every payout: lock, PENDING -> SENDING, commit; the transfer over HTTP with the payout's
idempotency key; lock, SENT with the transfer id, commit.

Prints JSON lines ({"name", "value", "unit"}; human text goes to stderr): the time per claim of the submission, the
time per call of the same number of bare `stripe_client().v1.transfers.create(...)` calls (same server, same
destinations, an idempotency key each), their ratio (the overhead of the bookkeeping that makes a payout safe to
retry, with both sides under "compare"), and the database queries per claim.
"""

from __future__ import annotations

import argparse
import datetime
import json
import logging
import os
import secrets
import sys
import time
from typing import Any


def emit(name: str, value: float, unit: str, compare: dict[str, float] | None = None) -> None:
    """One figure, as a JSON line on stdout."""
    line: dict[str, Any] = {"name": name, "value": value, "unit": unit}
    if compare is not None:
        line["compare"] = compare
    print(json.dumps(line), flush=True)


def say(text: str) -> None:
    """Human text, on stderr."""
    print(text, file=sys.stderr, flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--claims", type=int, default=5000)
    parser.add_argument("--payees", type=int, default=1000, help="young people with a Stripe account")
    args = parser.parse_args()
    if args.claims < 1 or args.payees < 1:
        parser.error("--claims and --payees must be at least 1")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    for name in ("stripe", "payments.stripe_server", "celery", "payments"):
        logging.getLogger(name).setLevel(logging.WARNING)
    setup_test_environment()
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from config.celery_app import app

    app.conf.task_always_eager = True
    if connection.vendor != "sqlite":  # its own throwaway database: never the test suite's, which may be in use
        connection.settings_dict["TEST"]["NAME"] = f"test_bench_payments_batch_{os.getpid()}"
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    from payments.stripe_server import StripeTestServer

    token = secrets.token_hex(8)
    server = StripeTestServer(api_key=f"sk_test_{token}", webhook_secret=f"whsec_{token}").start()
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_SECRET_KEY = server.api_key
    settings.STRIPE_WEBHOOK_SECRET = server.webhook_secret
    try:
        _run(args.claims, args.payees, server, connection)
    finally:
        server.stop()
        connection.creation.destroy_test_db(old_name, verbosity=0)


def _run(claims: int, payees: int, server: Any, connection: Any) -> None:
    from core.tenancy import act_in
    from payments.models import Payout
    from payments.services.batches import batch_add_claims, batch_approve, batch_create, batch_submit
    from payments.stripe_client import stripe_client

    started = time.perf_counter()
    finance, approver, claim_ids, destinations = _generate(claims=claims, payees=min(payees, claims), server=server)
    server.set_balance(10**12)
    say(
        f"generated {claims} claims for {len(destinations)} payees with Stripe accounts in "
        f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
    )

    act_in(finance, finance.memberships.get().partnership)
    act_in(approver, approver.memberships.get().partnership)
    started = time.perf_counter()
    batch = batch_create(actor=finance)
    batch_add_claims(actor=finance, batch_id=batch.pk, claim_ids=claim_ids)
    batch_approve(actor=approver, batch_id=batch.pk)
    say(f"built and approved the batch in {time.perf_counter() - started:.1f}s")

    queries = 0

    def count(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        started = time.perf_counter()
        batch_submit(actor=finance, batch_id=batch.pk)  # the task runs in process after the commit
        submitted = time.perf_counter() - started
    sent = Payout.objects.filter(batch=batch, status=Payout.Status.SENT).count()
    assert sent == claims, f"{sent} of {claims} payouts were sent"
    transfers_made = len(server.state.transfers)
    assert transfers_made == claims, f"{transfers_made} transfers for {claims} claims"

    client = stripe_client()
    started = time.perf_counter()
    for n in range(claims):
        client.v1.transfers.create(
            {
                "amount": 2850,
                "currency": "gbp",
                "destination": destinations[n % len(destinations)],
                "transfer_group": "bench-bare",
                "description": f"Bare SDK call {n}",
                "metadata": {"payout": str(n), "claim": str(n), "partnership": "0"},
            },
            {"idempotency_key": f"bench-bare-transfer-{n}"},
        )
    bare = time.perf_counter() - started

    per_claim = submitted / claims * 1000
    per_call = bare / claims * 1000
    say(f"{'':34} {'total s':>9} {'ms each':>9}")
    say(f"{'submitting the batch (per claim)':34} {submitted:9.2f} {per_claim:9.3f}")
    say(f"{'bare SDK transfers (per call)':34} {bare:9.2f} {per_call:9.3f}")
    say(f"ratio (batch per claim / bare call): {per_claim / per_call:.2f}")
    say(f"database queries per claim: {queries / claims:.1f}")
    emit("payments_batch_submit_per_claim", round(per_claim, 3), "ms")
    emit("payments_batch_bare_transfer_per_call", round(per_call, 3), "ms")
    emit(
        "payments_batch_overhead_ratio",
        round(per_claim / per_call, 2),
        "ratio",
        compare={"batch_per_claim_ms": round(per_claim, 3), "bare_transfer_ms": round(per_call, 3)},
    )
    emit("payments_batch_queries_per_claim", round(queries / claims, 2), "queries")


def _generate(*, claims: int, payees: int, server: Any) -> tuple[Any, Any, list[int], list[str]]:
    """Bulk-insert a partnership, two finance officers, `payees` young people with onboarded Stripe accounts on the
    test server, and `claims` OPEN claims spread across them (each on its own approved work log)."""
    from django.db import transaction
    from django.utils import timezone

    from engagements.models import Engagement, OpportunityType, WorkLog
    from participants.models import Membership, Partnership, Role, User
    from payments.models import AgeBand, Claim, PayeeAccount, PaymentSetup, Rail

    per_payee = -(-claims // payees)
    state = server.state
    with state.lock:
        accounts = []
        for _ in range(payees):
            account = state.create_account(
                country="GB",
                email=None,
                capabilities=["transfers"],
                business_type="individual",
                business_profile={},
                metadata={},
            )
            state.complete_onboarding(account["id"])
            accounts.append(account["id"])
    with transaction.atomic():
        partnership = Partnership.objects.create(name="Bench payments", slug="bench-payments", area="Bench")
        staff = User.objects.bulk_create(
            User(email=f"finance-{n}@bench.example", full_name=f"Finance Officer {n}") for n in range(2)
        )
        people = User.objects.bulk_create(
            User(email=f"young-{n}@bench.example", full_name=f"Young Person {n}") for n in range(payees)
        )
        memberships = []
        for user in [*staff, *people]:
            membership = Membership(partnership=partnership, user=user)
            membership.set_roles([Role.FINANCE_OFFICER] if user in staff else [Role.YOUNG_PERSON])
            memberships.append(membership)
        Membership.objects.bulk_create(memberships)
        young = memberships[2:]
        PaymentSetup.objects.bulk_create(
            PaymentSetup(partnership=partnership, membership=m, rail=Rail.STRIPE) for m in young
        )
        PayeeAccount.objects.bulk_create(
            PayeeAccount(
                partnership=partnership,
                membership=m,
                rail=Rail.STRIPE,
                holder_name=m.user.full_name,
                status=PayeeAccount.Status.ACTIVE,
                stripe_account_id=account_id,
                details_submitted=True,
                payouts_enabled=True,
            )
            for m, account_id in zip(young, accounts, strict=True)
        )
        start = timezone.now() - datetime.timedelta(days=30)
        engagements = Engagement.objects.bulk_create(
            Engagement(
                partnership=partnership,
                title=f"Bench panel {n}",
                opportunity_type=OpportunityType.SECTION_11_PANEL,
                starts_at=start + datetime.timedelta(days=n),
                ends_at=start + datetime.timedelta(days=n, hours=2),
                location="Council offices",
            )
            for n in range(per_payee)
        )
        logs = WorkLog.objects.bulk_create(
            WorkLog(
                partnership=partnership,
                membership=young[n % payees],
                engagement=engagements[n // payees],
                status=WorkLog.Status.CLAIMED,
                session_minutes=120,
            )
            for n in range(claims)
        )
        made = Claim.objects.bulk_create(
            Claim(
                partnership=partnership,
                membership=log.membership,
                work_log=log,
                engagement=log.engagement,
                work_date=timezone.localdate(log.engagement.starts_at),
                age_band=AgeBand.AGE_18_20,
                pay_pence=2400,
                expenses_pence=450,
                total_pence=2850,
                created_by=staff[0],
            )
            for log in logs
        )
    return staff[0], staff[1], [claim.pk for claim in made], accounts


if __name__ == "__main__":
    main()
