"""A small API with a JSON body and a failing endpoint, wired like the real one, so the error
format can be checked for requests the real endpoints do not take yet."""

from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import path
from ninja import NinjaAPI, Schema

from clarion.api.auth import APIKeyAuth
from clarion.api.errors import register_exception_handlers
from clarion.urls import urlpatterns as clarion_urlpatterns

probe = NinjaAPI(urls_namespace="probe", auth=APIKeyAuth(), docs_url=None)
register_exception_handlers(probe)


class ThingIn(Schema):
    name: str
    size: int


@probe.post("/things")
def create_thing(request, thing: ThingIn):
    return {"name": thing.name}


@probe.get("/boom")
def boom(request):
    raise RuntimeError("secret internals")


@probe.post("/validate")
def validate_inside(request):
    ThingIn.model_validate({"name": "x", "size": "huge"})


@probe.post("/refuse")
def refuse(request):
    raise DjangoValidationError({"email": ["This email is already taken."]})


urlpatterns = [path("api/probe/", probe.urls), *clarion_urlpatterns]
