"""Pages for safeguarding (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
