from django.urls import path

from clarion.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("s/<slug:slug>/", views.section, name="section"),
    path("design/", views.design, name="design"),
]
