from django.urls import URLPattern, URLResolver

from payments.apis import batches, claims, payouts, rates, webhooks

urlpatterns: list[URLPattern | URLResolver] = [
    *rates.urlpatterns,
    *claims.urlpatterns,
    *batches.urlpatterns,
    *payouts.urlpatterns,
    *webhooks.urlpatterns,
]
