"""Email design pages under /email/designs/, and the public address of library images."""

from django.urls import path

from clarion.emails import views

app_name = "emails"

urlpatterns = [
    path("email/designs/", views.email_list, name="list"),
    path("email/designs/new/", views.email_new, name="new"),
    path("email/designs/templates/", views.template_gallery, name="templates"),
    path("email/designs/templates/<slug:key>/thumbnail/", views.library_thumbnail,
         name="library_thumbnail"),
    path("email/designs/images/", views.asset_list, name="assets"),
    path("email/designs/images/upload/", views.asset_upload, name="asset_upload"),
    path("email/designs/<int:pk>/", views.email_builder, name="detail"),
    path("email/designs/<int:pk>/save/", views.email_save, name="save"),
    path("email/designs/<int:pk>/preview/", views.email_preview, name="preview"),
    path("email/designs/<int:pk>/send-test/", views.email_send_test, name="send_test"),
    path("email/designs/<int:pk>/save-as-template/", views.email_save_as_template,
         name="save_as_template"),
    path("email/designs/<int:pk>/duplicate/", views.email_duplicate, name="duplicate"),
    path("email/designs/<int:pk>/delete/", views.email_delete, name="delete"),
    path("email/designs/<int:pk>/thumbnail/", views.email_thumbnail, name="thumbnail"),
    path("email/images/<path:path>", views.public_image, name="image"),
]
