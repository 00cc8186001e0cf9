"""The /api/v1/ endpoints for opportunities (thin: parse, call the service, serialize)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
