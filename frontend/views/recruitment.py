"""Pages for recruitment (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
