"""The national-scale data set the benchmarks run on, built with bulk inserts.

    .venv/bin/python -m bench.generate                       # national scale, into DATABASE_URL's database
    .venv/bin/python -m bench.generate --scale small         # a quick one

SKELETON: the agreed interface; filled in by the generator work.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Scale:
    name: str
    partnerships: int
    young_people: int
    applications: int
    engagements: int
    work_logs: int  # and as many claims
    recommendations: int
    timeline_entries: int
    audit_rows: int


NATIONAL = Scale("national", 137, 8_000, 20_000, 30_000, 200_000, 20_000, 100_000, 300_000)
SMALL = Scale("small", 3, 120, 300, 300, 2_000, 200, 1_000, 3_000)
SCALES = {scale.name: scale for scale in (NATIONAL, SMALL)}


@dataclass
class BenchData:
    """What the benchmarks need to find in the generated data: the partnership they measure (the first, with its
    fair share of everything) and one signed-in person per role in it (staff have a TOTP second factor)."""

    scale: Scale
    partnership_id: int
    users: dict[str, int] = field(default_factory=dict)  # role -> user id, in the measured partnership
    seconds: float = 0.0


def generate(scale: Scale) -> BenchData:
    """Build the data set in the current database (which must be empty of bench data) and return what the
    benchmarks need. Prints nothing; the command prints the time."""
    raise NotImplementedError
