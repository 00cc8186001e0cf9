from django.urls import URLPattern, URLResolver

from safeguarding.apis import checks, concerns, consent

urlpatterns: list[URLPattern | URLResolver] = [
    *consent.urlpatterns,
    *concerns.urlpatterns,
    *checks.urlpatterns,
]
