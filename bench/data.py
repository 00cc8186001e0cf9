"""The rows of the benchmark data set: bench/generate.py decides how many, this module writes them.

No services and no model instances (the services are exercised by the tests; here we need volume that looks like two
years of real use, millions of rows, in a couple of minutes). A row is its values (`Rec`); `Table` fills in the
model's defaults and applies each field's own conversion (encryption, JSON); `insert` writes them with COPY on
PostgreSQL and executemany elsewhere, because bulk_create compiles every value into the SQL one at a time and cost
more than the database at this volume. Primary keys are given here, from each table's largest key onwards, so a row
can point at rows not inserted yet: rows wait in `Rows` and go in together, a few partnerships at a time, parents
first. On PostgreSQL the written tables' foreign keys are set aside for the load and added back at the end (as
pg_restore does), which checks every row once per key in one query instead of once per row at commit (50 s of the
national scale's 130 s before). The sequences are moved past the keys used. Nothing else may use the database
meanwhile.

`build()` makes the whole data set; `delete_bench_data()` removes it; `generate()` at the end is the older, smaller
generator bench/pages.py uses.
"""

from __future__ import annotations

import datetime
import random
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.mfa.utils import encrypt
from django.apps import apps
from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connection, connections, models, transaction
from django.db.models import Max
from django.utils import timezone

from core.fields import EncryptedField
from core.models import AuditEvent
from engagements.models import (
    Attendance,
    Engagement,
    Expense,
    FeedbackPreference,
    FeedbackSettings,
    Interest,
    Notification,
    OpportunityType,
    OpportunityTypeSetting,
    Output,
    PayBasis,
    Recommendation,
    RecommendationContributor,
    RecommendationResponse,
    ResponseEvidence,
    ResponseImport,
    ResponseRating,
    Result,
    Section11Standard,
    TimelineEntry,
    WorkLog,
)
from library.models import Example, ExampleCredit, ExampleQuestion, Method, Outcome
from participants.models import (
    Application,
    ApplicationEvent,
    EqualityResponse,
    InterviewSlot,
    Membership,
    OnboardingItem,
    OutreachChannel,
    OutreachLink,
    PanelScore,
    Partnership,
    RecruitmentRound,
    Role,
    RoundQuestion,
    ScoringCriterion,
    SupportFollowUp,
    SupportSession,
    TrainingBooking,
    TrainingModule,
    TrainingRecord,
    TrainingSession,
    User,
    YoungPersonProfile,
    role_field,
)
from participants.models.profile import birthday_in
from participants.services.onboarding import CHECKLIST
from payments.models import (
    AgeBand,
    Claim,
    ClaimLine,
    ExpensesPolicy,
    PayeeAccount,
    PaymentBatch,
    PaymentChoice,
    PaymentSetup,
    Payout,
    PayRate,
    Rail,
    Voucher,
)
from payments.selectors.rates import age_band_for_age
from safeguarding.models import (
    Concern,
    ConcernCategory,
    ConcernEntry,
    Consent,
    ConsentMethod,
    ConsentRequest,
    ConsentType,
    FollowUpTask,
    RiskAssessment,
    RiskAssessmentTemplate,
    SafeguardingPolicy,
    StaffCheck,
    WellbeingCheckIn,
)

# Every bench partnership's slug starts with this and every bench person's email ends with the domain, so the data
# set can be found (and removed) again. `.example` can never receive mail.
SLUG_PREFIX = "bench-"
EMAIL_DOMAIN = "bench.example"
# One password and one TOTP secret for every bench person: a load test can sign in through the real pages. Only
# databases whose settings allow demo data (local and test) are given them (bench/generate.py checks).
BENCH_PASSWORD = "bench-password-not-secret"  # noqa: S105
BENCH_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105
BATCH_SIZE = 2000
# Rows wait in memory until this many are pending, then go in together (a few partnerships' worth at the national
# scale: large INSERTs, bounded memory).
FLUSH_AT = 60_000

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)
MINUTE = datetime.timedelta(minutes=1)
PAST_DAYS = 730  # engagements and their history span the last two years...
FUTURE_DAYS = 120  # ...and the next four months

STAFF = [
    # (role, job title); two finance officers because a batch is approved by someone other than its maker
    (Role.PARTICIPATION_WORKER, "Participation and engagement worker"),
    (Role.SAFEGUARDING_LEAD, "Designated safeguarding lead"),
    (Role.FINANCE_OFFICER, "Finance officer"),
    (Role.FINANCE_OFFICER, "Senior finance officer"),
    (Role.SCRUTINY_LEAD, "Independent Scrutineer"),
    (Role.PARTNERSHIP_ADMIN, "Partnership business manager"),
]
FIRST_NAMES = [
    "Amara",
    "Kai",
    "Leah",
    "Yusuf",
    "Ellie",
    "Finn",
    "Jordan",
    "Mia",
    "Oscar",
    "Zara",
    "Riley",
    "Maya",
    "Ethan",
    "Grace",
    "Noah",
    "Isla",
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Erin",
    "Femi",
    "Georgia",
    "Hassan",
    "Imogen",
    "Jay",
    "Keira",
    "Liam",
    "Mohammed",
    "Nadia",
    "Olivia",
    "Priya",
    "Quinn",
    "Reece",
    "Sofia",
    "Tyler",
    "Uma",
    "Vince",
    "Wren",
    "Yasmin",
]
LAST_NAMES = [
    "Okafor",
    "Brown",
    "Nowak",
    "Ali",
    "Jones",
    "Taylor",
    "Mensah",
    "Roberts",
    "White",
    "Hussain",
    "Carter",
    "Singh",
    "Price",
    "Obi",
    "Clarke",
    "Murray",
    "Khan",
    "Evans",
    "Patel",
    "Ward",
    "Shah",
    "Cole",
    "Reid",
    "Hughes",
    "Green",
    "Lee",
    "Walker",
    "Wright",
    "Thompson",
    "Davies",
    "Wilson",
    "Robinson",
    "Wood",
    "Hall",
    "Lewis",
    "Hill",
    "Scott",
    "Moore",
    "Kaur",
    "Begum",
]
AREA_FIRST = [
    "North",
    "South",
    "East",
    "West",
    "Upper",
    "Lower",
    "Great",
    "Little",
    "Old",
    "New",
    "Mid",
    "High",
    "Nether",
]
AREA_LAST = ["shire", "vale", "moor", "field", "bridge", "ford", "port", "ham", "wick", "borough", "ton", "mouth"]
AGENCIES = [
    "Police",
    "Children's Social Care",
    "Integrated Care Board",
    "Education and Schools",
    "Youth Justice Service",
    "Child and Adolescent Mental Health Services",
    "Public Health",
    "Early Help",
    "Housing",
    "Community Safety Partnership",
]
THEMES = [
    "Being listened to",
    "Mental health",
    "Online safety",
    "Exploitation",
    "School exclusions",
    "Moving to adult services",
    "Youth services",
    "Stop and search",
    "Children in care",
    "Domestic abuse",
]
# How long each type of engagement lasts (minutes), the preparation it pays, and how common it is.
TYPES: dict[str, tuple[int, int, int]] = {
    OpportunityType.SECTION_11_PANEL: (120, 60, 3),
    OpportunityType.SCRUTINY_EVENT: (180, 30, 4),
    OpportunityType.DEEP_DIVE: (120, 60, 2),
    OpportunityType.FOCUS_GROUP: (90, 0, 5),
    OpportunityType.YOUNG_INSPECTOR_VISIT: (180, 30, 2),
    OpportunityType.ANNUAL_REPORT: (120, 30, 1),
    OpportunityType.INTERVIEW_PANEL: (180, 30, 2),
    OpportunityType.MEDIA_PRODUCTION: (240, 0, 1),
    OpportunityType.TRAINING_DELIVERY: (120, 60, 1),
}
FILMED = {OpportunityType.MEDIA_PRODUCTION, OpportunityType.ANNUAL_REPORT}
HOURLY_PENCE = {AgeBand.UNDER_16: 900, AgeBand.AGE_16_17: 900, AgeBand.AGE_18_20: 1100, AgeBand.AGE_21_PLUS: 1300}
SESSION_FEE_PENCE = 3000
# (title, onboarding key, validity in months, the types that need it, share of young people who have done it)
MODULES: list[tuple[str, str, int | None, list[str], float]] = [
    ("Safeguarding basics", "training.safeguarding_basics", 24, list(OpportunityType.values), 0.97),
    ("What scrutiny is", "training.what_is_scrutiny", None, list(OpportunityType.values), 0.97),
    (
        "Sitting on a panel",
        "",
        None,
        [OpportunityType.SECTION_11_PANEL, OpportunityType.INTERVIEW_PANEL, OpportunityType.SCRUTINY_EVENT],
        0.8,
    ),
    ("Filming and consent", "", 12, [OpportunityType.MEDIA_PRODUCTION], 0.6),
    ("Running a focus group", "", None, [OpportunityType.FOCUS_GROUP, OpportunityType.TRAINING_DELIVERY], 0.7),
]
CHANNELS = [
    OutreachChannel.SCHOOLS_COLLEGES,
    OutreachChannel.YOUTH_COUNCIL,
    OutreachChannel.CHILDREN_IN_CARE_COUNCIL,
    OutreachChannel.YOUNG_CARERS,
    OutreachChannel.LGBTQ,
]

M = TypeVar("M", bound=models.Model)


def insert_order() -> list[type[models.Model]]:
    """Every table the data set writes, parents before children (the foreign keys are deferred anyway)."""
    return [
        Partnership,
        User,
        EmailAddress,
        Authenticator,
        Membership,
        YoungPersonProfile,
        FeedbackPreference,
        PaymentSetup,
        PayeeAccount,
        OnboardingItem,
        SafeguardingPolicy,
        ExpensesPolicy,
        FeedbackSettings,
        OpportunityTypeSetting,
        RiskAssessmentTemplate,
        PayRate,
        StaffCheck,
        Consent,
        ConsentRequest,
        SupportSession,
        SupportFollowUp,
        TrainingModule,
        TrainingSession,
        TrainingBooking,
        TrainingRecord,
        RecruitmentRound,
        RoundQuestion,
        ScoringCriterion,
        OutreachLink,
        InterviewSlot,
        Application,
        ApplicationEvent,
        PanelScore,
        EqualityResponse,
        Engagement,
        Engagement.attendees.through,
        RiskAssessment,
        Interest,
        Attendance,
        WorkLog,
        Expense,
        WellbeingCheckIn,
        FollowUpTask,
        PaymentBatch,
        Claim,
        ClaimLine,
        Payout,
        Voucher,
        Result,
        Recommendation,
        RecommendationContributor,
        RecommendationResponse,
        TimelineEntry,
        ResponseEvidence,
        ResponseRating,
        Notification,
        ResponseImport,
        Output,
        Output.contributors.through,
        Output.consents.through,
        Example,
        Example.engagements.through,
        ExampleCredit,
        ExampleQuestion,
        Concern,
        ConcernEntry,
        AuditEvent,
    ]


