"""Duplicate detection and merge pages, under /duplicates/."""

from django.urls import path

from clarion.crm import merge_views

app_name = "crm_merge"
urlpatterns = [
    path("<str:prefix>/", merge_views.duplicate_list, name="list"),
    path("<str:prefix>/<int:pk>/notice/", merge_views.duplicate_notice, name="notice"),
    path("<str:prefix>/<int:pk>/merge/<int:other_pk>/", merge_views.merge_records,
         name="merge"),
]
