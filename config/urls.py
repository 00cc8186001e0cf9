from allauth.account.decorators import secure_admin_login
from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import bench_floor, healthz
from core.web_security import api_docs_policy
from payments.views import stripe_webhook

# Operators sign in to the Django admin through allauth too: same rate limits, same second factor.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]
admin.site.site_header = "Young Scrutineers operations"
# Under /api/, a URL that matches nothing or a request Django refuses answers with the API's {"message", "extra"}
# shape; pages keep the site's own pages.
handler400 = "core.api.bad_request"
handler404 = "core.api.not_found"

api_v1: list[URLPattern | URLResolver] = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    # Swagger UI with its script served from its own address (no inline script) and data: images allowed there only.
    path("docs/", api_docs_policy(SpectacularSwaggerSplitView.as_view(url_name="api-schema")), name="api-docs"),
    path("", include("participants.urls")),
    path("", include("core.urls")),
    path("", include("safeguarding.urls")),
    path("", include("engagements.urls")),
    path("", include("payments.urls")),
    path("", include("library.urls")),
]

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("accounts/", include("allauth.urls")),
    path("api/v1/", include(api_v1)),
    path("django-admin/", admin.site.urls),
    path("payments/stripe/webhook/<str:token>/", stripe_webhook, name="stripe_webhook"),
    path("", include("frontend.urls")),
]

# The throughput benchmark's floor (bench/throughput.py): only when BENCH_FLOOR_VIEW is on, never in production.
if settings.BENCH_FLOOR_VIEW:
    urlpatterns.insert(0, path("bench/floor/", bench_floor, name="bench_floor"))
