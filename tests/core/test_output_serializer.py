"""core.api.OutputSerializer answers exactly what DRF's own `Serializer.to_representation` answers, only faster.

Two ways: every API list of bench/budgets.py KEY_URLS, on the small data set, is fetched twice, once as it runs and
once with OutputSerializer's `to_representation` replaced by DRF's, and the two bodies must be equal; and the cases
the fast path hands back to DRF (dotted and "*" sources, callables, missing attributes, mappings, time zones) are
checked one by one against DRF's answer."""

from __future__ import annotations

import datetime
import json
import zoneinfo
from types import SimpleNamespace
from typing import Any
from unittest import mock

import pytest
from django.core.exceptions import ObjectDoesNotExist
from django.utils import timezone
from rest_framework import serializers

from bench.budgets import KEY_URLS, clients_for
from core.api import ChoiceLabelField, OutputSerializer
from tests.small_data_set import small_data_set

NOW = datetime.datetime(2026, 11, 26, 10, 0, tzinfo=datetime.UTC)
API_LISTS = [key for key in KEY_URLS if key.is_api]


def drf(serializer: serializers.Serializer, instance: Any) -> Any:
    """What plain DRF answers for `instance` with the same fields."""
    return serializers.Serializer.to_representation(serializer, instance)


@pytest.fixture(scope="module")
def bodies(django_db_setup: Any, django_db_blocker: Any) -> dict[str, tuple[Any, Any]]:
    """name -> (the answer as it runs, the answer with DRF's own to_representation), on the small data set."""
    found = {}
    with django_db_blocker.unblock(), small_data_set(NOW) as data:
        client_for_role = clients_for(data)
        for key in API_LISTS:
            client, url = client_for_role(key.role), key.path(data)
            fast = client.get(url, HTTP_ACCEPT="application/json")
            with mock.patch.object(OutputSerializer, "to_representation", serializers.Serializer.to_representation):
                plain = client.get(url, HTTP_ACCEPT="application/json")
            assert fast.status_code == plain.status_code == 200, f"{key.name}: {fast.status_code}, {plain.status_code}"
            found[key.name] = (json.loads(fast.content), json.loads(plain.content))
    return found


@pytest.mark.django_db
@pytest.mark.parametrize("name", [key.name for key in API_LISTS])
def test_every_api_list_answers_what_drf_answers(name, bodies):
    fast, plain = bodies[name]
    assert fast == plain


@pytest.mark.django_db
def test_the_lists_compared_hold_rows(bodies):
    """The comparison above means something only if the lists are not empty."""
    rows = {name: len(fast["results"]) for name, (fast, _plain) in bodies.items() if "results" in fast}
    assert sum(1 for count in rows.values() if count) >= len(rows) * 0.8, rows


class Person(SimpleNamespace):
    def full_name(self) -> str:
        return f"{self.first} {self.last}"

    def greet(self, whom: str) -> str:  # needs an argument: DRF does not call it
        return f"hello {whom}"


class PersonOutput(OutputSerializer):
    first = serializers.CharField()
    count = serializers.IntegerField()
    full_name = serializers.CharField()
    city = serializers.CharField(source="address.city")
    postcode = serializers.CharField(source="address.postcode.outward", allow_null=True)  # address.postcode missing
    district = serializers.CharField(source="address.district", default="unknown")
    describe = serializers.CharField(source="address.describe")  # a function along the source: DRF calls it
    colour = serializers.CharField(source="prefs.colour")  # a mapping along the source
    everything = serializers.CharField(source="*")
    nickname = serializers.CharField(required=False)
    title = serializers.CharField(default="none")
    middle = serializers.CharField(allow_null=True)
    seen_at = serializers.DateTimeField()
    day = serializers.DateTimeField(format="%d/%m/%Y")
    utc_seen_at = serializers.DateTimeField(default_timezone=datetime.UTC)
    flag = serializers.BooleanField()


