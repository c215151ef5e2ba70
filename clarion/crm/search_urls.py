from django.urls import path

from clarion.crm import pickers, search

app_name = "search"
urlpatterns = [
    path("", search.results, name="results"),
    path("suggest/", search.suggestions, name="suggestions"),
    path("picker/", pickers.picker_options, name="picker"),
]
