from django.urls import path

from participants.apis import people as apis

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
]
