"""SKELETON: /api/v1/recommendations/, /responses/, /impact-feed/ (filled in by the API work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
