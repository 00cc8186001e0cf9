from django.urls import URLPattern, URLResolver

from frontend.views import (
    apply,
    concerns,
    consent,
    employment,
    home,
    onboarding,
    portfolio,
    recruitment,
    safeguarding,
    support,
    training,
)

urlpatterns: list[URLPattern | URLResolver] = [
    *home.urlpatterns,
    *apply.urlpatterns,
    *recruitment.urlpatterns,
    *onboarding.urlpatterns,
    *consent.urlpatterns,
    *concerns.urlpatterns,
    *safeguarding.urlpatterns,
    *training.urlpatterns,
    *support.urlpatterns,
    *portfolio.urlpatterns,
    *employment.urlpatterns,
]
