"""Workspace settings pages: profile and security, users, teams, roles, the sign-in log."""

from django.urls import path

from clarion.accounts import settings_views as views

app_name = "settings"
urlpatterns = [
    path("", views.index, name="index"),
    path("security/", views.security, name="security"),
    path("security/profile/", views.profile, name="profile"),
    path("security/password/", views.password, name="password"),
    path("security/two-factor/enable/", views.two_factor_enable, name="two_factor_enable"),
    path("security/two-factor/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("security/two-factor/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path("users/", views.users, name="users"),
    path("users/<int:pk>/", views.user_edit, name="user_edit"),
    path("users/<int:pk>/two-factor/reset/", views.user_two_factor_reset,
         name="user_two_factor_reset"),
    path("users/invite/", views.invite, name="invite"),
    path("users/invitations/<int:pk>/resend/", views.invitation_resend,
         name="invitation_resend"),
    path("users/invitations/<int:pk>/revoke/", views.invitation_revoke,
         name="invitation_revoke"),
    path("sign-in-log/", views.sign_in_log, name="sign_in_log"),
    path("teams/", views.teams, name="teams"),
    path("teams/<int:pk>/", views.team_edit, name="team_edit"),
    path("teams/<int:pk>/delete/", views.team_delete, name="team_delete"),
    path("roles/", views.roles, name="roles"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<int:pk>/", views.role_edit, name="role_edit"),
    path("roles/<int:pk>/delete/", views.role_delete, name="role_delete"),
]
