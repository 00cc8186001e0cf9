"""The reports pages: the dashboard (dates, errors that name the field, a chart and a table for each, CSV export of
every table, SVG charts), the annual report page and PDF, who may see them, and their query counts."""

from __future__ import annotations

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pypdf import PdfReader

from engagements.selectors.reports import DASHBOARD_TABLES, current_reporting_year
from participants.models import Role
from tests.engagements.feedback.test_reports_annual import build_year
from tests.engagements.feedback.test_reports_tables import (
    YEAR,
    build_recommendations,
    build_spend,
    closed_round,
    equality_answers,
    everything,
    many_recommendations,
)

pytestmark = pytest.mark.django_db

DATES_2025 = {"starts_0": "1", "starts_1": "4", "starts_2": "2025", "ends_0": "31", "ends_1": "3", "ends_2": "2026"}


def words(response):
    return " ".join(response.content.decode().split())


def csv_of(response):
    return list(csv.reader(io.StringIO(response.content.decode())))


@pytest.fixture
def lead(member):
    return member(Role.SCRUTINY_LEAD)


@pytest.fixture
def staff_client(lead, login_with_second_factor):
    return login_with_second_factor(lead)


# --- The dashboard -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.SCRUTINY_LEAD, Role.PARTNERSHIP_ADMIN])
def test_staff_who_see_reports_get_the_dashboard_for_this_reporting_year(member, login_with_second_factor, role):
    client = login_with_second_factor(member(role))
    response = client.get(reverse("reports_dashboard"))
    assert response.status_code == 200
    year = current_reporting_year()
    assert f"From 1 April {year} to 31 March {year + 1}." in words(response)
    last = year - 1
    last_year = f"starts_0=1&amp;starts_1=4&amp;starts_2={last}&amp;ends_0=31&amp;ends_1=3&amp;ends_2={year}"
    assert f'href="/reports/?{last_year}">{last} to {year}</a>' in response.content.decode()


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SAFEGUARDING_LEAD])
def test_others_are_refused_the_dashboard_its_csv_and_its_charts(member, login_with_second_factor, role):
    client = login_with_second_factor(member(role))
    assert client.get(reverse("reports_dashboard")).status_code == 403
    assert client.get(reverse("reports_csv", args=["spend"])).status_code == 403
    assert client.get(reverse("reports_chart", args=["spend"])).status_code == 403


