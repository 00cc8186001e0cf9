from django.urls import path

from participants.apis import data_rights as data_rights_apis
from participants.apis import onboarding, recruitment
from participants.apis import people as apis
from participants.apis import portfolio as portfolio_apis
from participants.apis import support as support_apis
from participants.apis import training as training_apis

urlpatterns = [
    path("me/", apis.MeApi.as_view(), name="api-me"),
    path("memberships/", apis.MembershipListApi.as_view(), name="api-membership-list"),
    path("memberships/<int:membership_id>/", apis.MembershipDetailApi.as_view(), name="api-membership-detail"),
    path(
        "memberships/<int:membership_id>/suspend/",
        apis.MembershipSuspendApi.as_view(),
        name="api-membership-suspend",
    ),
    path(
        "memberships/<int:membership_id>/reactivate/",
        apis.MembershipReactivateApi.as_view(),
        name="api-membership-reactivate",
    ),
    # Recruitment
    path("recruitment-rounds/", recruitment.RoundListApi.as_view(), name="api-round-list"),
    path("recruitment-rounds/<int:round_id>/", recruitment.RoundDetailApi.as_view(), name="api-round-detail"),
    path("applications/", recruitment.ApplicationListApi.as_view(), name="api-application-list"),
    path(
        "applications/bulk-transition/",
        recruitment.ApplicationBulkTransitionApi.as_view(),
        name="api-application-bulk-transition",
    ),
    path(
        "applications/<int:application_id>/",
        recruitment.ApplicationDetailApi.as_view(),
        name="api-application-detail",
    ),
    path(
        "applications/<int:application_id>/transition/",
        recruitment.ApplicationTransitionApi.as_view(),
        name="api-application-transition",
    ),
    path(
        "applications/<int:application_id>/scores/",
        recruitment.ApplicationScoresApi.as_view(),
        name="api-application-scores",
    ),
    # Onboarding
    path("onboarding/", onboarding.OnboardingListApi.as_view(), name="api-onboarding-list"),
    path(
        "onboarding/<int:membership_id>/items/<str:key>/",
        onboarding.OnboardingItemApi.as_view(),
        name="api-onboarding-item",
    ),
    *training_apis.urlpatterns,
    *support_apis.urlpatterns,
    *portfolio_apis.urlpatterns,
    *data_rights_apis.urlpatterns,
]