def person(**changes: Any) -> Person:
    values = {
        "first": "Asha",
        "last": "Khan",
        "count": "7",
        "address": SimpleNamespace(city="Leeds", describe=lambda: "a city"),
        "prefs": {"colour": "teal"},
        "middle": None,
        "seen_at": datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC),  # British summer time
        "day": datetime.datetime(2026, 1, 2, 9, 30, tzinfo=datetime.UTC),
        "utc_seen_at": datetime.datetime(2026, 7, 1, 9, 30, tzinfo=datetime.UTC),
        "flag": "yes",
        **changes,
    }
    return Person(**values)


def test_the_cases_handed_back_to_drf_answer_as_drf_does():
    serializer = PersonOutput()
    for instance in (
        person(),
        person(nickname="Ash", title="Ms", middle="J", count=3, flag=False),
        person(seen_at=datetime.datetime(2026, 1, 1, 9, 30, tzinfo=datetime.UTC)),  # winter: "Z"
        person(seen_at=datetime.datetime(2026, 1, 1, 9, 30)),  # noqa: DTZ001 (naive: DRF makes it aware)
        person(seen_at="2026-01-01T09:30:00Z"),  # a string passes through
        {"first": "Map", "last": "Ping", "count": 1, "full_name": "Map Ping", "prefs": {"colour": "red"},
         "address": {"city": "York", "describe": "a mapping", "postcode": {"outward": "YO1"}},
         "middle": None, "seen_at": None, "day": None, "utc_seen_at": None, "flag": True},
    ):  # fmt: skip
        assert serializer.to_representation(instance) == drf(serializer, instance)


def test_values_are_read_and_converted_as_drf_converts_them():
    answer = PersonOutput().to_representation(person())
    assert answer["count"] == 7  # int("7")
    assert answer["full_name"] == "Asha Khan"  # a method without arguments is called
    assert answer["city"] == "Leeds"
    assert answer["postcode"] is None
    assert answer["district"] == "unknown"
    assert answer["describe"] == "a city"
    assert answer["colour"] == "teal"
    assert "nickname" not in answer  # missing and not required: left out
    assert answer["title"] == "none"  # missing with a default
    assert answer["middle"] is None
    assert answer["seen_at"] == "2026-07-01T10:30:00+01:00"  # the current time zone, Europe/London
    assert answer["day"] == "02/01/2026"
    assert answer["utc_seen_at"] == "2026-07-01T09:30:00Z"
    assert answer["flag"] is True


def test_the_current_time_zone_is_the_one_active_when_the_answer_is_made():
    with timezone.override(zoneinfo.ZoneInfo("Asia/Tokyo")):
        answer = PersonOutput().to_representation(person())
    assert answer["seen_at"] == "2026-07-01T18:30:00+09:00"


def test_none_along_a_source_is_handled_as_drf_handles_it():
    class OptionalOutput(OutputSerializer):
        city = serializers.CharField(source="address.city", allow_null=True)
        district = serializers.CharField(source="address.district", default="unknown")
        postcode = serializers.CharField(source="address.postcode", required=False)

    instance = SimpleNamespace(address=None)
    answer = OptionalOutput().to_representation(instance)
    assert answer == drf(OptionalOutput(), instance) == {"city": None, "district": "unknown"}
    with pytest.raises(AttributeError, match="`city` on serializer `PersonOutput`"):
        PersonOutput().to_representation(person(address=None))


def test_a_missing_required_attribute_fails_with_drf_s_message():
    instance = person()
    del instance.first
    with pytest.raises(AttributeError, match="`first` on serializer `PersonOutput`"):
        PersonOutput().to_representation(instance)


def test_a_method_that_needs_arguments_is_refused_as_drf_refuses_it():
    class GreetOutput(OutputSerializer):
        greet = serializers.CharField()

    answer = GreetOutput().to_representation(person())
    assert answer == drf(GreetOutput(), person())