def test_signed_out_people_are_sent_to_sign_in(client):
    response = client.get(reverse("reports_dashboard"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_every_table_has_its_chart_with_alt_text_a_table_and_a_csv_link_for_the_dates_chosen(partnership, staff_client):
    everything(partnership)
    build_recommendations(partnership)

    response = staff_client.get(reverse("reports_dashboard"), DATES_2025)

    page = response.content.decode()
    assert "From 1 April 2025 to 31 March 2026." in words(response)
    query = "starts_0=1&amp;starts_1=4&amp;starts_2=2025&amp;ends_0=31&amp;ends_1=3&amp;ends_2=2026"
    for key in DASHBOARD_TABLES:
        assert f'href="/reports/{key}.csv?{query}"' in page, key
        assert f'id="table-{key}"' in page
    for key in ("hours", "channels", "ages", "spend", "recommendations"):
        assert f'<img src="/reports/{key}.svg?{query}" alt="Bar chart: ' in page, key
    assert '<img src="/reports/equality.svg' not in page  # hidden counts are not charted
    assert "<figure" in page and "<figcaption" in page
    assert "<script" not in page.split('<main class="govuk-main-wrapper"')[1].split("</main>")[0]
    assert " style=" not in page
    assert "£57.00" in page and "No response yet" in page


def test_a_period_that_does_not_make_sense_is_an_error_naming_the_field(staff_client):
    backwards = {**DATES_2025, "ends_2": "2024"}
    response = staff_client.get(reverse("reports_dashboard"), backwards)
    assert response.status_code == 200
    text = words(response)
    assert "There is a problem" in text
    assert '<a href="#id_ends">The to date must be the same as or after the from date</a>' in text
    assert "<title> Error: Reports" in text

    no_month = {**DATES_2025, "starts_1": ""}
    text = words(staff_client.get(reverse("reports_dashboard"), no_month))
    assert '<a href="#id_starts">From date must include a month</a>' in text

    only_to = {k: v for k, v in DATES_2025.items() if k.startswith("ends")}
    assert "Enter the from date" in words(staff_client.get(reverse("reports_dashboard"), only_to))

    too_long = {**DATES_2025, "ends_2": "2030"}
    assert "no more than 3 years after" in words(staff_client.get(reverse("reports_dashboard"), too_long))


def test_the_dashboard_takes_the_same_number_of_queries_for_10_and_1000_recommendations(partnership, staff_client):
    everything(partnership)
    many_recommendations(partnership, 10)
    staff_client.get(reverse("reports_dashboard"))  # the session's first page does its own one-off queries
    with CaptureQueriesContext(connection) as small:
        assert staff_client.get(reverse("reports_dashboard"), DATES_2025).status_code == 200
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        response = staff_client.get(reverse("reports_dashboard"), DATES_2025)
    assert "1,000" in words(response)
    assert len(small) == len(large)


# --- CSV and charts ------------------------------------------------------------------------------------------------


def test_the_csv_has_the_table_as_the_page_shows_it_and_says_what_it_counts(
    partnership, other_partnership, staff_client
):
    build_spend(partnership)
    build_spend(other_partnership)

    response = staff_client.get(reverse("reports_csv", args=["spend"]), DATES_2025)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="spend-2025-04-01-to-2026-03-31.csv"'
    rows = csv_of(response)
    assert rows[0] == ["Money paid to young people, by month"]
    assert rows[1] == ["Month", "Payments", "Pay", "Expenses", "Total paid"]
    assert rows[2] == ["April 2025", "2", "£48.00", "£9.00", "£57.00"]
    assert len(rows[2:14]) == 12
    assert rows[14] == ["Total", "3", "£58.00", "£9.00", "£67.00"]
    assert rows[16][0].startswith("1 April 2025 to 31 March 2026. Payments that reached young people")


def test_the_equality_csv_keeps_small_counts_hidden_and_cannot_start_a_formula(partnership, staff_client):
    round_ = closed_round(partnership, title='=HYPERLINK("https://evil.example")')
    equality_answers(round_, {"gender": "girl_woman"}, times=19)
    equality_answers(round_, {"gender": "non_binary"}, times=1)

    rows = csv_of(staff_client.get(reverse("reports_csv", args=["equality"]), DATES_2025))

    assert rows[1] == ["Question", "Answer", '\'=HYPERLINK("https://evil.example")']
    gender = {row[1]: row[2] for row in rows if row and row[0] == "How would you describe your gender?"}
    assert gender["Non-binary"] == "fewer than 5"
    assert gender["Girl or woman"] == "not shown"
    assert rows[2] == ["Everyone", "Answered the equality questions", "20"]


def test_a_table_that_does_not_exist_is_a_404_and_bad_dates_a_400(staff_client):
    assert staff_client.get("/reports/nothing.csv").status_code == 404
    assert staff_client.get("/reports/nothing.svg").status_code == 404
    assert staff_client.get(reverse("reports_chart", args=["equality"]), DATES_2025).status_code == 404
    bad = {**DATES_2025, "ends_2": "2024"}
    assert staff_client.get(reverse("reports_csv", args=["spend"]), bad).status_code == 400


def test_a_chart_is_an_svg_image_that_can_run_nothing(partnership, staff_client):
    build_recommendations(partnership)
    response = staff_client.get(reverse("reports_chart", args=["recommendations"]), DATES_2025)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response["Content-Security-Policy"].startswith("default-src 'none'")
    svg = response.content.decode()
    assert "<svg" in svg and "<title>Recommendations, by what is happening</title>" in svg
    assert "No response yet" in svg and "<script" not in svg


# --- The annual report ---------------------------------------------------------------------------------------------


def test_the_annual_report_index_lists_years_with_data(partnership, member, login):
    build_year(partnership)
    client = login(member(Role.YOUNG_PERSON))
    page = client.get(reverse("annual_report_index")).content.decode()
    assert f'href="{reverse("annual_report", args=[YEAR])}"' in page and "2025 to 2026" in page


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.SCRUTINY_LEAD])
def test_every_member_sees_the_annual_report_page(partnership, member, login_with_second_factor, role):
    ada = build_year(partnership)
    client = login_with_second_factor(member(role))

    response = client.get(reverse("annual_report", args=[YEAR]))

    assert response.status_code == 200
    text = words(response)
    assert "What young scrutineers did in 2025 to 2026" in text
    assert "3 young people took part." in text
    assert "Together you did 10.0 hours of work." in text
    assert "You made 4 recommendations." in text
    assert "Let young people choose where their review meeting happens." in text
    assert "Social workers now ask young people where they want to meet." in text
    assert '<a class="govuk-link" href="https://video.example.org/feeling-safe"' in text
    assert "A hidden poem" not in text and "A flagged blog" not in text
    assert ada.user.full_name not in text
    for key in ("sessions", "hours", "recommendations"):
        assert f'<img src="{reverse("annual_report_chart", args=[YEAR, key])}" alt="Bar chart: ' in text
    assert " style=" not in response.content.decode()


