from django.urls import include, path

from clarion.tracking import views, webhooks

app_name = "tracking"

urlpatterns = [
    # Recipients' mail clients: the token in the path is the authorisation.
    path("t/o/<str:token>.gif", views.open_pixel, name="open"),
    path("t/c/<str:token>/<int:link>/", views.click, name="click"),
    # Mail servers and email services.
    path("email/inbound/", views.inbound_email, name="inbound"),
    path("email/webhooks/", include(webhooks.urlpatterns)),
]
