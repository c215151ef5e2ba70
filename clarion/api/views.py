from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clarion.core.permissions import capability_required


@capability_required("api.manage")
def key_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")
