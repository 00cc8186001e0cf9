"""Pages for onboarding (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
