import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from rest_framework.test import APIClient

from participants.models import Membership, Partnership, Role

ROOT = Path(__file__).resolve().parent.parent.parent
pytestmark = pytest.mark.django_db


def test_api_token_prints_a_token_that_works(member):
    person = member(Role.YOUNG_PERSON)
    out = StringIO()
    call_command("api_token", person.email.upper(), stdout=out)
    token = out.getvalue().strip()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get("/api/v1/me/").json()["email"] == person.email


def test_api_token_for_an_unknown_email_fails_clearly():
    with pytest.raises(CommandError, match="No active account"):
        call_command("api_token", "nobody@example.org")


def test_seed_demo_creates_two_partnerships_with_every_role():
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert Partnership.objects.count() == 2
    for partnership in Partnership.objects.all():
        for role in Role.values:
            assert Membership.objects.filter(Membership.with_role(role), partnership=partnership).exists(), (
                partnership,
                role,
            )
    # staff have a second factor and recovery codes; young people have neither
    from allauth.mfa.models import Authenticator

    staff = Membership.objects.filter(Membership.with_any_staff_role()).values_list("user", flat=True)
    for user_id in staff:
        kinds = set(Authenticator.objects.filter(user_id=user_id).values_list("type", flat=True))
        assert kinds == {Authenticator.Type.TOTP, Authenticator.Type.RECOVERY_CODES}
    young_only = Membership.objects.filter(is_young_person=True).exclude(user__in=staff)
    assert not Authenticator.objects.filter(user__in=young_only.values("user")).exists()
    # running again with --if-empty changes nothing
    call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert Partnership.objects.count() == 2


def test_demo_logins_prints_the_logins_and_a_totp_code():
    call_command("seed_demo", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    text = out.getvalue()
    assert "amara@north-shire.example" in text
    assert "code now:" in text


PRODUCTION_STRIPE = {
    "STRIPE_SECRET_KEY": "sk_live_" + "x" * 40,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "y" * 40,
    "STRIPE_WEBHOOK_PATH_TOKEN": "Zq3" * 12,
}


def test_production_settings_pass_the_deploy_check():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "config.settings.production",
        "DJANGO_SECRET_KEY": "a-real-looking-secret-key-" + "x7Hq9vL2mN4pR8sT1wY5zB3cD6fG0jK" * 2,
        "FIELD_ENCRYPTION_KEYS": "mBMkYp0o6hzDe-m9ZLG1tDvNjcxEMOGdVeGf1m1Hw9c=",
        "DJANGO_ALLOWED_HOSTS": "scrutineers.example.org",
        "DATABASE_URL": "postgres://app:secret@db.internal:5432/scrutineers",
        "CELERY_BROKER_URL": "redis://cache.internal:6379/0",
        "CACHE_URL": "rediscache://cache.internal:6379/1",
        **PRODUCTION_STRIPE,
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_settings_refuse_to_start_without_a_secret_key():
    env = {k: v for k, v in os.environ.items() if k not in {"DJANGO_SECRET_KEY"}}
    env["DJANGO_SETTINGS_MODULE"] = "config.settings.production"
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_settings_refuse_the_development_database():
    env = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        FIELD_ENCRYPTION_KEYS="mBMkYp0o6hzDe-m9ZLG1tDvNjcxEMOGdVeGf1m1Hw9c=",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        CACHE_URL="redis://cache.internal:6379/1",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_production_settings_refuse_the_local_stripe_test_server():
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DJANGO_SECRET_KEY="x" * 60,
        FIELD_ENCRYPTION_KEYS="mBMkYp0o6hzDe-m9ZLG1tDvNjcxEMOGdVeGf1m1Hw9c=",
        DATABASE_URL="postgres://app:secret@db.internal:5432/scrutineers",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        CACHE_URL="redis://cache.internal:6379/1",
        STRIPE_API_BASE="http://127.0.0.1:12111",
        **PRODUCTION_STRIPE,
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "STRIPE_API_BASE" in result.stderr
