from django.urls import path

from clarion.collab import comment_views, file_views, views

app_name = "collab"

urlpatterns = [
    path("collab/people/", views.mention_search, name="mention_search"),
    path("collab/<str:type_name>/<int:pk>/activities/new/", views.activity_create,
         name="activity_create"),
    path("collab/activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("collab/activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("collab/activities/<int:pk>/pin/", views.activity_pin, name="activity_pin"),
    path("collab/activities/<int:pk>/delete/", views.activity_delete, name="activity_delete"),
    path("collab/<str:type_name>/<int:pk>/comments/", comment_views.comments,
         name="comments"),
    path("collab/comments/<int:pk>/edit/", comment_views.comment_edit, name="comment_edit"),
    path("collab/comments/<int:pk>/delete/", comment_views.comment_delete,
         name="comment_delete"),
    path("collab/comments/<int:pk>/history/", comment_views.comment_history,
         name="comment_history"),
    path("collab/<str:type_name>/<int:pk>/files/", file_views.files, name="files"),
    path("collab/files/<int:pk>/download/", file_views.download, name="download"),
    path("collab/files/<int:pk>/preview/", file_views.preview, name="preview"),
    path("collab/files/<int:pk>/delete/", file_views.delete, name="file_delete"),
]
