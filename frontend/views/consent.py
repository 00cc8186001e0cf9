"""Pages for consent (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
