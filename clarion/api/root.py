"""The REST API root: one NinjaAPI under /api/v1/ that mounts each app's router.

An app exposes `router` (a ninja Router) and `prefix` (e.g. "/contacts") in its `api.py`, or,
when it serves several resources, `routers = [(prefix, router), …]`; `mount_app_routers` finds
them when the URLs load. Every operation requires an API key unless
it says otherwise; the docs and the OpenAPI schema are public.
"""

from importlib import import_module

from django.apps import apps
from django.urls import reverse
from django.utils.module_loading import module_has_submodule
from ninja import NinjaAPI, Swagger

from clarion.api import meta, users
from clarion.api.auth import APIKeyAuth
from clarion.api.errors import register_exception_handlers

DESCRIPTION = """Clarion's REST API.

Authenticate with an API key from **Settings → API keys**, sent as
`Authorization: Bearer clk_…` (or `X-API-Key: clk_…`). Each endpoint says which scope it needs;
a key acts only within its scopes and within what its user's role allows.
Errors always read `{"error": {"code", "message", "details"}}`. Lists are cursor-paginated:
pass the `next` value back as `?cursor=`.
"""

# Swagger UI from ninja's bundled static files; no validator calls to swagger.io.
DOCS = Swagger(settings={"validatorUrl": None, "persistAuthorization": True})

api = NinjaAPI(title="Clarion API", version="1", description=DESCRIPTION,
               urls_namespace="api", docs=DOCS, docs_url="/docs", auth=APIKeyAuth())
register_exception_handlers(api)


@api.get("/", summary="API root", tags=["meta"], response=meta.RootOut)
def root(request):
    def link(name: str) -> str:
        return request.build_absolute_uri(reverse(f"api:{name}"))

    return {"name": "Clarion", "version": api.version,
            "links": {"docs": link("openapi-view"), "openapi": link("openapi-json"),
                      "me": link("me"), "users": link("list_users")}}


api.add_router("/me", meta.router)
api.add_router("/users", users.router)


def mount_app_routers(api: NinjaAPI) -> None:
    for app_config in apps.get_app_configs():
        if app_config.name == "clarion.api" or not app_config.name.startswith("clarion."):
            continue
        if module_has_submodule(app_config.module, "api"):
            module = import_module(f"{app_config.name}.api")
            for prefix, router in _routers_of(module):
                api.add_router(prefix, router)


def _routers_of(module) -> list:
    """An app's `routers` list, or its single `prefix` + `router`."""
    if hasattr(module, "routers"):
        return list(module.routers)
    return [(module.prefix, module.router)]


mount_app_routers(api)
