"""Workspace settings pages: profile and security, users, teams, roles."""

from django.urls import path

from clarion.accounts import settings_views as views

app_name = "settings"
urlpatterns = [
    path("", views.index, name="index"),
    path("security/", views.index, name="security"),
    path("users/", views.index, name="users"),
    path("teams/", views.index, name="teams"),
    path("roles/", views.index, name="roles"),
]
