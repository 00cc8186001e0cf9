from django.urls import path

from core import apis

urlpatterns = [
    path("audit-events/", apis.AuditEventListApi.as_view(), name="api-audit-event-list"),
]
