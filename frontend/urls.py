from django.urls import path

from frontend import views

urlpatterns = [
    path("", views.home, name="home"),
    path("me/", views.young_person_home, name="young_person_home"),
    path("staff/", views.staff_home, name="staff_home"),
    path("staff/people/", views.team_list, name="team_list"),
    path("staff/people/<int:membership_id>/", views.team_member, name="team_member"),
    path("staff/audit-log/", views.audit_log, name="audit_log"),
    path("partnerships/", views.partnership_switch, name="partnership_switch"),
    path("partnerships/<int:partnership_id>/", views.partnership_switch_to, name="partnership_switch_to"),
]
