"""SKELETON: /api/v1/library/ (filled in by the library API work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