class Rec:
    """A row waiting to be inserted: its values as attributes (the model's attribute names, `membership_id` for a
    foreign key), `pk` its primary key. Far cheaper to make than a model instance, which matters at millions of rows."""

    id: Any

    def __init__(self, values: dict[str, Any]) -> None:
        object.__setattr__(self, "__dict__", values)

    @property
    def pk(self) -> Any:
        return self.id

    def __getattr__(self, name: str) -> Any:
        raise AttributeError(f"{name} was not given for this row (only the values given are kept)")

    def __setattr__(self, name: str, value: Any) -> None:
        self.__dict__[name] = value


class Table:
    """How one model's rows become the values of its columns: the model's defaults for what is not given, and each
    field's own conversion (get_db_prep_save: encryption, JSON, and on SQLite dates and decimals) where the value is
    not already what the database driver takes."""

    def __init__(self, model: type[models.Model], db: Any) -> None:
        self.model = model
        self.fields = list(model._meta.concrete_fields)
        assert model._meta.pk is not None and model._meta.pk.attname == "id", model
        self.allowed = {f.attname for f in self.fields}
        self.defaults: list[tuple[bool, Any]] = []
        self.required: set[str] = set()
        self.preps: list[Any] = []
        for f in self.fields:
            if f.has_default():
                self.defaults.append((callable(f.default), f.default if callable(f.default) else f.get_default()))
            else:
                value = f.get_default()
                self.defaults.append((False, value))
                if value is None and not f.null and not f.primary_key:
                    self.required.add(f.attname)
            self.preps.append(self._prep(f, db))

    @staticmethod
    def _prep(f: models.Field[Any, Any], db: Any) -> Any:
        def field_prep(value: Any) -> Any:
            return None if value is None else f.get_db_prep_save(value, db)

        def text(value: Any) -> Any:  # TextChoices members become plain text (a driver may dump an Enum by name)
            return value if value is None or value.__class__ is str else str(value)

        if isinstance(f, models.JSONField | EncryptedField):  # every encrypted field, the JSON one too
            return field_prep
        if isinstance(f, models.CharField | models.TextField):
            return text
        if isinstance(f, models.IntegerField | models.ForeignKey | models.BooleanField) or db.vendor == "postgresql":
            return None  # ints, booleans, and on PostgreSQL dates, times, decimals and UUIDs: the driver takes them
        return field_prep

    def check(self, values: dict[str, Any]) -> None:
        if unknown := values.keys() - self.allowed:
            raise TypeError(f"{self.model.__name__} has no field {sorted(unknown)}")
        if missing := self.required - values.keys():
            raise TypeError(f"{self.model.__name__} needs {sorted(missing)}")

    def row(self, values: dict[str, Any]) -> tuple[Any, ...]:
        out = []
        for f, (call, default), prep in zip(self.fields, self.defaults, self.preps, strict=True):
            value = values[f.attname] if f.attname in values else (default() if call else default)
            out.append(value if prep is None else prep(value))
        return tuple(out)


class Rows:
    """Rows waiting to be inserted. `add` gives a row its primary key at once (the next free one in its table)."""

    def __init__(self) -> None:
        self.db = connections[DEFAULT_DB_ALIAS]
        self.order = insert_order()
        self.tables = {model: Table(model, self.db) for model in self.order}
        self.pending: dict[type[models.Model], list[Rec]] = {model: [] for model in self.order}
        self.next_pk: dict[type[models.Model], int] = {}
        self.counts: Counter[str] = Counter()
        self.waiting = 0
        self.foreign_keys: list[tuple[str, str, str]] = []  # (table, constraint, definition) set aside for the load

    def start(self) -> None:
        """On PostgreSQL, set the written tables' foreign keys aside for the load and add them back at the end (as
        pg_restore does): each is then checked once, in one query over its table, instead of once per row at
        commit, which was the largest part of the time. Anything wrong still fails, when they are added back."""
        if self.db.vendor != "postgresql":
            return
        qn = connection.ops.quote_name
        tables = [model._meta.db_table for model in self.order]
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a table with checks still waiting cannot be altered
            cursor.execute(
                "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s) ORDER BY 1, 2",
                [[qn(table) if table != table.lower() else table for table in tables]],
            )
            self.foreign_keys = cursor.fetchall()
            for table, name, _ in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {qn(name)}")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

    def add(self, model: type[models.Model], values: dict[str, Any]) -> Rec:
        self.tables[model].check(values)
        if "id" not in values:
            if model not in self.next_pk:
                largest = model._default_manager.aggregate(largest=Max("pk"))["largest"]
                self.next_pk[model] = (largest or 0) + 1
            values["id"] = self.next_pk[model]
            self.next_pk[model] += 1
        rec = Rec(values)
        self.pending[model].append(rec)
        self.waiting += 1
        return rec

    def flush_if_full(self) -> bool:
        if self.waiting < FLUSH_AT:
            return False
        self.flush()
        return True

    def flush(self) -> None:
        for model in self.order:
            recs = self.pending[model]
            if recs:
                table = self.tables[model]
                insert(model, table.fields, [table.row(rec.__dict__) for rec in recs])
                self.counts[model._meta.db_table] += len(recs)
                self.pending[model] = []
        self.waiting = 0

    def finish(self) -> None:
        """Insert what is left, put the foreign keys back (checking every row), and move each table's sequence past
        the keys given here."""
        self.flush()
        qn = connection.ops.quote_name
        with connection.cursor() as cursor:
            for table, name, definition in self.foreign_keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {qn(name)} {definition}")
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self.next_pk)):
                cursor.execute(sql)


def insert(model: type[models.Model], fields: list[models.Field[Any, Any]], rows: list[tuple[Any, ...]]) -> None:
    """Insert rows of database values: COPY on PostgreSQL, executemany in batches elsewhere. (bulk_create compiles
    every value into the SQL one at a time, which at this volume costs more than the database does.)"""
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    columns = ", ".join(qn(f.column) for f in fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(fields))
            sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608 - names from the models
            for start in range(0, len(rows), BATCH_SIZE):
                cursor.executemany(sql, rows[start : start + BATCH_SIZE])


@dataclass(eq=False)
class Person:
    user_id: int
    membership_id: int
    name: str
    joined: datetime.datetime
    left: datetime.datetime | None = None
    dob: datetime.date = datetime.date(2008, 1, 1)
    choice: str = PaymentChoice.MONEY
    rail: str = ""
    account_id: int | None = None
    media_consent_id: int | None = None
    digest: bool = False
    work_logs: int = 0
    claims: int = 0
    recommendations: int = 0
    engagements: int = 0

    def active_on(self, when: datetime.datetime) -> bool:
        return self.joined <= when and (self.left is None or when < self.left)

    def age_on(self, day: datetime.date) -> int:
        years = day.year - self.dob.year
        return years - 1 if day < birthday_in(self.dob, day.year) else years


@dataclass(eq=False)
class Eng:
    pk: int
    kind: str
    status: str
    starts: datetime.datetime
    ends: datetime.datetime
    attended: list[Person] = field(default_factory=list)


@dataclass
class Event:
    """A candidate audit row: something that happened to a row of the data set."""

    model: type[models.Model]
    pk: Any
    event_type: str
    payload: dict[str, Any]
    when: datetime.datetime
    actor_id: int | None


@dataclass
class Quota:
    young_people: int
    applications: int
    engagements: int
    work_logs: int
    recommendations: int
    timeline_entries: int
    audit_rows: int


@dataclass
class Built:
    partnership_id: int
    users: dict[str, int]
    counts: dict[str, int]


class World:
    """What every partnership shares: the clock, the random numbers, the rows, the secrets made once."""

    def __init__(self, *, seed: int, now: datetime.datetime) -> None:
        self.seed = seed
        self.now = now
        self.today = timezone.localdate(now)
        self.rows = Rows()
        self.password = make_password(BENCH_PASSWORD)
        self.totp = {"secret": encrypt(BENCH_TOTP_SECRET)}
        self.content_types: dict[type[models.Model], int] = {}
        # The measured partnership's library question is asked last, about the last partnership's example.
        self.last_example: int | None = None

    def content_type(self, model: type[models.Model]) -> int:
        if model not in self.content_types:
            self.content_types[model] = ContentType.objects.get_for_model(model).pk
        return self.content_types[model]

    def at(self, day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))


def share(total: int, parts: int, index: int) -> int:
    """Part `index` of `total` split as evenly as whole numbers allow (the first parts get the remainder)."""
    return total // parts + (1 if index < total % parts else 0)


def build(
    *,
    partnerships: int,
    young_people: int,
    applications: int,
    engagements: int,
    work_logs: int,
    recommendations: int,
    timeline_entries: int,
    audit_rows: int,
    seed: int,
    now: datetime.datetime,
    progress: Callable[[str], None] | None = None,
) -> Built:
    """Write the data set (in one transaction) and return the first partnership and one person per role in it."""
    with transaction.atomic():
        world = World(seed=seed, now=now)
        world.rows.start()
        first: PartnershipBuilder | None = None
        told = 0
        for index in range(partnerships):

            def part(total: int, index: int = index) -> int:
                return share(total, partnerships, index)

            quota = Quota(
                young_people=max(part(young_people), 4),
                applications=part(applications),
                engagements=max(part(engagements), 4),
                work_logs=part(work_logs),
                recommendations=part(recommendations),
                timeline_entries=part(timeline_entries),
                audit_rows=part(audit_rows),
            )
            builder = PartnershipBuilder(world, index, quota)
            builder.build()
            if first is None:
                first = builder
            if world.rows.flush_if_full() and progress and (index + 1) * 10 // partnerships > told:
                told = (index + 1) * 10 // partnerships  # about every tenth of the way
                progress(f"{index + 1} of {partnerships} partnerships: {sum(world.rows.counts.values())} rows")
        assert first is not None, "At least one partnership is needed."
        first.ask_about(world.last_example)
        world.rows.finish()
        return Built(partnership_id=first.pk, users=first.measured_users(), counts=dict(world.rows.counts))


