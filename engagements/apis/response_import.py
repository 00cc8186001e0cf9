"""SKELETON: /api/v1/response-imports/ (filled in by the import work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
