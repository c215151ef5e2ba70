"""Record pages for every object type (generated from `objects.py`) and the custom
properties settings."""

from django.urls import path

from clarion.crm import lists, property_views, views
from clarion.crm.objects import OBJECT_TYPES

app_name = "crm"


def _record_urls(type_name: str, prefix: str) -> list:
    kind = {"type_name": type_name}
    return [
        path(f"{prefix}/", lists.record_list, kind, name=f"{type_name}_list"),
        path(f"{prefix}/new/", views.record_create, kind, name=f"{type_name}_create"),
        path(f"{prefix}/<int:pk>/", views.record_detail, kind, name=f"{type_name}_detail"),
        path(f"{prefix}/<int:pk>/edit/", views.record_edit, kind, name=f"{type_name}_edit"),
        path(f"{prefix}/<int:pk>/delete/", views.record_delete, kind,
             name=f"{type_name}_delete"),
        path(f"{prefix}/<int:pk>/timeline/", views.record_timeline, kind,
             name=f"{type_name}_timeline"),
        path(f"{prefix}/<int:pk>/associations/<str:other_name>/add/", views.association_add,
             kind, name=f"{type_name}_association_add"),
        path(f"{prefix}/<int:pk>/associations/<str:other_name>/<int:other_pk>/remove/",
             views.association_remove, kind, name=f"{type_name}_association_remove"),
    ]


urlpatterns = [
    path("deals/stages/", views.stage_options, name="stage_options"),
    path("settings/properties/", property_views.property_list, name="properties"),
    path("settings/properties/<str:type_name>/new/", property_views.property_create,
         name="property_create"),
    path("settings/properties/<int:pk>/edit/", property_views.property_edit,
         name="property_edit"),
    path("settings/properties/<int:pk>/archive/", property_views.property_archive,
         name="property_archive"),
]
for object_type in OBJECT_TYPES.values():
    urlpatterns += _record_urls(object_type.name, object_type.url_prefix)
