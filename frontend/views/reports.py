"""SKELETON: pages filled in by the feedback-loop work."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
