"""API for support (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
