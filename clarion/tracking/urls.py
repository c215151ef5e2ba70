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
    # What came back, for people to read.
    path("email/delivery-reports/", views.delivery_report_list, name="delivery_reports"),
    path("email/delivery-reports/<int:pk>/", views.delivery_report_detail,
         name="delivery_report"),
]
