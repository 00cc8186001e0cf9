"""The young person's annual report: the year's totals, "you said, we did" examples (public ones only, no names),
outputs with media consent only, a valid PDF whose text has the totals, the years with data, and a number of
queries that does not grow with the data."""

from __future__ import annotations

import datetime
from io import BytesIO

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from core.tenancy import act_in
from engagements.annual_report import annual_report_pdf
from engagements.models import Attendance, Engagement, OpportunityType, Output, RecommendationResponse, TimelineEntry
from engagements.selectors.reports import annual_report_for, annual_report_years, current_reporting_year
from participants.models import Role
from tests.engagements.feedback.test_reports_tables import (
    YEAR,
    at,
    many_recommendations,
    person,
    recommendation,
    session,
    work_log,
)
from tests.factories import UserFactory
from tests.factories.engagements import AttendanceFactory, OutputFactory
from tests.factories.feedback import RecommendationContributorFactory, TimelineEntryFactory

pytestmark = pytest.mark.django_db
Status = RecommendationResponse.Status


def build_year(partnership):
    """Three young people, four sessions (three kinds), 10 approved hours, four recommendations (one public)."""
    panel = session(partnership, at(2025, 5, 1))
    panel_again = session(partnership, at(2025, 11, 1))
    group = session(partnership, at(2025, 7, 1), OpportunityType.FOCUS_GROUP)
    film = session(partnership, at(2026, 2, 1), OpportunityType.MEDIA_PRODUCTION)
    nobody_came = session(partnership, at(2025, 8, 1), OpportunityType.DEEP_DIVE)
    ada, ben, cal = person(partnership), person(partnership), person(partnership)
    for engagement, people in ((panel, [ada, ben]), (panel_again, [ada]), (group, [ben, cal]), (film, [cal])):
        for someone in people:
            AttendanceFactory(engagement=engagement, membership=someone)
    AttendanceFactory(engagement=nobody_came, membership=ada, status=Attendance.Status.ABSENT)
    work_log(panel, (60, 120, 60), membership=ada)  # 4 hours
    work_log(group, (0, 120, 0), membership=ben)  # 2 hours
    work_log(film, (60, 180, 0), membership=cal)  # 4 hours
    public = recommendation(
        partnership,
        at(2025, 5, 2),
        status=Status.DONE,
        engagement=panel,
        is_public=True,
        text="Let young people choose where their review meeting happens.",
    )
    RecommendationContributorFactory(recommendation=public, membership=ada)
    TimelineEntryFactory(
        response=public.response,
        kind=TimelineEntry.Kind.UPDATE,
        text="Social workers now ask young people where they want to meet.",
        happened_on=datetime.date(2025, 9, 1),
    )
    recommendation(
        partnership,
        at(2025, 6, 2),
        status=Status.NOT_STARTED,
        engagement=panel,
        text="A private recommendation that is not for the annual report.",
    )
    recommendation(partnership, at(2025, 7, 2), status=Status.IN_PROGRESS, engagement=group)
    recommendation(partnership, at(2025, 8, 2), engagement=group)
    # Outputs: one with consent standing, one hidden, one flagged (consent withdrawn), one the year before.
    OutputFactory(engagement=film, title="Our film about feeling safe", kind=Output.Kind.FILM,
                  link="https://video.example.org/feeling-safe")  # fmt: skip
    OutputFactory(engagement=film, title="A hidden poem", kind=Output.Kind.POEM, is_hidden=True)
    OutputFactory(engagement=group, title="A flagged blog", flagged_at=timezone.now(), flag_reason="Consent withdrawn")
    OutputFactory(engagement=session(partnership, at(2025, 3, 1)), title="Last year's infographic")
    return ada


def test_the_report_has_the_years_totals(partnership, other_partnership, member):
    build_year(partnership)
    build_year(other_partnership)
    young = member(Role.YOUNG_PERSON)

    report = annual_report_for(young, YEAR)

    assert report.label == "2025 to 2026"
    assert report.young_people == 3
    assert report.hours == 10.0 and report.minutes == 600
    assert report.sessions == 4
    assert report.recommendations == 4
    assert report.table("sessions").rows == (
        ("Section 11 challenge panel", 2),
        ("Focus group", 1),
        ("Film or infographic production", 1),
    )
    assert report.table("recommendations").rows[0] == ("Not started", 1)
    assert dict(report.table("recommendations").rows)["No response yet"] == 1