class PartnershipBuilder:
    def __init__(self, world: World, index: int, quota: Quota) -> None:
        self.world = world
        self.rows = world.rows
        self.index = index
        self.quota = quota
        self.rng = random.Random(world.seed * 1_000_003 + index)
        self.now = world.now
        self.today = world.today
        self.staff: dict[str, Person] = {}
        self.finance_2: Person | None = None
        self.young: list[Person] = []
        self.engs: list[Eng] = []
        self.events: list[Event] = []
        self.pending_claims: list[tuple[Rec, Eng, Person, datetime.datetime, list[tuple[str, str, int]]]] = []
        self.rates: dict[tuple[str, str], tuple[int, str, int]] = {}
        prefix = AREA_FIRST[index % len(AREA_FIRST)]
        suffix = AREA_LAST[(index // len(AREA_FIRST)) % len(AREA_LAST)]
        round_ = index // (len(AREA_FIRST) * len(AREA_LAST))
        self.area = f"{prefix}{suffix}" + (f" {round_ + 1}" if round_ else "")
        self.slug = f"{SLUG_PREFIX}{index + 1:03d}"
        self.pk = 0

    # --- helpers ----------------------------------------------------------------------------------------------

    def add(self, model: type[models.Model], **values: Any) -> Rec:
        return self.rows.add(model, values)

    def event(
        self,
        model: type[models.Model],
        pk: Any,
        event_type: str,
        when: datetime.datetime,
        actor: Person | None,
        **kw: Any,
    ) -> None:
        self.events.append(Event(model, pk, event_type, kw, when, actor.user_id if actor else None))

    def days_ago(self, low: float, high: float) -> datetime.datetime:
        return self.now - datetime.timedelta(days=self.rng.uniform(low, high))

    def before_now(self, when: datetime.datetime) -> datetime.datetime:
        return min(when, self.now - MINUTE * self.rng.randint(5, 300))

    def name(self) -> str:
        return f"{self.rng.choice(FIRST_NAMES)} {self.rng.choice(LAST_NAMES)}"

    @property
    def worker(self) -> Person:
        return self.staff[Role.PARTICIPATION_WORKER]

    @property
    def lead(self) -> Person:
        return self.staff[Role.SAFEGUARDING_LEAD]

    @property
    def finance(self) -> Person:
        return self.staff[Role.FINANCE_OFFICER]

    @property
    def scrutiny(self) -> Person:
        return self.staff[Role.SCRUTINY_LEAD]

    @property
    def admin(self) -> Person:
        return self.staff[Role.PARTNERSHIP_ADMIN]

    # --- the partnership -----------------------------------------------------------------------------------------

    def build(self) -> None:
        partnership = self.add(
            Partnership,
            name=f"Bench {self.area} Safeguarding Children Partnership",
            slug=self.slug,
            area=f"{self.area} Council",
            contact_email=f"lscp@{self.slug}.{EMAIL_DOMAIN}",
            employs_young_people=self.index % 3 == 0,
            # Two years of applications are kept (the retention job would otherwise remove the closed ones).
            applicant_retention_days=1000,
            created_at=self.now - datetime.timedelta(days=PAST_DAYS + 200),
        )
        self.pk = partnership.pk
        self.people()
        self.settings()
        self.training()
        self.recruitment()
        self.engagements()
        self.payments()
        self.feedback()
        self.outputs()
        self.library()
        self.concerns()
        self.audit()

    def user(
        self,
        name: str,
        role_slug: str,
        n: int,
        joined: datetime.datetime,
        roles: Sequence[str],
        title: str = "",
        left: datetime.datetime | None = None,
    ) -> Person:
        email = f"{role_slug}{n}.{self.slug}@{EMAIL_DOMAIN}"
        user = self.add(
            User,
            email=email,
            full_name=name,
            preferred_name=name.split(" ")[0],
            password=self.world.password,
            date_joined=joined,
        )
        self.add(EmailAddress, user_id=user.pk, email=email, verified=True, primary=True)
        membership = self.add(
            Membership,
            partnership_id=self.pk,
            user_id=user.pk,
            job_title=title,
            created_at=joined,
            status=Membership.Status.ACTIVE if left is None else Membership.Status.SUSPENDED,
            **{role_field(role): role in roles for role in Role.values},
        )
        self.event(Membership, membership.pk, "membership.created", joined, None, roles=sorted(roles))
        if left is not None:
            self.event(
                Membership,
                membership.pk,
                "membership.status_changed",
                left,
                self.admin,
                **{"from": "active", "to": "suspended"},
            )
        return Person(user_id=user.pk, membership_id=membership.pk, name=name, joined=joined, left=left)

    def people(self) -> None:
        rng = self.rng
        started = self.now - datetime.timedelta(days=PAST_DAYS + 150)
        for n, (role, title) in enumerate(STAFF):
            person = self.user(self.name(), "staff", n, started, [role], title)
            self.add(Authenticator, user_id=person.user_id, type=Authenticator.Type.TOTP, data=self.world.totp)
            if role == Role.FINANCE_OFFICER and role in self.staff:
                self.finance_2 = person
            else:
                self.staff[role] = person
        assert self.finance_2 is not None
        for person in [*self.staff.values(), self.finance_2]:
            issued = self.today - DAY * rng.randint(60, 1000)
            check = self.add(
                StaffCheck,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                certificate_number=f"0012{rng.randint(10**7, 10**8 - 1)}",
                issued_on=issued,
                update_service=rng.random() < 0.5,
                renewal_due_on=birthday_in(issued, issued.year + 3),
                recorded_by_id=self.lead.user_id,
                recorded_at=self.world.at(issued, 11),
            )
            self.event(StaffCheck, check.pk, "staffcheck.recorded", check.recorded_at, self.lead)

        for n in range(self.quota.young_people):
            # Most joined before the two years began, the rest during them; a few have left.
            if rng.random() < 0.6:
                joined = self.days_ago(PAST_DAYS + 5, PAST_DAYS + 140)
            else:
                joined = self.days_ago(20, PAST_DAYS)
            age = rng.choices(range(13, 26), weights=[3, 5, 7, 8, 8, 7, 6, 5, 4, 3, 2, 2, 1])[0]
            dob = self.today - datetime.timedelta(days=age * 365.25 + rng.randint(0, 360))
            left = self.days_ago(1, (self.now - joined).days * 0.5 + 1) if n > 0 and rng.random() < 0.05 else None
            person = self.user(self.name(), "young", n, joined, [Role.YOUNG_PERSON], left=left)
            person.dob = dob
            self.young.append(person)
            self.add(
                YoungPersonProfile,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                date_of_birth=dob,
                pronouns=rng.choice(["", "she/her", "he/him", "they/them"]),
                updated_at=joined,
            )
            if rng.random() < 0.5:
                person.digest = rng.random() < 0.4
                self.add(
                    FeedbackPreference,
                    partnership_id=self.pk,
                    membership_id=person.membership_id,
                    email=FeedbackPreference.Email.DAILY if person.digest else FeedbackPreference.Email.IMMEDIATELY,
                    updated_at=joined + DAY,
                )
            self.payment_setup(person)
            self.onboarding(person)
            self.consents(person)
            if rng.random() < 0.6:
                when = self.days_ago(1, max(2.0, (self.now - joined).days))
                session = self.add(
                    SupportSession,
                    partnership_id=self.pk,
                    membership_id=person.membership_id,
                    kind=rng.choice(SupportSession.Kind.values),
                    held_on=timezone.localdate(when),
                    staff_id=self.worker.user_id,
                    restricted_notes="Talked about school, workload and how the last panel felt.",
                    agreed="Check in again after the next session.",
                    created_at=when,
                )
                if rng.random() < 0.2:
                    due = timezone.localdate(when) + DAY * rng.randint(7, 30)
                    self.add(
                        SupportFollowUp,
                        partnership_id=self.pk,
                        session_id=session.pk,
                        description="Send the travel information for the next session.",
                        owner_id=self.worker.user_id,
                        due_on=due,
                        status=SupportFollowUp.Status.DONE if due < self.today else SupportFollowUp.Status.OPEN,
                    )

    def payment_setup(self, person: Person) -> None:
        rng = self.rng
        choice = rng.choices(PaymentChoice.values, weights=[85, 10, 5])[0]
        person.choice = choice
        if choice == PaymentChoice.MONEY:
            person.rail = Rail.STRIPE if rng.random() < 0.7 else Rail.BANK
        elif choice == PaymentChoice.VOUCHERS:
            person.rail = Rail.VOUCHER
        setup = self.add(
            PaymentSetup,
            partnership_id=self.pk,
            membership_id=person.membership_id,
            choice=choice,
            rail=person.rail,
            updated_at=person.joined + DAY,
        )
        self.event(PaymentSetup, setup.pk, "paymentsetup.choice_set", person.joined + DAY, person, choice=choice)
        if person.rail in (Rail.STRIPE, Rail.BANK):
            stripe = person.rail == Rail.STRIPE
            account = self.add(
                PayeeAccount,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                rail=person.rail,
                holder_name=person.name,
                status=PayeeAccount.Status.ACTIVE,
                stripe_account_id=f"acct_bench{person.membership_id}" if stripe else None,
                details_submitted=stripe,
                payouts_enabled=stripe,
                bank_account_name="" if stripe else person.name.upper()[:18],
                bank_sort_code="" if stripe else "404784",
                bank_account_number="" if stripe else f"{70000000 + person.membership_id % 10**7:08d}",
                created_at=person.joined + DAY,
                updated_at=person.joined + DAY,
            )
            person.account_id = account.pk

    def onboarding(self, person: Person) -> None:
        under_16 = person.age_on(timezone.localdate(person.joined)) < 16
        recent = (self.now - person.joined).days < 60
        for order, entry in enumerate(CHECKLIST):
            if entry.under_16_only and not under_16:
                continue
            done = not recent or self.rng.random() < 0.5
            self.add(
                OnboardingItem,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                key=entry.key,
                kind=entry.kind,
                label=entry.label,
                hint=entry.hint,
                order=order,
                status=OnboardingItem.Status.DONE if done else OnboardingItem.Status.TO_DO,
                completed_at=person.joined + DAY * 7 if done else None,
                completed_by_id=self.worker.user_id if done else None,
                created_at=person.joined,
            )

    def consents(self, person: Person) -> None:
        """Consents that count today: taken after the latest 16th or 18th birthday (they are asked again then), and
        from a parent or carer for an under-16."""
        rng = self.rng
        age = person.age_on(self.today)
        given = self.days_ago(5, 300)
        for milestone in (16, 18):
            birthday = birthday_in(person.dob, person.dob.year + milestone)
            if birthday <= self.today:
                given = max(given, self.world.at(birthday, 12))
        given = self.before_now(max(given, person.joined))
        under_16 = age < 16
        parent = f"Parent of {person.name}"

        def consent(kind: str, status: str = Consent.Status.GIVEN, by_parent: bool = False) -> Rec:
            row = self.add(
                Consent,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                consent_type=kind,
                status=status,
                given_by_name=parent if by_parent else person.name,
                relationship=rng.choice(["Mother", "Father", "Carer"]) if by_parent else "Self",
                method=ConsentMethod.SIGNED_LINK if by_parent else ConsentMethod.IN_ACCOUNT,
                scope="",
                given_at=given,
                age_when_given=person.age_on(timezone.localdate(given)),
                recorded_by_id=None if by_parent else person.user_id,
            )
            self.event(Consent, row.pk, "consent.recorded", given, None if by_parent else person, type=kind)
            return row

        consent(ConsentType.TAKING_PART)
        if under_16:
            parent_consent = consent(ConsentType.PARENT_CARER, by_parent=True)
            self.add(
                ConsentRequest,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                parent_name=parent,
                parent_email=f"parent.{person.membership_id}@{EMAIL_DOMAIN}",
                created_by_id=self.worker.user_id,
                created_at=given - DAY * 2,
                expires_at=given + DAY * 12,
                used_at=given,
                consent_id=parent_consent.pk,
            )
        consent(ConsentType.EMERGENCY_MEDICAL, by_parent=under_16)
        roll = rng.random()
        if roll < 0.8:
            media = consent(ConsentType.MEDIA, by_parent=under_16)
            person.media_consent_id = media.pk
        elif roll < 0.9:
            consent(ConsentType.MEDIA, status=Consent.Status.REFUSED, by_parent=under_16)

    # --- settings, rates, templates ---------------------------------------------------------------------------

    def settings(self) -> None:
        rng = self.rng
        start = self.now - datetime.timedelta(days=PAST_DAYS + 100)
        self.add(SafeguardingPolicy, partnership_id=self.pk, allow_competence_for_parent_consent=rng.random() < 0.3)
        self.add(ExpensesPolicy, partnership_id=self.pk, updated_by_id=self.finance.user_id, updated_at=start)
        self.add(
            FeedbackSettings,
            partnership_id=self.pk,
            public_page=self.index % 2 == 0,
            public_intro="What young people told us, and what we did about it.",
            updated_by_id=self.scrutiny.user_id,
            updated_at=start,
        )
        effective = timezone.localdate(start) - DAY * 30
        for kind, (_, preparation, _) in TYPES.items():
            session = kind == OpportunityType.FOCUS_GROUP
            self.add(
                OpportunityTypeSetting,
                partnership_id=self.pk,
                opportunity_type=kind,
                pay_basis=PayBasis.SESSION if session else PayBasis.HOURLY,
                pay_note="£30 for the session" if session else "£9 to £13 an hour, by age",
                is_filmed=kind in FILMED,
                preparation_minutes=preparation,
                briefing_notes="What to expect, who will be there, and how we look after you.",
                updated_by_id=self.worker.user_id,
                updated_at=start,
            )
            self.add(
                RiskAssessmentTemplate,
                partnership_id=self.pk,
                opportunity_type=kind,
                hazards=[
                    {"hazard": "Upsetting topics come up", "control": "Content warning, a quiet room, a debrief."},
                    {"hazard": "Travelling home after dark", "control": "Finish by 18:30; taxi home if wanted."},
                ],
                updated_at=start,
            )
            for band in AgeBand.values:
                rate = self.add(
                    PayRate,
                    partnership_id=self.pk,
                    opportunity_type=kind,
                    age_band=band,
                    basis=PayBasis.SESSION if session else PayBasis.HOURLY,
                    amount_pence=SESSION_FEE_PENCE if session else HOURLY_PENCE[AgeBand(band)],
                    effective_from=effective,
                    created_by_id=self.finance.user_id,
                    created_at=start,
                )
                self.rates[(kind, band)] = (rate.pk, rate.basis, rate.amount_pence)
                self.event(PayRate, rate.pk, "payrate.added", start, self.finance)

    def training(self) -> None:
        rng = self.rng
        active = [p for p in self.young if p.left is None]
        for title, key, validity, required, coverage in MODULES:
            module = self.add(
                TrainingModule,
                partnership_id=self.pk,
                title=title,
                description=f"{title}: what it covers and why it matters.",
                delivery_mode=rng.choice(TrainingModule.Mode.values),
                duration_minutes=rng.choice([45, 60, 90, 120]),
                validity_months=validity,
                required_for=required,
                onboarding_key=key,
            )
            for days in (-rng.randint(20, 90), rng.randint(7, 45)):
                starts = self.world.at(self.today + DAY * days, 17)
                session = self.add(
                    TrainingSession,
                    partnership_id=self.pk,
                    module_id=module.pk,
                    starts_at=starts,
                    ends_at=starts + MINUTE * (module.duration_minutes or 60),
                    location=rng.choice(["Online", "Youth Hub, room 2", "Civic Centre"]),
                    places=12,
                    trainer="Participation team",
                )
                past = days < 0
                for person in rng.sample(active, min(len(active), rng.randint(3, 8))):
                    self.add(
                        TrainingBooking,
                        partnership_id=self.pk,
                        session_id=session.pk,
                        membership_id=person.membership_id,
                        status=TrainingBooking.Attendance.ATTENDED if past else TrainingBooking.Attendance.BOOKED,
                        created_at=starts - DAY * rng.randint(3, 20),
                    )
            for person in self.young:
                if rng.random() > coverage:
                    continue
                if validity and rng.random() < 0.1:  # lapsed
                    completed = self.today - DAY * rng.randint(validity * 31, validity * 31 + 200)
                elif validity:
                    completed = self.today - DAY * rng.randint(1, validity * 30 - 5)
                else:
                    completed = self.today - DAY * rng.randint(1, 900)
                expires = birthday_in(completed, completed.year + validity // 12) if validity else None
                if validity and validity % 12:
                    expires = completed + DAY * (validity * 30)
                record = self.add(
                    TrainingRecord,
                    partnership_id=self.pk,
                    membership_id=person.membership_id,
                    module_id=module.pk,
                    completed_on=completed,
                    expires_on=expires,
                    signed_off_by_id=self.worker.user_id,
                    created_at=self.world.at(completed, 18),
                )
                self.event(TrainingRecord, record.pk, "training.record_created", record.created_at, self.worker)

    # --- recruitment -------------------------------------------------------------------------------------------

    def recruitment(self) -> None:
        rng = self.rng
        st = Application.Status
        spans = [(PAST_DAYS + 30, PAST_DAYS - 30), (400, 340), (14, -28)]
        counts = [share(self.quota.applications, 3, n) for n in range(3)]
        accepted_for = iter(self.young)
        for n, ((opened, closes), how_many) in enumerate(zip(spans, counts, strict=True)):
            current = n == 2
            opens_on = self.today - DAY * opened
            closes_on = self.today - DAY * closes
            round_ = self.add(
                RecruitmentRound,
                partnership_id=self.pk,
                public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
                title=f"Young Scrutineers {opens_on.year} intake" + (" (spring)" if n == 1 else ""),
                description="Help us check how well children and young people are kept safe. It is paid.",
                opens_on=opens_on,
                closes_on=closes_on,
                places=rng.randint(10, 20),
                min_age=13,
                max_age=21,
                is_published=True,
                created_by_id=self.worker.user_id,
                created_at=self.world.at(opens_on, 9) - DAY * 10,
            )
            self.event(RecruitmentRound, round_.pk, "round.created", round_.created_at, self.worker)
            questions = [
                self.add(RoundQuestion, partnership_id=self.pk, round_id=round_.pk, text=text, kind=kind, order=order)
                for order, (text, kind) in enumerate(
                    [
                        ("Why would you like to be a young scrutineer?", RoundQuestion.Kind.LONG_TEXT),
                        (
                            "What would you change about how adults listen to young people?",
                            RoundQuestion.Kind.LONG_TEXT,
                        ),
                        ("Can you get to meetings after school?", RoundQuestion.Kind.YES_NO),
                    ]
                )
            ]
            criteria = [
                self.add(ScoringCriterion, partnership_id=self.pk, round_id=round_.pk, label=label, order=order)
                for order, label in enumerate(["Motivation", "Listening to others", "Lived experience"])
            ]
            links = [
                self.add(
                    OutreachLink,
                    partnership_id=self.pk,
                    round_id=round_.pk,
                    channel=channel,
                    label=f"{OutreachChannel(channel).label} in {self.area}",
                    code=f"b{self.index}r{n}c{k}",
                )
                for k, channel in enumerate(CHANNELS)
            ]
            slots = []
            if current:
                for k in range(6):
                    starts = self.world.at(self.today + DAY * (10 + k // 2), 16 + k % 2)
                    slots.append(
                        self.add(
                            InterviewSlot,
                            partnership_id=self.pk,
                            round_id=round_.pk,
                            starts_at=starts,
                            ends_at=starts + MINUTE * 30,
                            location="Youth Hub",
                            capacity=4,
                        )
                    )
            if current:
                outcomes = [
                    st.DRAFT,
                    st.SUBMITTED,
                    st.SCREENING,
                    st.INTERVIEW,
                    st.OFFERED,
                    st.WITHDRAWN,
                    st.UNSUCCESSFUL,
                ]
                weights = [10, 30, 25, 15, 10, 5, 5]
            else:
                outcomes = [st.ACCEPTED, st.UNSUCCESSFUL, st.WITHDRAWN, st.DECLINED]
                weights = [30, 45, 18, 7]
            opened_at = self.world.at(opens_on, 9)
            span = max(1.0, (min(self.world.at(closes_on, 17), self.now) - opened_at).total_seconds())
            for k in range(how_many):
                status = rng.choices(outcomes, weights=weights)[0]
                created = opened_at + datetime.timedelta(seconds=rng.uniform(0, span))
                self.application(round_, n, k, status, created, questions, criteria, links, slots, accepted_for)

    def application(
        self,
        round_: Rec,
        n: int,
        k: int,
        status: str,
        created: datetime.datetime,
        questions: list[Rec],
        criteria: list[Rec],
        links: list[Rec],
        slots: list[Rec],
        accepted_for: Any,
    ) -> None:
        rng = self.rng
        st = Application.Status
        person: Person | None = next(accepted_for, None) if status == st.ACCEPTED else None
        name = person.name if person else self.name()
        age = rng.randint(13, 21)
        dob = timezone.localdate(created) - datetime.timedelta(days=age * 365.25 + rng.randint(0, 360))
        submitted = None if status == st.DRAFT else self.before_now(created + HOUR * rng.uniform(0.2, 72))
        paths: dict[str, list[str]] = {
            st.DRAFT: [],
            st.SUBMITTED: [st.SUBMITTED],
            st.SCREENING: [st.SUBMITTED, st.SCREENING],
            st.INTERVIEW: [st.SUBMITTED, st.SCREENING, st.INTERVIEW],
            st.OFFERED: [st.SUBMITTED, st.SCREENING, st.INTERVIEW, st.OFFERED],
            st.ACCEPTED: [st.SUBMITTED, st.SCREENING, st.INTERVIEW, st.OFFERED, st.ACCEPTED],
            st.DECLINED: [st.SUBMITTED, st.SCREENING, st.OFFERED, st.DECLINED],
            st.UNSUCCESSFUL: [st.SUBMITTED, st.SCREENING, st.UNSUCCESSFUL],
            st.WITHDRAWN: [st.SUBMITTED, st.WITHDRAWN],
        }
        path = paths[status]
        moments = []
        when = submitted or created
        for _ in path:
            moments.append(when)
            when = self.before_now(when + DAY * rng.uniform(1, 10))
        closed = moments[-1] if status in Application.CLOSED else None
        link = rng.choice(links) if rng.random() < 0.75 else None
        application = self.add(
            Application,
            partnership_id=self.pk,
            public_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            round_id=round_.pk,
            status=status,
            full_name=name,
            preferred_name=name.split(" ")[0],
            email=f"applicant{n}-{k}.{self.slug}@{EMAIL_DOMAIN}",
            date_of_birth=dob,
            parent_carer_name=f"Parent of {name}" if age < 16 else "",
            parent_carer_relationship="Parent" if age < 16 else "",
            parent_carer_email=f"parent{n}-{k}.{self.slug}@{EMAIL_DOMAIN}" if age < 16 else "",
            answers={
                str(questions[0].pk): "I want adults to really hear what young people say.",
                str(questions[1].pk): "Ask us before deciding, not after.",
                str(questions[2].pk): "yes",
            },
            outreach_link_id=link.pk if link else None,
            interview_slot_id=rng.choice(slots).pk if slots and status in (st.INTERVIEW, st.OFFERED) else None,
            membership_id=person.membership_id if person else None,
            created_at=created,
            updated_at=moments[-1] if moments else created,
            submitted_at=submitted,
            closed_at=closed,
        )
        before: str = st.DRAFT
        for step, at in zip(path, moments, strict=True):
            by_applicant = step in (st.SUBMITTED, st.WITHDRAWN, st.ACCEPTED, st.DECLINED)
            actor = None if by_applicant else self.worker
            self.add(
                ApplicationEvent,
                partnership_id=self.pk,
                application_id=application.pk,
                actor_id=actor.user_id if actor else None,
                by_applicant=by_applicant,
                from_status=before,
                to_status=step,
                reason="Not eligible this time." if step == st.UNSUCCESSFUL else "",
                created_at=at,
            )
            self.event(
                Application, application.pk, "application.status_changed", at, actor, **{"from": before, "to": step}
            )
            before = step
        if submitted is not None:
            self.add(
                EqualityResponse,
                id=uuid.UUID(int=rng.getrandbits(128), version=4),
                partnership_id=self.pk,
                round_id=round_.pk,
                answers={"gender": rng.choice(["woman", "man", "non_binary", "prefer_not_to_say"])},
            )
        if st.INTERVIEW in path:
            for scorer in (self.worker, self.admin):
                for criterion in criteria:
                    self.add(
                        PanelScore,
                        partnership_id=self.pk,
                        application_id=application.pk,
                        criterion_id=criterion.pk,
                        scorer_id=scorer.user_id,
                        score=rng.randint(1, 5),
                        updated_at=moments[-1],
                    )

    # --- engagements: interest, selection, attendance, work logs ------------------------------------------------

    def engagements(self) -> None:
        rng = self.rng
        n = self.quota.engagements
        kinds = list(TYPES)
        weights = [TYPES[k][2] for k in kinds]
        span = PAST_DAYS + FUTURE_DAYS
        for k in range(n):
            offset = -PAST_DAYS + (k + rng.random()) * span / n  # evenly spread, never two on the same instant
            day = self.today + DAY * int(offset)
            weekend = day.weekday() >= 5
            starts = self.world.at(day, 10 if weekend else rng.choice([16, 17]), rng.choice([0, 30]))
            kind = rng.choices(kinds, weights=weights)[0]
            ends = starts + MINUTE * TYPES[kind][0]
            if starts > self.now:
                status = rng.choices(
                    [Engagement.Status.PUBLISHED, Engagement.Status.DRAFT, Engagement.Status.CANCELLED], [85, 10, 5]
                )[0]
            elif ends > self.now - DAY * 7:
                status = rng.choice([Engagement.Status.PUBLISHED, Engagement.Status.COMPLETED])
            else:
                status = rng.choices([Engagement.Status.COMPLETED, Engagement.Status.CANCELLED], [94, 6])[0]
            self.engs.append(Eng(pk=0, kind=kind, status=status, starts=starts, ends=ends))
        completed = [e for e in self.engs if e.status == Engagement.Status.COMPLETED]
        self.choose_attendees(completed)
        for eng in self.engs:
            self.engagement(eng)

    def choose_attendees(self, completed: list[Eng]) -> None:
        """Exactly the partnership's share of work logs: one per attended place, spread over the completed
        engagements (each among the young people who were members on the day)."""
        need = [share(self.quota.work_logs, len(completed), j) for j in range(len(completed))] if completed else []
        eligible = [[p for p in self.young if p.active_on(e.starts)] for e in completed]
        carry = 0
        for j in range(len(completed)):
            want = need[j] + carry
            need[j] = min(want, len(eligible[j]))
            carry = want - need[j]
        for j in reversed(range(len(completed))):  # what early engagements could not take, later ones do
            room = len(eligible[j]) - need[j]
            extra = min(room, carry)
            need[j] += extra
            carry -= extra
        for eng, count, pool in zip(completed, need, eligible, strict=True):
            eng.attended = self.rng.sample(pool, count)

    def engagement(self, eng: Eng) -> None:
        rng = self.rng
        preparation = TYPES[eng.kind][1]
        label = OpportunityType(eng.kind).label
        agency = rng.choice(AGENCIES)
        published = None
        if eng.status != Engagement.Status.DRAFT:
            published = self.before_now(eng.starts - DAY * rng.randint(14, 45))
        created = (published or self.before_now(eng.starts - DAY * 30)) - DAY * rng.randint(1, 10)
        places = max(6, len(eng.attended) + rng.randint(0, 3))
        location = "Online" if eng.kind == OpportunityType.FOCUS_GROUP and rng.random() < 0.3 else "Civic Centre"
        row = self.add(
            Engagement,
            partnership_id=self.pk,
            title=f"{label}: {agency}",
            opportunity_type=eng.kind,
            status=eng.status,
            topic=rng.choice(THEMES),
            commissioned_by="The partnership's scrutiny group",
            scrutiny_lead_id=self.scrutiny.user_id,
            description=f"Young people look at how {agency} keeps children safe, and say what should change.",
            starts_at=eng.starts,
            ends_at=eng.ends,
            preparation_minutes=preparation,
            location=location,
            is_online=location == "Online",
            is_filmed=eng.kind in FILMED,
            places=places,
            pay_basis=PayBasis.SESSION if eng.kind == OpportunityType.FOCUS_GROUP else PayBasis.HOURLY,
            agencies_under_review=[agency],
            section_11_standards=(
                rng.sample(Section11Standard.values, 3) if eng.kind == OpportunityType.SECTION_11_PANEL else []
            ),
            staff_lead_id=self.worker.user_id,
            created_by_id=self.worker.user_id,
            created_at=created,
            published_at=published,
            cancelled_reason="Not enough young people could come." if eng.status == "cancelled" else "",
        )
        eng.pk = row.pk
        self.event(Engagement, row.pk, "engagement.created", created, self.worker, opportunity_type=eng.kind)
        if published:
            self.event(
                Engagement,
                row.pk,
                "engagement.status_changed",
                published,
                self.worker,
                **{"from": "draft", "to": "published"},
            )
        if eng.status in (Engagement.Status.PUBLISHED, Engagement.Status.COMPLETED):
            self.add(
                RiskAssessment,
                partnership_id=self.pk,
                engagement_id=row.pk,
                status=RiskAssessment.Status.APPROVED,
                venue="Accessible building, quiet room available.",
                staff_count=2,
                young_people_count=places,
                prepared_by_id=self.worker.user_id,
                approved_by_id=self.lead.user_id,
                approved_at=created + DAY,
                updated_at=created + DAY,
            )
        if eng.status == Engagement.Status.COMPLETED:
            self.completed(eng, published or created)
        elif eng.status == Engagement.Status.PUBLISHED:
            self.open_interest(eng, published or created)

    def interest(
        self, eng: Eng, person: Person, status: str, when: datetime.datetime, decided: datetime.datetime | None
    ) -> None:
        interest = self.add(
            Interest,
            partnership_id=self.pk,
            engagement_id=eng.pk,
            membership_id=person.membership_id,
            status=status,
            note="",
            reason="Places were limited this time." if status == Interest.Status.NOT_SELECTED else "",
            created_at=when,
            decided_by_id=self.worker.user_id if decided else None,
            decided_at=decided,
        )
        self.event(Interest, interest.pk, "interest.expressed", when, person, engagement=eng.pk)
        if status == Interest.Status.CONFIRMED:
            self.add(Engagement.attendees.through, engagement_id=eng.pk, membership_id=person.membership_id)
            person.engagements += 1

    def open_interest(self, eng: Eng, published: datetime.datetime) -> None:
        """A published engagement: some young people interested, a few confirmed, some waiting."""
        rng = self.rng
        pool = [p for p in self.young if p.left is None]
        chosen = rng.sample(pool, min(len(pool), rng.randint(3, 12)))
        decided = self.before_now(published + DAY * rng.uniform(2, 10))
        for person in chosen:
            status = rng.choices(
                [Interest.Status.INTERESTED, Interest.Status.CONFIRMED, Interest.Status.WAITING], [55, 30, 15]
            )[0]
            when = self.before_now(published + HOUR * rng.uniform(1, 96))
            self.interest(eng, person, status, when, decided if status != Interest.Status.INTERESTED else None)

    def completed(self, eng: Eng, published: datetime.datetime) -> None:
        rng = self.rng
        others = [p for p in self.young if p.active_on(eng.starts) and p not in eng.attended]
        absent = rng.sample(others, 1) if others and rng.random() < 0.3 else []
        rest = [p for p in others if p not in absent]
        not_selected = rng.sample(rest, min(len(rest), rng.randint(0, 3)))
        decided = eng.starts - DAY * rng.uniform(3, 10)
        for person in [*eng.attended, *absent]:
            self.interest(eng, person, Interest.Status.CONFIRMED, decided - DAY * rng.uniform(1, 5), decided)
        for person in not_selected:
            self.interest(eng, person, Interest.Status.NOT_SELECTED, decided - DAY * rng.uniform(1, 5), decided)
        marked = eng.starts + MINUTE * 10
        for person in absent:
            self.attendance(eng, person, Attendance.Status.ABSENT, marked)
        minutes, preparation, _ = TYPES[eng.kind]
        age_days = (self.now - eng.ends).total_seconds() / 86400
        for person in eng.attended:
            status = rng.choices(
                [Attendance.Status.PRESENT, Attendance.Status.LATE, Attendance.Status.LEFT_EARLY], [90, 7, 3]
            )[0]
            self.attendance(eng, person, status, marked)
            session = minutes - (15 if status == Attendance.Status.LATE else 0)
            session -= 30 if status == Attendance.Status.LEFT_EARLY else 0
            self.work_log(eng, person, age_days, preparation, session)

    def attendance(self, eng: Eng, person: Person, status: str, when: datetime.datetime) -> None:
        row = self.add(
            Attendance,
            partnership_id=self.pk,
            engagement_id=eng.pk,
            membership_id=person.membership_id,
            status=status,
            recorded_by_id=self.worker.user_id,
            recorded_at=when,
        )
        self.event(Attendance, row.pk, "attendance.marked", when, self.worker, status=status)

    def work_log(self, eng: Eng, person: Person, age_days: float, preparation: int, session: int) -> None:
        rng = self.rng
        wl = WorkLog.Status
        # Approving a log makes its claim at once (payments' claim_create_when_approved), so an approved log without
        # a claim is rare: one whose claim could not be made. The newest logs still wait for approval.
        if age_days > 14:
            status = rng.choices([wl.CLAIMED, wl.REJECTED, wl.APPROVED], [97, 2, 1])[0]
        else:
            status = rng.choices([wl.SUBMITTED, wl.DRAFT, wl.CLAIMED, wl.APPROVED], [45, 25, 25, 5])[0]
        travel = rng.choice([0, 0, 15, 30, 45, 60])
        created = self.before_now(eng.ends + HOUR * rng.uniform(1, 72))
        submitted = None if status == wl.DRAFT else self.before_now(created + HOUR * rng.uniform(0.1, 24))
        decided = None
        if status in (wl.APPROVED, wl.CLAIMED, wl.REJECTED) and submitted is not None:
            decided = self.before_now(submitted + DAY * rng.uniform(1, 5))
        approved = status in (wl.APPROVED, wl.CLAIMED)
        adjusted = approved and rng.random() < 0.1
        log = self.add(
            WorkLog,
            partnership_id=self.pk,
            engagement_id=eng.pk,
            membership_id=person.membership_id,
            status=status,
            preparation_minutes=preparation,
            session_minutes=session,
            travel_minutes=travel,
            approved_preparation_minutes=(preparation if not adjusted else preparation // 2) if approved else None,
            approved_session_minutes=session if approved else None,
            approved_travel_minutes=travel if approved else None,
            decision_reason=(
                "Preparation was shorter than planned."
                if adjusted
                else ("Not at this session." if status == wl.REJECTED else "")
            ),
            decided_by_id=self.worker.user_id if decided else None,
            decided_at=decided,
            submitted_at=submitted,
            created_at=created,
            updated_at=decided or submitted or created,
        )
        person.work_logs += 1
        self.event(WorkLog, log.pk, "worklog.draft_saved", created, person)
        if decided is not None:
            self.event(
                WorkLog, log.pk, "worklog.status_changed", decided, self.worker, **{"from": "submitted", "to": status}
            )
        expenses: list[tuple[str, str, int]] = []
        if rng.random() < 0.25:
            kind, text, pence = rng.choice(
                [
                    (Expense.Kind.TRAVEL, "Bus fare", rng.choice([250, 320, 480, 560])),
                    (Expense.Kind.TRAVEL, "Train ticket", rng.choice([740, 1150, 1320])),
                    (Expense.Kind.FOOD, "Lunch", rng.choice([450, 600, 850])),
                ]
            )
            expenses.append((kind, text, pence))
            self.add(
                Expense,
                partnership_id=self.pk,
                work_log_id=log.pk,
                kind=kind,
                description=text,
                amount=Decimal(pence) / 100,
                approved_amount=Decimal(pence) / 100 if approved else None,
                receipt_kind="",
                created_at=created,
            )
        if rng.random() < 0.1:
            score = rng.choices([1, 2, 3, 4, 5], [3, 7, 20, 40, 30])[0]
            checkin = self.add(
                WellbeingCheckIn,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                engagement_id=eng.pk,
                score=score,
                wants_to_talk=score <= 2,
                created_at=created,
            )
            if score <= 2:
                self.add(
                    FollowUpTask,
                    partnership_id=self.pk,
                    membership_id=person.membership_id,
                    checkin_id=checkin.pk,
                    assigned_to_id=self.lead.user_id,
                    reason="A low score after the session, and they would like to talk.",
                    due_at=created + DAY * 2,
                    status=FollowUpTask.Status.DONE if created < self.now - DAY * 5 else FollowUpTask.Status.OPEN,
                    created_at=created,
                )
        if status == wl.CLAIMED and decided is not None:
            self.pending_claims.append((log, eng, person, decided, expenses))

    # --- payments: claims, batches, payouts ---------------------------------------------------------------------

    def payments(self) -> None:
        """Claims for the claimed work logs: paid (in last months' batches), in this month's draft batch, or open."""
        rng = self.rng
        monthly: dict[tuple[int, int], Rec] = {}
        draft = self.add(
            PaymentBatch,
            partnership_id=self.pk,
            reference=f"PAY-{self.today:%Y%m}-DRAFT",
            status=PaymentBatch.Status.DRAFT,
            created_by_id=self.finance.user_id,
            created_at=self.now - DAY * 3,
        )
        self.event(PaymentBatch, draft.pk, "paymentbatch.created", draft.created_at, self.finance)
        assert self.finance_2 is not None
        for log, eng, person, decided, expenses in self.pending_claims:
            created = self.before_now(decided + HOUR * rng.uniform(0.1, 48))
            work_date = timezone.localdate(eng.starts)
            band = age_band_for_age(person.age_on(work_date))
            rate_pk, basis, amount = self.rates[(eng.kind, band)]
            worked = (log.approved_preparation_minutes or 0) + (log.approved_session_minutes or 0)
            declined = person.choice == PaymentChoice.DECLINED
            if declined:
                pay, expenses = 0, []
                pay_text = ("Pay for your time", "You chose not to be paid for your time")
            elif basis == PayBasis.SESSION:
                pay = amount
                pay_text = ("Session fee", f"A fee of £{amount / 100:.2f} for the session")
            else:
                pay = (worked * amount + 30) // 60
                pay_text = ("Pay for your time", f"{worked} minutes at £{amount / 100:.2f} an hour")
            expenses_pence = sum(p for _, _, p in expenses)
            age_days = (self.now - created).days
            batch: Rec | None = None
            failed = False
            if declined:
                status = Claim.Status.DECLINED
            elif age_days > 35:
                failed = rng.random() < 0.02
                status = Claim.Status.FAILED if failed else Claim.Status.PAID
                key = (created.year, created.month)
                if key not in monthly:
                    monthly[key] = self.monthly_batch(created)
                batch = monthly[key]
            elif age_days > 12:
                status, batch = Claim.Status.BATCHED, draft
            else:
                status = Claim.Status.OPEN
            claim = self.add(
                Claim,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                work_log_id=log.pk,
                engagement_id=eng.pk,
                status=status,
                work_date=work_date,
                age_band=band,
                choice=person.choice,
                rate_id=None if declined else rate_pk,
                pay_pence=pay,
                expenses_pence=expenses_pence,
                total_pence=pay + expenses_pence,
                batch_id=batch.pk if batch else None,
                created_by_id=None,
                created_at=created,
            )
            person.claims += 1
            self.event(Claim, claim.pk, "claim.created", created, None, total=pay + expenses_pence)
            self.add(
                ClaimLine,
                partnership_id=self.pk,
                claim_id=claim.pk,
                kind=ClaimLine.Kind.PAY,
                description=pay_text[0],
                explanation=pay_text[1],
                amount_pence=pay,
            )
            for _, text, pence in expenses:
                self.add(
                    ClaimLine,
                    partnership_id=self.pk,
                    claim_id=claim.pk,
                    kind=ClaimLine.Kind.EXPENSE,
                    description=f"{text} (receipt)",
                    explanation="Repaid in full: within the expenses policy.",
                    amount_pence=pence,
                )
            if batch is not None and batch is not draft:
                self.payout(claim, batch, person, failed)
        self.pending_claims = []

    def monthly_batch(self, claimed: datetime.datetime) -> Rec:
        rng = self.rng
        assert self.finance_2 is not None
        first_of_next = (claimed.replace(day=28) + DAY * 4).replace(day=1)
        created = self.world.at(timezone.localdate(first_of_next) + DAY * 2, 10)
        batch = self.add(
            PaymentBatch,
            partnership_id=self.pk,
            reference=f"PAY-{claimed:%Y%m}",
            status=PaymentBatch.Status.SUBMITTED,
            created_by_id=self.finance.user_id,
            created_at=created,
            approved_by_id=self.finance_2.user_id,
            approved_at=created + HOUR * rng.uniform(2, 30),
        )
        batch.submitted_at = (batch.approved_at or created) + MINUTE
        batch.finished_at = batch.submitted_at + MINUTE * rng.randint(2, 20)
        self.event(PaymentBatch, batch.pk, "paymentbatch.created", created, self.finance)
        self.event(
            PaymentBatch, batch.pk, "paymentbatch.status_changed", batch.approved_at or created, self.finance_2,
            **{"from": "draft", "to": "approved"},
        )  # fmt: skip
        return batch

    def payout(self, claim: Rec, batch: Rec, person: Person, failed: bool) -> None:
        sent = batch.submitted_at or batch.created_at
        payout = self.add(
            Payout,
            partnership_id=self.pk,
            batch_id=batch.pk,
            claim_id=claim.pk,
            rail=person.rail,
            payee_account_id=person.account_id,
            payee_name=person.name,
            amount_pence=claim.total_pence,
            status=Payout.Status.FAILED if failed else Payout.Status.PAID,
            attempts=1,
            failure_reason="The bank account was closed." if failed else "",
            sent_at=sent,
            paid_at=None if failed else sent + DAY * 2,
            failed_at=sent + DAY * 2 if failed else None,
            remittance_sent_at=None if failed else sent + DAY * 2,
            created_at=sent,
        )
        if person.rail == Rail.STRIPE:
            payout.stripe_transfer_id = f"tr_bench{payout.pk}"
        elif person.rail == Rail.VOUCHER and not failed:
            self.add(
                Voucher,
                partnership_id=self.pk,
                payout_id=payout.pk,
                supplier="High Street Vouchers",
                value_pence=claim.total_pence,
                code=f"HSV-{payout.pk:010d}",
                issued_on=timezone.localdate(sent),
                issued_by_id=self.finance.user_id,
            )
        self.event(
            Payout, payout.pk, "payout.status_changed", sent + DAY * 2, None,
            **{"from": "sent", "to": payout.status},
        )  # fmt: skip

    # --- the feedback loop --------------------------------------------------------------------------------------

    def feedback(self) -> None:
        rng = self.rng
        recs = self.quota.recommendations
        if not recs:
            return
        pool = [e for e in self.engs if e.status == Engagement.Status.COMPLETED and e.attended]
        if not pool:
            return
        results = [
            self.add(
                Result,
                partnership_id=self.pk,
                title=title,
                description="Several recommendations that add up to one change.",
                created_by_id=self.scrutiny.user_id,
                created_at=self.now - DAY * 300,
            )
            for title in ["Young people's voice in every review", "Safer online spaces", "Better mental health support"]
        ]
        # Each response gets its first entry ("response recorded"); the rest of the timeline goes mostly to older ones.
        made: list[tuple[Rec, datetime.datetime, list[Person], bool]] = []
        for _ in range(recs):
            eng = rng.choice(pool)
            created = self.before_now(eng.ends + DAY * rng.uniform(1, 10))
            contributors = rng.sample(eng.attended, min(len(eng.attended), rng.randint(1, 4)))
            agency = rng.choice(AGENCIES)
            rec = self.add(
                Recommendation,
                partnership_id=self.pk,
                engagement_id=eng.pk,
                text=f"{agency} should ask young people before changing how they work with them.",
                theme=rng.choice(THEMES),
                agency=agency,
                section_11_standard=(
                    rng.choice(Section11Standard.values) if eng.kind == OpportunityType.SECTION_11_PANEL else ""
                ),
                result_id=rng.choice(results).pk if rng.random() < 0.4 else None,
                weight=rng.randint(1, 5),
                is_public=rng.random() < 0.3,
                created_by_id=self.scrutiny.user_id,
                created_at=created,
            )
            self.event(Recommendation, rec.pk, "recommendation.created", created, self.scrutiny)
            for person in contributors:
                person.recommendations += 1
                self.add(
                    RecommendationContributor,
                    partnership_id=self.pk,
                    recommendation_id=rec.pk,
                    membership_id=person.membership_id,
                    is_anonymous=rng.random() < 0.2,
                )
            response, rated = self.response(rec, agency, created)
            made.append((response, created, contributors, rated))
        entries = self.quota.timeline_entries
        first = min(entries, len(made))
        extra = [0] * len(made)
        weights = [max(1.0, (self.now - created).days) for _, created, _, _ in made]
        for k in rng.choices(range(len(made)), weights=weights, k=entries - first):
            extra[k] += 1
        for k, (response, _, contributors, rated) in enumerate(made):
            self.timeline(response, contributors, (1 if k < first else 0) + extra[k], rated)
        self.add(
            ResponseImport,
            partnership_id=self.pk,
            file_name="responses-update.xlsx",
            status=ResponseImport.Status.COMMITTED,
            rows=[],
            report=[],
            uploaded_by_id=self.scrutiny.user_id,
            created_at=self.now - DAY * 40,
            committed_at=self.now - DAY * 40 + MINUTE * 5,
        )

    def response(self, rec: Rec, agency: str, created: datetime.datetime) -> tuple[Rec, bool]:
        rng = self.rng
        d = RecommendationResponse.Decision
        s = RecommendationResponse.Status
        recorded = self.before_now(created + DAY * rng.uniform(2, 20))
        age = (self.now - created).days
        if age < 30:
            decision = d.PENDING if rng.random() < 0.6 else d.ACCEPTED
            status = s.NOT_STARTED
        else:
            decision = rng.choices([d.ACCEPTED, d.PARTLY_ACCEPTED, d.NOT_ACCEPTED, d.PENDING], [55, 20, 15, 10])[0]
            if decision == d.NOT_ACCEPTED:
                status = s.NOT_GOING_AHEAD if rng.random() < 0.7 else s.NOT_STARTED
            else:
                status = rng.choices([s.DONE, s.IN_PROGRESS, s.NOT_STARTED, s.NOT_GOING_AHEAD], [35, 40, 15, 10])[0]
        progress = 100 if status == s.DONE else (rng.randrange(10, 100, 10) if status == s.IN_PROGRESS else 0)
        due = timezone.localdate(created) + DAY * rng.randint(90, 270)
        overdue = due < self.today and status in (s.NOT_STARTED, s.IN_PROGRESS)
        escalated = self.world.at(due + DAY, 7) if overdue and rng.random() < 0.7 else None
        response = self.add(
            RecommendationResponse,
            partnership_id=self.pk,
            recommendation_id=rec.pk,
            owner_agency=agency,
            owner_name=self.name(),
            owner_email=f"owner{rec.pk}@{EMAIL_DOMAIN}",
            decision=decision,
            decision_reason="" if decision in (d.ACCEPTED, d.PENDING) else "Only part of it fits our budget.",
            status=status,
            status_reason="The service is closing." if status == s.NOT_GOING_AHEAD else "",
            progress=progress,
            due_on=due,
            escalated_at=escalated,
            created_by_id=self.scrutiny.user_id,
            created_at=recorded,
            updated_at=recorded,
        )
        self.event(RecommendationResponse, response.pk, "response.recorded", recorded, self.scrutiny)
        if escalated is not None:
            self.add(
                Notification,
                partnership_id=self.pk,
                membership_id=self.scrutiny.membership_id,
                kind=Notification.Kind.OVERDUE,
                response_id=response.pk,
                text=f"The response from {agency} is past its due date.",
                link=f"/recommendations/{rec.pk}/",
                emailed_at=escalated,
                read_at=escalated + DAY if rng.random() < 0.5 else None,
                created_at=escalated,
            )
        return response, status == s.DONE and rng.random() < 0.4

    def timeline(self, response: Rec, contributors: list[Person], count: int, rated: bool) -> None:
        rng = self.rng
        k = TimelineEntry.Kind
        start = response.created_at
        span = max(1.0, (self.now - start).total_seconds())
        moments = sorted(start + datetime.timedelta(seconds=rng.uniform(0, span)) for _ in range(count))
        if moments:
            moments[0] = start
        recent = self.now - DAY * 90
        for n, when in enumerate(moments):
            kind = k.RESPONSE if n == 0 else rng.choices([k.CHANGE, k.UPDATE, k.EVIDENCE], [40, 45, 15])[0]
            entry = self.add(
                TimelineEntry,
                partnership_id=self.pk,
                response_id=response.pk,
                kind=kind,
                happened_on=timezone.localdate(when),
                text={
                    k.RESPONSE: "The response was recorded.",
                    k.CHANGE: "Work has moved on.",
                    k.UPDATE: "We met the team and agreed the next steps with them.",
                    k.EVIDENCE: "Evidence was added.",
                }[kind],
                changes=([{"field": "progress", "from": 0, "to": response.progress}] if kind == k.CHANGE else []),
                created_by_id=self.scrutiny.user_id,
                created_at=when,
            )
            response.updated_at = max(response.updated_at, when)
            if kind == k.CHANGE:
                self.event(RecommendationResponse, response.pk, "response.changed", when, self.scrutiny)
            elif kind == k.UPDATE:
                self.event(RecommendationResponse, response.pk, "response.update_added", when, self.scrutiny)
            elif kind == k.EVIDENCE:
                self.add(
                    ResponseEvidence,
                    partnership_id=self.pk,
                    response_id=response.pk,
                    title="The new procedure",
                    link=f"https://{self.slug}.{EMAIL_DOMAIN}/evidence/{entry.pk}",
                    added_by_id=self.scrutiny.user_id,
                    added_at=when,
                )
                self.event(RecommendationResponse, response.pk, "response.evidence_added", when, self.scrutiny)
            if when >= recent:
                for person in contributors:
                    self.add(
                        Notification,
                        partnership_id=self.pk,
                        membership_id=person.membership_id,
                        kind=Notification.Kind.FEEDBACK,
                        entry_id=entry.pk,
                        text="There is news about your recommendation.",
                        link="/your-impact/",
                        in_digest=person.digest,
                        emailed_at=when + HOUR if when < self.now - DAY else None,
                        read_at=when + DAY * 2 if when < self.now - DAY * 14 and rng.random() < 0.7 else None,
                        created_at=when,
                    )
        if rated:
            person = rng.choice(contributors)
            when = self.before_now(response.updated_at + DAY * rng.uniform(1, 20))
            rating = self.add(
                ResponseRating,
                partnership_id=self.pk,
                response_id=response.pk,
                membership_id=person.membership_id,
                score=rng.choices([1, 2, 3, 4, 5], [5, 10, 25, 35, 25])[0],
                comment="It made a difference at my school." if rng.random() < 0.5 else "",
                created_at=when,
                updated_at=when,
            )
            self.event(RecommendationResponse, response.pk, "response.rated", when, person, score=rating.score)
            self.add(
                Notification,
                partnership_id=self.pk,
                membership_id=self.scrutiny.membership_id,
                kind=Notification.Kind.RATING,
                rating_id=rating.pk,
                text="A young person rated a response.",
                link=f"/responses/{response.pk}/edit/",
                created_at=when,
            )

    # --- outputs, the library, concerns ------------------------------------------------------------------------

    def outputs(self) -> None:
        rng = self.rng
        for eng in self.engs:
            if eng.status != Engagement.Status.COMPLETED or len(eng.attended) < 2 or rng.random() > 0.12:
                continue
            makers = rng.sample(eng.attended, min(len(eng.attended), rng.randint(2, 4)))
            when = self.before_now(eng.ends + DAY * rng.uniform(3, 20))
            kind = rng.choice(Output.Kind.values)
            output = self.add(
                Output,
                partnership_id=self.pk,
                engagement_id=eng.pk,
                title=f"What we found: {rng.choice(THEMES).lower()}",
                kind=kind,
                summary="What young people found, in their own words.",
                link=f"https://{self.slug}.{EMAIL_DOMAIN}/outputs/{eng.pk}",
                created_by_id=self.worker.user_id,
                created_at=when,
            )
            self.event(Output, output.pk, "output.created", when, self.worker)
            for person in makers:
                self.add(Output.contributors.through, output_id=output.pk, membership_id=person.membership_id)
                if person.media_consent_id is not None:
                    self.add(Output.consents.through, output_id=output.pk, consent_id=person.media_consent_id)

    def library(self) -> None:
        rng = self.rng
        pool = [e for e in self.engs if e.status == Engagement.Status.COMPLETED and len(e.attended) >= 5]
        if not pool:
            return
        statuses = [Example.Status.PUBLISHED, Example.Status.DRAFT] if self.index % 3 else [Example.Status.PUBLISHED]
        for status in statuses:
            eng = rng.choice(pool)
            when = self.before_now(eng.ends + DAY * 60)
            published = status == Example.Status.PUBLISHED
            ages = [p.age_on(timezone.localdate(eng.starts)) for p in eng.attended]
            example = self.add(
                Example,
                partnership_id=self.pk,
                status=status,
                title=f"{OpportunityType(eng.kind).label} in {self.area}",
                method=rng.choice(Method.values),
                topic=rng.choice(THEMES),
                recruitment="Through schools, the youth council and the children in care council.",
                support="A briefing the week before, a worker on the day, and a debrief.",
                recommended="Ask young people before changing services, and tell them what happened.",
                changed="The service now asks young people every year.",
                outcome=rng.choice(Outcome.values),
                age_min=min(ages),
                age_max=max(ages),
                young_people_count=len(eng.attended),
                created_by_id=self.worker.user_id,
                created_at=when,
                updated_at=when,
                submitted_by_id=self.worker.user_id if published else None,
                submitted_at=when + DAY if published else None,
                approved_by_id=self.admin.user_id if published else None,
                published_at=self.before_now(when + DAY * 3) if published else None,
            )
            self.event(Example, example.pk, "example.drafted", when, self.worker)
            self.add(Example.engagements.through, example_id=example.pk, engagement_id=eng.pk)
            if published:
                for person in rng.sample(eng.attended, 2):
                    self.add(
                        ExampleCredit,
                        partnership_id=self.pk,
                        example_id=example.pk,
                        membership_id=person.membership_id,
                        status=ExampleCredit.Status.AGREED,
                        credit_name=person.name.split(" ")[0],
                        answered_at=when + DAY * 2,
                    )
                if self.index > 0 and self.world.last_example is not None:
                    self.ask_about(self.world.last_example)
                self.world.last_example = example.pk

    def ask_about(self, example_id: int | None) -> None:
        """This partnership's scrutiny lead asks about another partnership's published example."""
        if example_id is None:
            return
        when = self.now - DAY * self.rng.randint(5, 60)
        self.add(
            ExampleQuestion,
            partnership_id=self.pk,
            example_id=example_id,
            asked_by_id=self.scrutiny.user_id,
            text="How did you keep the young people involved after the panel?",
            answer="A follow-up session three months later, paid like the panel." if self.rng.random() < 0.5 else "",
            created_at=when,
        )

    def concerns(self) -> None:
        rng = self.rng
        for person in rng.sample(self.young, min(2, len(self.young))):
            raised = self.days_ago(10, 300)
            concern = self.add(
                Concern,
                partnership_id=self.pk,
                membership_id=person.membership_id,
                raised_by_id=self.worker.user_id,
                raised_at=raised,
                category=rng.choice(ConcernCategory.values),
                young_persons_words="They said they did not feel safe walking home.",
                status=Concern.Status.OPEN,
                review_due_on=birthday_in(person.dob, person.dob.year + 25),
            )
            for n, kind in enumerate([ConcernEntry.Kind.REPORT, ConcernEntry.Kind.NOTE]):
                self.add(
                    ConcernEntry,
                    partnership_id=self.pk,
                    concern_id=concern.pk,
                    author_id=self.worker.user_id if n == 0 else self.lead.user_id,
                    created_at=raised + HOUR * n,
                    kind=kind,
                    text="Reported to the safeguarding lead the same day." if n else "",
                )

    # --- the audit log -------------------------------------------------------------------------------------------

    def audit(self) -> None:
        """The partnership's share of audit rows, each about a real row of the data set, at the time it happened."""
        rng = self.rng
        wanted = self.quota.audit_rows
        events = self.events
        if not events or not wanted:
            return
        chosen = rng.sample(events, wanted) if wanted <= len(events) else [rng.choice(events) for _ in range(wanted)]
        for ev in chosen:
            self.add(
                AuditEvent,
                partnership_id=self.pk,
                actor_id=ev.actor_id,
                event_type=ev.event_type,
                subject_type_id=self.world.content_type(ev.model),
                subject_id=str(ev.pk),
                payload=ev.payload,
                created_at=ev.when,
            )
        self.events = []

    # --- what the benchmarks need ----------------------------------------------------------------------------------

    def measured_users(self) -> dict[str, int]:
        """One person per role; the young person is a busy one with engagements, work logs, claims and
        recommendations (the heaviest pages are the ones to measure)."""
        users = {str(role): person.user_id for role, person in self.staff.items()}
        candidates = [p for p in self.young if p.left is None and p.claims and p.recommendations and p.engagements]
        if not candidates:
            candidates = [p for p in self.young if p.left is None] or self.young
        busiest = max(candidates, key=lambda p: (p.work_logs + p.recommendations, -p.membership_id))
        users[str(Role.YOUNG_PERSON)] = busiest.user_id
        return users


def bench_partnership_ids() -> list[int]:
    return list(Partnership.objects.filter(slug__startswith=SLUG_PREFIX).values_list("pk", flat=True))


def delete_bench_data() -> dict[str, int]:
    """Delete every bench partnership and everything in it, and the bench people (their email domain), in one
    transaction. Other partnerships are untouched; a row of theirs that points at bench data makes it fail (the
    deferred foreign keys are checked at the end) and nothing is deleted. On PostgreSQL the audit log's
    append-only trigger is switched off for this transaction only. Returns the rows deleted per table."""
    ids = bench_partnership_ids()
    deleted: Counter[str] = Counter()
    if not ids:
        return dict(deleted)
    qn = connection.ops.quote_name
    in_bench = ", ".join(str(int(pk)) for pk in ids)
    users = f"SELECT id FROM {qn(User._meta.db_table)} WHERE email LIKE %s"  # noqa: S608 - table names from models
    domain = f"%@{EMAIL_DOMAIN}"
    tenant: list[type[models.Model]] = []
    other: list[tuple[type[models.Model], models.Field[Any, Any], type[models.Model]]] = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        names = {f.name for f in model._meta.concrete_fields}
        if "partnership" in names and model._meta.get_field("partnership").related_model is Partnership:
            tenant.append(model)
            continue
        for f in model._meta.concrete_fields:
            target = f.related_model if f.is_relation else None
            if isinstance(target, type) and target is not model:
                other.append((model, f, target))
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Checks still waiting in this transaction (data made in it) would stop the ALTER: run them first.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE core_auditevent DISABLE TRIGGER core_auditevent_append_only")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")

        def run(model: type[models.Model], where: str, params: list[Any]) -> None:
            cursor.execute(f"DELETE FROM {qn(model._meta.db_table)} WHERE {where}", params)  # noqa: S608
            deleted[model._meta.db_table] += max(cursor.rowcount, 0)

        # Rows without a partnership of their own that point at bench rows (many-to-many rows, sign-in records).
        for model, f, target in other:
            column = qn(f.column)
            if target is Partnership:
                run(model, f"{column} IN ({in_bench})", [])
            elif target is User or issubclass(target, User):
                run(model, f"{column} IN ({users})", [domain])
            elif "partnership" in {t.name for t in target._meta.concrete_fields}:
                parents = f"SELECT id FROM {qn(target._meta.db_table)} WHERE partnership_id IN ({in_bench})"  # noqa: S608
                run(model, f"{column} IN ({parents})", [])
        for model in tenant:
            run(model, f"partnership_id IN ({in_bench})", [])
        run(User, "email LIKE %s", [domain])
        run(Partnership, f"id IN ({in_bench})", [])
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # a row of another partnership pointing here fails now
            cursor.execute("ALTER TABLE core_auditevent ENABLE TRIGGER core_auditevent_append_only")
    return {table: n for table, n in deleted.items() if n}


# --- the older generator bench/pages.py uses ----------------------------------------------------------------------


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
