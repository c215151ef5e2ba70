"""Settings → Pipelines."""

from django.urls import path

from clarion.crm import pipeline_views as views

app_name = "pipelines"
urlpatterns = [
    path("", views.pipeline_list, name="list"),
    path("reorder/", views.pipeline_reorder, name="reorder"),
    path("<int:pk>/", views.pipeline_edit, name="edit"),
    path("<int:pk>/delete/", views.pipeline_delete, name="delete"),
    path("<int:pk>/default/", views.pipeline_default, name="default"),
    path("<int:pk>/move/", views.pipeline_move, name="move"),
    path("<int:pk>/stages/", views.stage_add, name="stage_add"),
    path("<int:pk>/stages/reorder/", views.stage_reorder, name="stage_reorder"),
    path("stages/<int:pk>/", views.stage_update, name="stage_update"),
    path("stages/<int:pk>/move/", views.stage_move, name="stage_move"),
    path("stages/<int:pk>/delete/", views.stage_delete, name="stage_delete"),
]
