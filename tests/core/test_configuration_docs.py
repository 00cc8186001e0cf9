"""docs/configuration.md lists every environment variable: each one the settings read (config/settings/*.py, any
`env.<type>("NAME")` or `env("NAME")`) has a row in its table, and each row names a variable that something in the
repository reads, so the table neither misses one nor keeps one that is gone."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DOC = ROOT / "docs" / "configuration.md"
SETTINGS = sorted((ROOT / "config" / "settings").glob("*.py"))
READ = re.compile(r"\benv(?:\.\w+)?\(\s*[\"']([A-Z][A-Z0-9_]*)[\"']")
# Where else a variable may be read: the code (Python), the Makefile and the CI script.
SOURCES = [
    path
    for path in [*ROOT.glob("*/**/*.py"), *ROOT.glob("*.py"), ROOT / "Makefile", ROOT / ".ci" / "run"]
    if ".venv" not in path.parts and "node_modules" not in path.parts
]


def read_by_settings() -> dict[str, str]:
    """NAME -> the first settings file that reads it."""
    found: dict[str, str] = {}
    for path in SETTINGS:
        for name in READ.findall(path.read_text()):
            found.setdefault(name, path.name)
    return found


def documented() -> set[str]:
    """The variables named (in backticks) in the first column of the table's rows."""
    names: set[str] = set()
    for line in DOC.read_text().splitlines():
        if not line.startswith("|") or line.startswith("|---"):
            continue
        first = line.strip("|").split("|", 1)[0]
        names.update(re.findall(r"`([A-Z][A-Z0-9_]*)`", first))
    return names


def test_the_pattern_finds_the_settings_reads():
    # The test must be able to fail: it sees the variables the settings are known to read, in every form used.
    found = read_by_settings()
    assert {"DATABASE_URL", "CACHE_URL", "DJANGO_SECRET_KEY", "FIELD_ENCRYPTION_KEYS", "DJANGO_ALLOWED_HOSTS"} <= set(
        found
    )
    assert READ.findall('X = env.int(\n    "SOME_NAME", default=1)\nY = env("OTHER_NAME")') == [
        "SOME_NAME",
        "OTHER_NAME",
    ]
    assert "DJANGO_SETTINGS_MODULE" in documented()


def test_every_variable_the_settings_read_is_documented():
    missing = {name: where for name, where in read_by_settings().items() if name not in documented()}
    assert missing == {}, f"add a row to docs/configuration.md for each of: {missing}"


def test_every_documented_variable_is_read_somewhere():
    code = "\n".join(path.read_text(errors="replace") for path in SOURCES if path.is_file())
    stale = sorted(name for name in documented() if name not in code)
    assert stale == [], f"docs/configuration.md documents variables nothing reads: {stale}"