def test_a_related_object_that_does_not_exist_is_none():
    class Missing:
        @property
        def profile(self) -> Any:
            raise ObjectDoesNotExist

    class ProfileOutput(OutputSerializer):
        profile = serializers.CharField()

    assert ProfileOutput().to_representation(Missing()) == {"profile": None}


@pytest.mark.django_db
def test_nested_lists_labels_and_model_rows():
    """A model row with a choice label and a nested list read through a related manager."""
    from tests.factories import MembershipFactory

    membership = MembershipFactory()

    class MembershipOutput(OutputSerializer):
        id = serializers.IntegerField()
        status = serializers.CharField()
        status_label = ChoiceLabelField("status")
        created_at = serializers.DateTimeField()

    class UserOutput(OutputSerializer):
        id = serializers.IntegerField()
        email = serializers.CharField()
        memberships = MembershipOutput(many=True)

    user = membership.user
    fast = UserOutput(user).data
    with mock.patch.object(OutputSerializer, "to_representation", serializers.Serializer.to_representation):
        plain = UserOutput(user).data
    assert fast == plain
    assert fast["memberships"][0]["status_label"] == membership.get_status_display()


def all_subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    return found | {sub for child in found for sub in all_subclasses(child)}


def test_no_output_names_a_display_method_as_its_source():
    """`CharField(source="get_kind_display")` sends every row through DRF's signature check of the method (about
    0.1 ms a field and row); `ChoiceLabelField("kind")` gives the same label directly."""
    import config.urls  # noqa: F401 - every API module, so every serializer class exists

    offenders = [
        f"{serializer.__module__}.{serializer.__name__}.{name}"
        for serializer in all_subclasses(OutputSerializer)
        if not serializer.__module__.startswith("tests.")
        for name, field in serializer().fields.items()
        if field.source and field.source.startswith("get_") and field.source.endswith("_display")
    ]
    assert offenders == []


@pytest.mark.django_db
def test_a_choice_label_is_what_django_gives_for_every_choice_and_for_a_value_outside_them():
    """ChoiceLabelField looks labels up in a dictionary it builds once per list; each must be Django's own
    `get_status_display()`, including for a value that is not one of the choices (Django gives the value back)."""
    from participants.models import Membership
    from tests.factories import MembershipFactory

    field = ChoiceLabelField("status")
    membership = MembershipFactory()
    for value, _label in Membership._meta.get_field("status").flatchoices:
        membership.status = value
        assert field.to_representation(membership) == membership.get_status_display()
    membership.status = "not-a-status"
    assert field.to_representation(membership) == "not-a-status" == membership.get_status_display()
    assert list(field._labels) == [Membership]  # built once, for the model


def test_a_hand_written_display_method_is_called():
    """A model whose `get_x_display` is its own (not Django's) is asked each time, as DRF would."""

    class Row:
        kind = "a"

        def get_kind_display(self) -> str:
            return f"own label for {self.kind}"

    field = ChoiceLabelField("kind")
    row = Row()
    assert field.to_representation(row) == "own label for a"
    row.kind = "b"
    assert field.to_representation(row) == "own label for b"


def test_every_choice_label_of_every_model_is_djangos_own():
    """For every choice field of every model of the project: each choice, an empty value and one outside the choices
    give exactly what the model's `get_<field>_display()` gives."""
    from django.apps import apps

    checked = 0
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for model_field in model._meta.concrete_fields:
            if not model_field.choices:
                continue
            field = ChoiceLabelField(model_field.name)
            instance = model()
            values = [value for value, _label in model_field.flatchoices] + [None, "", "not-a-choice", 9999]
            for value in values:
                setattr(instance, model_field.attname, value)
                assert field.to_representation(instance) == str(getattr(instance, f"get_{model_field.name}_display")())
                checked += 1
            assert field._labels[model] is not None  # the dictionary, not the method, answered
    assert checked > 100
