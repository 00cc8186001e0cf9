"""API for safeguarding: concerns (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
