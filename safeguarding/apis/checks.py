"""API for safeguarding: checks (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
