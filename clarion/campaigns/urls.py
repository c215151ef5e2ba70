"""Campaign pages, under the Email section (the API lives in api.py)."""

from django.urls import path

from clarion.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("email/campaigns/", views.campaign_list, name="list"),
    path("email/campaigns/new/", views.campaign_new, name="new"),
    path("email/campaigns/estimate/", views.estimate, name="estimate"),
    path("email/campaigns/<int:pk>/", views.campaign_detail, name="detail"),
    path("email/campaigns/<int:pk>/progress/", views.campaign_progress, name="progress"),
    path("email/campaigns/<int:pk>/launch/", views.launch, name="launch"),
    path("email/campaigns/<int:pk>/unschedule/", views.unschedule, name="unschedule"),
    path("email/campaigns/<int:pk>/pause/", views.pause, name="pause"),
    path("email/campaigns/<int:pk>/resume/", views.resume, name="resume"),
    path("email/campaigns/<int:pk>/cancel/", views.cancel, name="cancel"),
    path("email/campaigns/<int:pk>/delete/", views.delete, name="delete"),
]
