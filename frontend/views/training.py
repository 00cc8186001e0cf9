"""Pages for training (being built)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