def test_the_annual_report_pdf_downloads_and_is_valid(partnership, member, login):
    build_year(partnership)
    client = login(member(Role.YOUNG_PERSON))

    response = client.get(reverse("annual_report_pdf", args=[YEAR]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="annual-report-2025-to-2026.pdf"'
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert "3 young people took part" in text and "10.0 hours" in text and "4 recommendations" in text


def test_another_partnerships_annual_report_is_never_shown(partnership, other_partnership, member, login):
    build_year(other_partnership)
    client = login(member(Role.YOUNG_PERSON))
    text = words(client.get(reverse("annual_report", args=[YEAR])))
    assert "0 young people took part." in text and "Our film about feeling safe" not in text
    assert client.get(reverse("annual_report_index")).context["years"] == []


def test_a_year_that_has_not_started_is_a_404(member, login):
    client = login(member(Role.YOUNG_PERSON))
    future = current_reporting_year() + 1
    assert client.get(reverse("annual_report", args=[future])).status_code == 404
    assert client.get(reverse("annual_report_pdf", args=[future])).status_code == 404
    assert client.get(reverse("annual_report", args=[1999])).status_code == 404
    assert client.get(reverse("annual_report_chart", args=[YEAR, "spend"])).status_code == 404


def test_an_annual_report_chart_is_an_svg(partnership, member, login):
    build_year(partnership)
    client = login(member(Role.YOUNG_PERSON))
    response = client.get(reverse("annual_report_chart", args=[YEAR, "sessions"]))
    assert response.status_code == 200 and response["Content-Type"].startswith("image/svg+xml")
    assert "Section 11 challenge panel" in response.content.decode()


def test_the_annual_report_page_takes_the_same_number_of_queries_for_10_and_1000_recommendations(
    partnership, member, login
):
    build_year(partnership)
    client = login(member(Role.YOUNG_PERSON))
    many_recommendations(partnership, 10)
    client.get(reverse("annual_report_index"))  # the session's first page does its own one-off queries
    with CaptureQueriesContext(connection) as small:
        assert client.get(reverse("annual_report", args=[YEAR])).status_code == 200
    many_recommendations(partnership, 990)
    with CaptureQueriesContext(connection) as large:
        response = client.get(reverse("annual_report", args=[YEAR]))
    assert "You made 1,004 recommendations." in words(response)
    assert len(small) == len(large)


def test_reports_use_the_dates_given(partnership, staff_client):
    build_spend(partnership)
    may_to_june = {
        "starts_0": "1", "starts_1": "5", "starts_2": "2025", "ends_0": "30", "ends_1": "6", "ends_2": "2025",
    }  # fmt: skip
    rows = csv_of(staff_client.get(reverse("reports_csv", args=["spend"]), may_to_june))
    assert [row[0] for row in rows[2:4]] == ["May 2025", "June 2025"]
    assert rows[4] == ["Total", "1", "£10.00", "£0.00", "£10.00"]
    assert rows[6][0].startswith("1 May 2025 to 30 June 2025.")
