"""SKELETON: /api/v1/reports/ (filled in by the reports work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
