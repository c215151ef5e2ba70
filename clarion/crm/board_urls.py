"""The deal board (/deals/board/)."""

from django.urls import path

from clarion.crm import board_views as views

app_name = "board"
urlpatterns = [
    path("", views.board_page, name="board"),
    path("move/", views.move, name="move"),
]
