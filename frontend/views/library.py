"""SKELETON: the shared library's pages (filled in by the library pages work)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
