"""Benchmark: time and queries of the home pages, the people list and the API, on a large partnership.

    make bench            # or: .venv/bin/python -m bench.pages --people 2000 --events 5000 --requests 30

Prints one line per URL: median and 95th-percentile time per request, and queries per request. Runs on the
database of DATABASE_URL (a throwaway test database is created and dropped), SQLite by default.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--partnerships", type=int, default=3)
    parser.add_argument("--people", type=int, default=2000, help="people per partnership")
    parser.add_argument("--events", type=int, default=5000, help="audit events per partnership")
    parser.add_argument("--requests", type=int, default=30, help="requests per URL")
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from allauth.mfa.totp.internal.auth import TOTP

        from bench.data import generate
        from participants.models import Membership

        started = time.perf_counter()
        partnerships = generate(
            partnerships=args.partnerships, people_per_partnership=args.people, events_per_partnership=args.events
        )
        print(
            f"generated {args.partnerships} x {args.people} people, {args.events} events in "
            f"{time.perf_counter() - started:.1f}s ({connection.vendor})"
        )

        target = partnerships[0]
        young = Membership.objects.filter(partnership=target, is_young_person=True).select_related("user").first()
        admin = Membership.objects.filter(partnership=target, is_participation_worker=True).first()
        assert young is not None and admin is not None
        admin.is_partnership_admin = True
        admin.save(update_fields=["is_partnership_admin"])
        TOTP.activate(admin.user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")

        cases = [
            (young.user, ["/me/", "/api/v1/me/"]),
            (
                admin.user,
                ["/staff/", "/staff/people/", "/staff/audit-log/", "/api/v1/memberships/", "/api/v1/audit-events/"],
            ),
        ]
        print(f"{'url':28} {'median ms':>10} {'p95 ms':>8} {'queries':>8}")
        for user, urls in cases:
            client = Client()
            client.force_login(user, backend="allauth.account.auth_backends.AuthenticationBackend")
            for url in urls:
                client.get(url)  # warm up
                timings = []
                for _ in range(args.requests):
                    with CaptureQueriesContext(connection) as queries:
                        t0 = time.perf_counter()
                        response = client.get(url)
                        timings.append((time.perf_counter() - t0) * 1000)
                    assert response.status_code == 200, (url, response.status_code)
                timings.sort()
                p95 = timings[min(len(timings) - 1, int(len(timings) * 0.95))]
                print(f"{url:28} {statistics.median(timings):10.1f} {p95:8.1f} {len(queries):8}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
