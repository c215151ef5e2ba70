from django.urls import path

from clarion.integrations import views

app_name = "integrations"

urlpatterns = [
    path("integrations/", views.home, name="home"),
    path("imports/new/", views.import_upload, name="import_upload"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/<int:pk>/mapping/", views.import_mapping, name="import_mapping"),
    path("imports/<int:pk>/preview/", views.import_preview, name="import_preview"),
    path("imports/<int:pk>/errors/", views.import_errors, name="import_errors"),
    path("imports/<int:pk>/undo/", views.import_undo, name="import_undo"),
    path("imports/<int:pk>/list/", views.import_add_to_list, name="import_add_to_list"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/from-list/", views.export_from_list, name="export_from_list"),
    path("exports/<int:pk>/download/", views.export_download, name="export_download"),
]
