"""Sender identity settings under /settings/senders/."""

from django.urls import path

from clarion.sending import views

app_name = "sending"

urlpatterns = [
    path("settings/senders/", views.sender_list, name="senders"),
    path("settings/senders/new/", views.sender_create, name="sender_create"),
    path("settings/senders/<int:pk>/", views.sender_edit, name="sender_edit"),
    path("settings/senders/<int:pk>/dkim/", views.sender_generate_key, name="sender_dkim"),
    path("settings/senders/<int:pk>/default/", views.sender_default, name="sender_default"),
    path("settings/senders/<int:pk>/delete/", views.sender_delete, name="sender_delete"),
]
