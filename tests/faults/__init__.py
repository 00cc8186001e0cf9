"""Faults, tested with real processes (docs/security.md "Faults"; docs/operations.md "Faults and recovery").

- test_redis_down.py: Redis stopped (or frozen) while a page enqueues a task: the page answers, the task is kept in
  the outbox, and a real worker started once Redis is back sends it, once.
- test_worker_killed.py: a worker killed with SIGKILL in the middle of sending a payment batch: a new worker gets the
  unacknowledged message again and finishes the batch, one transfer per payout; and the same with only the pool's
  child process killed (the worker puts the message back itself).
- test_postgres_restart.py: PostgreSQL restarted under a running gunicorn and Celery worker: both reconnect, the
  first request after the restart answers.

Each test starts its own redis-server and/or PostgreSQL cluster on a free port (never the shared 6379 and 5432).
They need redis-server, PostgreSQL's binaries and (for the first two) DATABASE_URL on PostgreSQL: skipped without
them locally, a failure in CI (REQUIRE_SERVICES=1).
"""
