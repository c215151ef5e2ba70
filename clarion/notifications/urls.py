from django.urls import path

from clarion.notifications import guest_views, views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/bell/", views.bell, name="bell"),
    path("notifications/read-all/", views.notification_mark_all_read, name="mark_all_read"),
    path("notifications/<int:pk>/open/", views.notification_open, name="open"),
    path("notifications/<int:pk>/read/", views.notification_mark_read, name="mark_read"),
    path("activity/", views.activity, name="activity"),
    path("settings/notifications/", views.preferences, name="preferences"),
    path("shared/", guest_views.shared_with_me, name="shared_with_me"),
    path("guests/share/<str:type_name>/<int:pk>/", guest_views.guest_share, name="guest_share"),
    path("guests/access/<int:pk>/revoke/", guest_views.guest_revoke, name="guest_revoke"),
    path("settings/audit-log/", guest_views.audit_log, name="audit_log"),
]
