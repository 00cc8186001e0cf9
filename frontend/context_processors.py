"""Navigation by role: what the header menu shows the person in the partnership they act in."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import reverse

from core.mfa import needs_second_factor
from core.tenancy import active_membership_count


def _asked_to_be_named(user: Any) -> bool:
    """Whether a partnership ever asked this young person to be named on a library example (one query)."""
    from library.models import ExampleCredit

    return ExampleCredit.objects.filter(membership=user.membership).exists()


def navigation(request: HttpRequest) -> dict[str, Any]:
    # An error page for a request refused before the authentication middleware ran (a Host header not in
    # ALLOWED_HOSTS is refused by CommonMiddleware) has no request.user: it gets no menu rather than a 500.
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.membership is None or needs_second_factor(user):
        return {"nav_items": []}
    items: list[tuple[str, str]] = []
    if user.has_perm("participants.view_young_person_home"):
        items.append(("Home", reverse("young_person_home")))
    if user.has_perm("participants.view_staff_home"):
        items.append(("Dashboard", reverse("staff_home")))
    if user.has_perm("participants.view_membership"):
        items.append(("People", reverse("team_list")))
    if user.has_perm("participants.view_recruitmentround"):
        items.append(("Recruitment", reverse("recruitment_rounds")))
    if user.has_perm("participants.view_onboarding"):
        items.append(("Onboarding", reverse("onboarding_overview")))
    # A young person's engagement pages, in plain words (staff have their own labels below).
    if user.has_perm("engagements.view_opportunity"):
        items.append(("Opportunities", reverse("opportunity_list")))
        items.append(("Your sessions", reverse("my_engagements")))
    if user.has_perm("engagements.add_worklog"):
        items.append(("Your time and expenses", reverse("my_work_logs")))
    if user.has_perm("participants.view_young_person_home"):
        items.append(("What you made", reverse("my_outputs")))
    if user.has_perm("payments.change_own_paymentsetup"):
        items.append(("Your payments", reverse("my_payments")))
    if user.has_perm("engagements.view_impact_feed"):
        items.append(("Your impact", reverse("impact_feed")))
    if user.has_perm("engagements.view_engagement"):
        items.append(("Engagements", reverse("engagement_list")))
    if user.has_perm("engagements.view_worklog"):
        items.append(("Work logs", reverse("work_log_queue")))
    if user.has_perm("engagements.view_output"):
        items.append(("Outputs", reverse("output_list")))
    if user.has_perm("engagements.view_recommendation"):
        items.append(("Recommendations", reverse("recommendation_list")))
    if user.has_perm("engagements.change_response"):
        items.append(("Overdue responses", reverse("overdue_responses")))
    if user.has_perm("payments.view_claim"):
        items.append(("Claims", reverse("claims")))
    if user.has_perm("payments.view_paymentbatch"):
        items.append(("Payment batches", reverse("batches")))
        items.append(("Payouts", reverse("payouts")))
    if user.has_perm("payments.view_payrate"):
        items.append(("Pay rates", reverse("pay_rates")))
    if user.has_perm("payments.view_reconciliation"):
        items.append(("Reconciliation", reverse("reconciliation")))
    if user.has_perm("safeguarding.give_own_consent"):
        items.append(("Your consents", reverse("consent_own_list")))
    if user.has_perm("safeguarding.view_consent"):
        items.append(("Consents", reverse("consent_overview")))
    if user.has_perm("participants.change_trainingmodule"):
        items.append(("Training", reverse("training_modules")))
    if user.has_perm("participants.view_training_matrix"):
        items.append(("Training matrix", reverse("training_matrix")))
    if user.has_perm("engagements.record_permit") and user.partnership.employs_young_people:
        items.append(("Child employment", reverse("child_employment_permits")))
    if user.has_perm("participants.change_skill"):
        items.append(("Skills list", reverse("skill_list")))
    if user.has_perm("participants.view_supportsession"):
        items.append(("Support", reverse("support_overview")))
    if user.has_perm("safeguarding.view_followup"):
        items.append(("Follow-ups", reverse("followups")))
    if user.has_perm("safeguarding.view_riskassessment"):
        items.append(("Risk assessments", reverse("risk_assessments")))
    if user.has_perm("safeguarding.view_staffcheck"):
        items.append(("Checks on staff", reverse("staff_checks")))
    if user.has_perm("safeguarding.raise_concern"):
        items.append(("Concerns", reverse("concern_list")))
    if user.has_perm("engagements.view_reports"):
        items.append(("Reports", reverse("reports_dashboard")))
    if user.has_perm("engagements.view_annual_report"):
        items.append(("Annual report", reverse("annual_report_index")))
    if user.has_perm("library.view_example"):
        items.append(("Library", reverse("library_list")))
    if user.has_perm("engagements.view_impact_feed") and _asked_to_be_named(user):
        items.append(("Your name on examples", reverse("my_library_credits")))
    if user.has_perm("engagements.change_feedbacksettings"):
        items.append(("Public page", reverse("feedback_settings")))
    if user.has_perm("participants.download_own_data"):
        items.append(("Your information", reverse("my_information")))
    if user.has_perm("participants.view_datarequest"):
        items.append(("Data requests", reverse("data_request_list")))
    if user.has_perm("participants.change_partnership"):
        items.append(("Retention", reverse("retention_settings")))
    items.append(("Notifications", reverse("notification_list")))
    if user.has_perm("core.view_auditevent"):
        items.append(("Audit log", reverse("audit_log")))
    if active_membership_count(user) > 1:
        items.append(("Switch partnership", reverse("partnership_switch")))
    items.append(("Sign out", reverse("account_logout")))
    path = request.path
    return {
        "nav_items": [
            {"label": label, "url": url, "active": path == url or (url != "/" and path.startswith(url))}
            for label, url in items
        ]
    }
