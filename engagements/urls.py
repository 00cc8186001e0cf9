from django.urls import URLPattern, URLResolver

from engagements.apis import attendance, opportunities, outputs, selection, work_logs

urlpatterns: list[URLPattern | URLResolver] = [
    *opportunities.urlpatterns,
    *selection.urlpatterns,
    *attendance.urlpatterns,
    *work_logs.urlpatterns,
    *outputs.urlpatterns,
]
