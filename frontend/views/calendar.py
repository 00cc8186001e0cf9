"""The young person's calendar: the secret address of their ICS feed, and the feed itself."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []
