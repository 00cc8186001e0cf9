"""Pages for apply (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
