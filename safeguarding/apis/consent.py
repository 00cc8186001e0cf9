"""API for safeguarding: consent (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
