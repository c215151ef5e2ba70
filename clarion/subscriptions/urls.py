from django.urls import path

from clarion.subscriptions import public_views, views

app_name = "subscriptions"

urlpatterns = [
    # Recipients' pages: no login; the token in the path is the authorisation.
    path("email/u/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("email/preferences/<str:token>/", public_views.preferences, name="preferences"),
    path("email/confirm/<str:token>/", public_views.confirm, name="confirm"),
    # Staff pages.
    path("settings/subscription-types/", views.type_list, name="types"),
    path("settings/subscription-types/new/", views.type_create, name="type_create"),
    path("settings/subscription-types/<int:pk>/", views.type_edit, name="type_edit"),
    path("settings/subscription-types/<int:pk>/archive/", views.type_archive,
         name="type_archive"),
    path("settings/subscription-types/<int:pk>/delete/", views.type_delete,
         name="type_delete"),
    path("email/suppressions/", views.suppression_list, name="suppressions"),
    path("email/suppressions/<int:pk>/remove/", views.suppression_remove,
         name="suppression_remove"),
    path("email/contacts/<int:pk>/subscriptions/", views.contact_subscription,
         name="contact_subscription"),
    path("email/contacts/<int:pk>/consent/", views.consent_log, name="consent_log"),
]
