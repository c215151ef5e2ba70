from django.urls import path

from clarion.subscriptions import public_views

app_name = "subscriptions"

urlpatterns = [
    # Recipients' pages: no login; the token in the path is the authorisation.
    path("email/u/<str:token>/", public_views.unsubscribe, name="unsubscribe"),
    path("email/preferences/<str:token>/", public_views.preferences, name="preferences"),
    path("email/confirm/<str:token>/", public_views.confirm, name="confirm"),
]
