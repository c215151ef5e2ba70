"""Segment and list pages (the API lives in api.py)."""

from django.urls import path

from clarion.segments import views

app_name = "segments"

urlpatterns = [
    path("segments/", views.segment_list, name="list"),
    path("segments/new/", views.segment_create, name="create"),
    path("segments/count/", views.builder_count, name="count"),
    path("segments/builder-options/", views.list_builder_options, name="builder_options"),
    path("segments/add-to-list/", views.add_to_list, name="add_to_list"),
    path("segments/add-to-list/lists/", views.list_choices, name="list_choices"),
    path("segments/<int:pk>/", views.segment_detail, name="detail"),
    path("segments/<int:pk>/edit/", views.segment_edit, name="edit"),
    path("segments/<int:pk>/delete/", views.segment_delete, name="delete"),
    path("segments/<int:pk>/refresh/", views.segment_refresh, name="refresh"),
    path("segments/<int:pk>/members/add/", views.members_add, name="members_add"),
    path("segments/<int:pk>/members/remove/", views.members_remove, name="members_remove"),
    path("segments/<int:pk>/members/search/", views.contact_picker, name="contact_picker"),
]
