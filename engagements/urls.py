from django.urls import URLPattern, URLResolver

from engagements.apis import (
    attendance,
    feedback,
    opportunities,
    outputs,
    reports,
    response_import,
    selection,
    work_logs,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *opportunities.urlpatterns,
    *selection.urlpatterns,
    *attendance.urlpatterns,
    *work_logs.urlpatterns,
    *outputs.urlpatterns,
    *feedback.urlpatterns,
    *reports.urlpatterns,
    *response_import.urlpatterns,
]
