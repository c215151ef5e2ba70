from django.urls import path

from clarion.crm import search

app_name = "search"
urlpatterns = [
    path("", search.results, name="results"),
    path("suggest/", search.suggestions, name="suggestions"),
]