def test_examples_are_public_recommendations_with_what_was_done_and_no_names(partnership, member):
    ada = build_year(partnership)
    report = annual_report_for(member(Role.YOUNG_PERSON), YEAR)

    assert len(report.examples) == 1
    example = report.examples[0]
    assert example.you_said == "Let young people choose where their review meeting happens."
    assert example.status == "Done"
    assert example.we_did == "Social workers now ask young people where they want to meet."
    assert ada.user.full_name not in repr(report)


def test_only_outputs_with_media_consent_are_in_the_report(partnership, member):
    build_year(partnership)
    report = annual_report_for(member(Role.YOUNG_PERSON), YEAR)

    assert [(o.title, o.kind_label, o.link) for o in report.outputs] == [
        ("Our film about feeling safe", "Film", "https://video.example.org/feeling-safe")
    ]


def test_the_pdf_is_valid_and_its_text_has_the_totals(partnership, member):
    ada = build_year(partnership)
    report = annual_report_for(member(Role.YOUNG_PERSON), YEAR)

    pdf = annual_report_pdf(report)

    assert pdf.startswith(b"%PDF-")
    reader = PdfReader(BytesIO(pdf))
    text = " ".join(" ".join(page.extract_text().split()) for page in reader.pages)
    assert "What young scrutineers did in 2025 to 2026" in text
    assert "3 young people took part" in text
    assert "10.0 hours of work" in text
    assert "4 sessions" in text
    assert "4 recommendations" in text
    assert "Our film about feeling safe" in text
    assert "A hidden poem" not in text and "A flagged blog" not in text
    assert "Social workers now ask young people where they want to meet." in text
    assert "A private recommendation" not in text
    assert ada.user.full_name not in text
    assert reader.metadata.title == "What young scrutineers did in 2025 to 2026"


def test_the_pdf_of_an_empty_year_is_still_a_valid_report(partnership, member):
    pdf = annual_report_pdf(annual_report_for(member(Role.YOUNG_PERSON), YEAR))
    text = " ".join(PdfReader(BytesIO(pdf)).pages[0].extract_text().split())
    assert "0 young people took part" in text and "0 recommendations" in text


def test_years_with_data_newest_first_and_not_the_future(partnership, other_partnership, member):
    session(partnership, at(2024, 3, 31))  # reporting year 2023
    session(partnership, at(2025, 4, 1))  # 2025
    session(partnership, at(2024, 9, 1), status=Engagement.Status.CANCELLED)  # 2024, but it did not go ahead
    recommendation(partnership, at(2022, 6, 1))  # 2022 (its engagement the day before, also 2022)
    session(partnership, timezone.now() + datetime.timedelta(days=400))  # not yet
    session(other_partnership, at(2021, 6, 1))

    assert annual_report_years(member(Role.YOUNG_PERSON)) == [2025, 2023, 2022]


def test_a_future_year_is_refused(member):
    with pytest.raises(ValueError):
        annual_report_for(member(Role.YOUNG_PERSON), current_reporting_year() + 1)


def test_someone_acting_in_no_partnership_is_refused():
    user = UserFactory()
    act_in(user, None)
    with pytest.raises(PermissionDenied):
        annual_report_for(user, YEAR)


def test_the_annual_report_takes_the_same_number_of_queries_for_10_and_1000_recommendations(partnership, member):
    build_year(partnership)
    young = member(Role.YOUNG_PERSON)
    many_recommendations(partnership, 10)
    with CaptureQueriesContext(connection) as small:
        annual_report_pdf(annual_report_for(young, YEAR))
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        report = annual_report_for(young, YEAR)
        annual_report_pdf(report)
    assert report.recommendations == 1004
    assert len(report.examples) == 5
    assert len(small) == len(large) <= 8
