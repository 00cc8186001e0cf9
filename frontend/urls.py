from django.urls import URLPattern, URLResolver

from frontend.views import apply, home, onboarding, recruitment

urlpatterns: list[URLPattern | URLResolver] = [
    *home.urlpatterns,
    *apply.urlpatterns,
    *recruitment.urlpatterns,
    *onboarding.urlpatterns,
]
