"""The /api/v1/ endpoints for work logs (thin: parse, call the service, serialize)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
