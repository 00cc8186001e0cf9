import pytest

pytestmark = pytest.mark.django_db


def test_healthy_when_database_and_broker_answer(client, settings):
    from kombu import Connection

    try:
        with Connection(settings.CELERY_BROKER_URL) as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        from tests.conftest import require_service

        require_service("the Celery broker", f"{settings.CELERY_BROKER_URL} did not answer ({exc})")
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_degraded_but_serving_when_the_broker_does_not_answer(client, settings):
    """Pages work without the broker (tasks wait in the outbox): 200, so a load balancer keeps the machine in."""
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["database"] == "ok"
    assert response.json()["broker"] != "ok"
