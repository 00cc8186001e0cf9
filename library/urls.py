from django.urls import URLPattern, URLResolver

from library import apis

urlpatterns: list[URLPattern | URLResolver] = [*apis.urlpatterns]
