"""bench/settings.py, the settings of the benchmarks' gunicorn: production's behaviour, with the API's throttle still
in place but at a rate no benchmark reaches (a run opens every API list hundreds of times a minute as one person;
at production's rate the later lists answered 429 and the benchmark measured the throttle)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench_settings(*names: str) -> dict[str, object]:
    """The named settings as bench/settings.py makes them, read in a process of their own (importing the module here
    would change the test settings' shared dictionaries)."""
    code = f"import json, bench.settings as s; print(json.dumps({{n: getattr(s, n) for n in {list(names)!r}}}))"
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=60
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def per_minute(rate: str) -> float:
    count, period = rate.split("/")
    return int(count) * {"s": 60, "m": 1, "h": 1 / 60, "d": 1 / 1440}[period[0]]


def test_the_api_throttle_runs_but_above_any_benchmark_rate():
    found = bench_settings("REST_FRAMEWORK", "DEBUG", "API_RATE_LIMIT_USER")
    framework = found["REST_FRAMEWORK"]
    assert isinstance(framework, dict)
    assert "rest_framework.throttling.UserRateThrottle" in framework["DEFAULT_THROTTLE_CLASSES"]
    assert per_minute(framework["DEFAULT_THROTTLE_RATES"]["user"]) >= 100 * per_minute(
        str(found["API_RATE_LIMIT_USER"])
    )
    assert framework["DEFAULT_THROTTLE_RATES"]["anon"] == "60/minute"  # signed out: production's rate
    assert found["DEBUG"] is False
