"""/api/v1/staff-checks/, /api/v1/risk-assessments/ and /api/v1/wellbeing-checkins/."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.tenancy import act_in
from participants.models import Role
from safeguarding.models import FollowUpTask, RiskAssessment, StaffCheck, WellbeingCheckIn
from safeguarding.services.risk import hazard_add, risk_assessment_create, risk_assessment_submit
from safeguarding.services.wellbeing import checkin_create
from tests.factories import MembershipFactory
from tests.factories.safeguarding import EngagementFactory, RiskAssessmentFactory, StaffCheckFactory

pytestmark = pytest.mark.django_db

CERTIFICATE = "001234567890"


def assert_same_query_count(client, url, grow):
    grow(5)
    client.get(url)
    with CaptureQueriesContext(connection) as small:
        client.get(url)
    grow(45)
    with CaptureQueriesContext(connection) as large:
        response = client.get(url)
    assert response.status_code == 200
    assert len(large) == len(small)
    return response


# --- Staff checks -------------------------------------------------------------------------------------------------


def test_staff_checks_list_each_member_of_staff_with_a_status_and_a_masked_number(member, api_as):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    StaffCheckFactory(
        membership=worker.membership, partnership=worker.membership.partnership, certificate_number=CERTIFICATE
    )
    rows = {row["membership_id"]: row for row in api_as(lead).get("/api/v1/staff-checks/").json()["results"]}
    assert rows[worker.membership.pk]["status"] == "current"
    assert rows[worker.membership.pk]["check"]["certificate_number"] == "********7890"
    assert rows[lead.membership.pk]["status"] == "missing" and rows[lead.membership.pk]["check"] is None
    assert CERTIFICATE not in str(rows)


def test_staff_checks_filter_by_status(member, api_as):
    lead = member(Role.SAFEGUARDING_LEAD)
    response = api_as(lead).get("/api/v1/staff-checks/?status=missing").json()
    assert [row["membership_id"] for row in response["results"]] == [lead.membership.pk]
    response = api_as(lead).get("/api/v1/staff-checks/?status=wizard")
    assert response.status_code == 400 and "status" in response.json()["extra"]["fields"]


def test_recording_a_check_through_the_api(member, api_as):
    admin = member(Role.PARTNERSHIP_ADMIN)
    worker = member(Role.PARTICIPATION_WORKER)
    response = api_as(admin).post(
        "/api/v1/staff-checks/",
        {"membership_id": worker.membership.pk, "certificate_number": CERTIFICATE, "issued_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["certificate_number"] == "********7890" and body["renewal_due_on"] == "2029-01-05"
    assert StaffCheck.objects.get().certificate_number == CERTIFICATE


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"certificate_number": CERTIFICATE, "issued_on": "not a date"}, "issued_on"),
        ({"issued_on": "2026-01-05"}, "certificate_number"),
    ],
)
def test_malformed_staff_check_input_is_a_400_naming_the_field(member, api_as, payload, field):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    response = api_as(lead).post(
        "/api/v1/staff-checks/", {"membership_id": worker.membership.pk, **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_a_rule_refusal_names_the_field(member, api_as):
    lead = member(Role.SAFEGUARDING_LEAD)
    worker = member(Role.PARTICIPATION_WORKER)
    response = api_as(lead).post(
        "/api/v1/staff-checks/",
        {"membership_id": worker.membership.pk, "certificate_number": "12", "issued_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "certificate_number"


def test_a_check_for_another_partnerships_staff_is_404(member, api_as, other_partnership):
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    response = api_as(member(Role.SAFEGUARDING_LEAD)).post(
        "/api/v1/staff-checks/",
        {"membership_id": stranger.membership.pk, "certificate_number": CERTIFICATE, "issued_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 404


def test_staff_checks_hold_only_own_partnership(member, api_as, other_partnership):
    stranger = member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    ids = [
        row["membership_id"]
        for row in api_as(member(Role.SAFEGUARDING_LEAD)).get("/api/v1/staff-checks/").json()["results"]
    ]
    assert stranger.membership.pk not in ids


@pytest.mark.parametrize("role", [Role.PARTICIPATION_WORKER, Role.FINANCE_OFFICER, Role.YOUNG_PERSON])
def test_other_roles_cannot_use_staff_checks(member, api_as, role):
    client = api_as(member(role))
    assert client.get("/api/v1/staff-checks/").status_code == 403
    staff = member(Role.PARTICIPATION_WORKER)
    valid = {"membership_id": staff.membership.pk, "certificate_number": "001234567890", "issued_on": "2026-01-05"}
    assert client.post("/api/v1/staff-checks/", valid, format="json").status_code == 403
    assert not StaffCheck.objects.exists()


def test_staff_checks_query_count_does_not_grow(member, api_as, partnership):
    client = api_as(member(Role.SAFEGUARDING_LEAD))

    def grow(n):
        for _ in range(n):
            membership = MembershipFactory(partnership=partnership, roles=[Role.PARTICIPATION_WORKER], with_totp=False)
            StaffCheckFactory(membership=membership, partnership=partnership)

    assert_same_query_count(client, "/api/v1/staff-checks/", grow)


# --- Risk assessments ---------------------------------------------------------------------------------------------


@pytest.fixture
def worker(member):
    return member(Role.PARTICIPATION_WORKER)


@pytest.fixture
def lead(member):
    return member(Role.SAFEGUARDING_LEAD)


def test_the_risk_assessment_workflow_through_the_api(worker, lead, member, partnership, api_as):
    engagement = EngagementFactory(partnership=partnership)
    client = api_as(worker)
    response = client.post("/api/v1/risk-assessments/", {"engagement_id": engagement.pk}, format="json")
    assert response.status_code == 201, response.content
    assessment_id = response.json()["id"]
    url = f"/api/v1/risk-assessments/{assessment_id}/"
    response = client.post(f"{url}submit/", format="json")
    assert response.status_code == 400 and response.json()["extra"]["field"] == "hazard"
    response = client.post(f"{url}hazards/", {"hazard": "Fire", "control": "Exits briefed"}, format="json")
    assert response.status_code == 201 and response.json()["hazards"][0]["hazard"] == "Fire"
    response = client.patch(url, {"staff_count": 2, "young_people_count": 8}, format="json")
    assert response.json()["ratio"] == "1:4"
    assert client.post(f"{url}submit/", format="json").json()["status"] == "submitted"

    approver = api_as(lead)
    response = approver.post(f"{url}return/", {}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["extra"]["fields"]
    assert approver.post(f"{url}return/", {"reason": "Add travel"}, format="json").json()["status"] == "draft"
    client = api_as(worker)
    client.post(f"{url}submit/", format="json")
    response = api_as(lead).post(f"{url}approve/", format="json")
    assert response.status_code == 200 and response.json()["status"] == "approved"
    assert response.json()["approved_by"] == lead.full_name


def test_a_lead_cannot_approve_their_own_through_the_api(lead, partnership, api_as):
    engagement = EngagementFactory(partnership=partnership)
    assessment = risk_assessment_create(actor=lead, engagement_id=engagement.pk)
    hazard_add(actor=lead, assessment_id=assessment.pk, hazard="Fire", control="Exits")
    risk_assessment_submit(actor=lead, assessment_id=assessment.pk)
    response = api_as(lead).post(f"/api/v1/risk-assessments/{assessment.pk}/approve/", format="json")
    assert response.status_code == 400
    assert RiskAssessment.objects.get().status == RiskAssessment.Status.SUBMITTED


def test_a_worker_cannot_approve(worker, partnership, api_as):
    assessment = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership), status="submitted")
    assert api_as(worker).post(f"/api/v1/risk-assessments/{assessment.pk}/approve/", format="json").status_code == 403


def test_another_partnerships_risk_assessment_is_404(lead, other_partnership, api_as):
    theirs = RiskAssessmentFactory(engagement=EngagementFactory(partnership=other_partnership), status="submitted")
    client = api_as(lead)
    url = f"/api/v1/risk-assessments/{theirs.pk}/"
    assert client.get(url).status_code == 404
    assert client.patch(url, {"venue": "x"}, format="json").status_code == 404
    for action in ("submit", "approve"):
        assert client.post(f"{url}{action}/", format="json").status_code == 404
    assert client.post(f"{url}return/", {"reason": "x"}, format="json").status_code == 404
    other_engagement = EngagementFactory(partnership=other_partnership)
    response = client.post("/api/v1/risk-assessments/", {"engagement_id": other_engagement.pk}, format="json")
    assert response.status_code == 404
    assert client.get("/api/v1/risk-assessments/").json()["count"] == 0


def test_malformed_risk_input_is_a_400_naming_the_field(worker, partnership, api_as):
    client = api_as(worker)
    response = client.post("/api/v1/risk-assessments/", {"engagement_id": "abc"}, format="json")
    assert response.status_code == 400 and "engagement_id" in response.json()["extra"]["fields"]
    assessment = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership))
    response = client.patch(f"/api/v1/risk-assessments/{assessment.pk}/", {"staff_count": 0}, format="json")
    assert response.status_code == 400 and "staff_count" in response.json()["extra"]["fields"]
    response = client.patch(f"/api/v1/risk-assessments/{assessment.pk}/", {"topic_sensitivity": "x"}, format="json")
    assert "topic_sensitivity" in response.json()["extra"]["fields"]


def test_the_list_puts_waiting_for_approval_first(worker, partnership, api_as):
    draft = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership))
    waiting = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership), status="submitted")
    ids = [row["id"] for row in api_as(worker).get("/api/v1/risk-assessments/").json()["results"]]
    assert ids == [waiting.pk, draft.pk]


def test_risk_assessments_query_count_does_not_grow(lead, partnership, api_as):
    def grow(n):
        for _ in range(n):
            RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership), prepared_by=lead)

    assert_same_query_count(api_as(lead), "/api/v1/risk-assessments/", grow)


def test_risk_assessment_detail_query_count_does_not_grow_with_hazards(lead, partnership, api_as):
    assessment = RiskAssessmentFactory(engagement=EngagementFactory(partnership=partnership))

    def grow(n):
        for _ in range(n):
            assessment.hazards.create(partnership=partnership, hazard="h", control="c", owner=lead)

    assert_same_query_count(api_as(lead), f"/api/v1/risk-assessments/{assessment.pk}/", grow)


# --- Wellbeing check-ins ------------------------------------------------------------------------------------------


COMMENT = "I keep thinking about what we heard today."


def test_a_young_person_checks_in_through_the_api(member, partnership, api_as):
    worker = member(Role.PARTICIPATION_WORKER, user__full_name="Ash Worker")
    young = member(Role.YOUNG_PERSON)
    engagement = EngagementFactory(partnership=partnership, starts_at=timezone.now() - datetime.timedelta(hours=2))
    engagement.attendees.add(young.membership)
    response = api_as(young).post(
        "/api/v1/wellbeing-checkins/",
        {"score": 2, "wants_to_talk": True, "comment": COMMENT, "engagement_id": engagement.pk},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["follow_up_by"] == "Ash Worker"
    assert FollowUpTask.objects.get().assigned_to == worker


@pytest.mark.parametrize(
    ("payload", "field"),
    [({"score": 9}, "score"), ({}, "score"), ({"score": 3, "engagement_id": "x"}, "engagement_id")],
)
def test_malformed_check_ins_are_a_400_naming_the_field(member, api_as, payload, field):
    response = api_as(member(Role.YOUNG_PERSON)).post("/api/v1/wellbeing-checkins/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["extra"]["fields"]


def test_another_partnerships_engagement_is_refused_naming_the_field(member, api_as, other_partnership):
    theirs = EngagementFactory(partnership=other_partnership, starts_at=timezone.now() - datetime.timedelta(hours=2))
    response = api_as(member(Role.YOUNG_PERSON)).post(
        "/api/v1/wellbeing-checkins/", {"score": 3, "engagement_id": theirs.pk}, format="json"
    )
    assert response.status_code == 400 and response.json()["extra"]["field"] == "engagement_id"
    assert not WellbeingCheckIn.objects.exists()


def test_workers_see_check_ins_without_the_comment_and_leads_with_it(member, api_as):
    member(Role.PARTICIPATION_WORKER)
    young = member(Role.YOUNG_PERSON)
    checkin_create(actor=young, score=1, comment=COMMENT)
    worker_rows = api_as(member(Role.PARTICIPATION_WORKER)).get("/api/v1/wellbeing-checkins/").json()["results"]
    assert worker_rows[0]["score"] == 1 and worker_rows[0]["has_comment"] is True
    assert "comment" not in worker_rows[0] and COMMENT not in str(worker_rows)
    assert worker_rows[0]["follow_up"]["status"] == "open"
    lead_rows = api_as(member(Role.SAFEGUARDING_LEAD)).get("/api/v1/wellbeing-checkins/").json()["results"]
    assert lead_rows[0]["comment"] == COMMENT


@pytest.mark.parametrize("role", [Role.YOUNG_PERSON, Role.FINANCE_OFFICER, Role.PARTNERSHIP_ADMIN])
def test_other_roles_cannot_list_check_ins(member, api_as, role):
    assert api_as(member(role)).get("/api/v1/wellbeing-checkins/").status_code == 403


def test_staff_cannot_check_in(member, api_as):
    response = api_as(member(Role.PARTICIPATION_WORKER)).post(
        "/api/v1/wellbeing-checkins/", {"score": 3}, format="json"
    )
    assert response.status_code == 403


def test_check_ins_hold_only_own_partnership(member, api_as, other_partnership):
    member(Role.PARTICIPATION_WORKER, in_partnership=other_partnership)
    stranger = member(Role.YOUNG_PERSON, in_partnership=other_partnership)
    checkin_create(actor=stranger, score=1)
    assert api_as(member(Role.SAFEGUARDING_LEAD)).get("/api/v1/wellbeing-checkins/").json()["count"] == 0


def test_check_ins_query_count_does_not_grow(member, partnership, api_as):
    member(Role.PARTICIPATION_WORKER)
    client = api_as(member(Role.SAFEGUARDING_LEAD))

    def grow(n):
        for score in [1, 4] * (n // 2) + [2] * (n % 2):
            person = MembershipFactory(partnership=partnership, roles=[Role.YOUNG_PERSON]).user
            act_in(person, partnership)
            engagement = EngagementFactory(
                partnership=partnership, starts_at=timezone.now() - datetime.timedelta(hours=2)
            )
            engagement.attendees.add(person.membership)
            checkin_create(actor=person, score=score, comment="x", engagement_id=engagement.pk)

    assert_same_query_count(client, "/api/v1/wellbeing-checkins/", grow)
