"""ASGI entry point: Django's HTTP app, and websockets under /ws/ for live pages."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "clarion.settings")
http_application = get_asgi_application()

# Imported once Django is set up: the consumers use the ORM.
from importlib import import_module  # noqa: E402

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402
from django.apps import apps  # noqa: E402
from django.utils.module_loading import module_has_submodule  # noqa: E402

# Every app's `routing.websocket_urlpatterns`, in INSTALLED_APPS order.
websocket_urlpatterns = [
    route
    for config in apps.get_app_configs()
    if config.name.startswith("clarion.") and module_has_submodule(config.module, "routing")
    for route in import_module(f"{config.name}.routing").websocket_urlpatterns
]

application = ProtocolTypeRouter({
    "http": http_application,
    "websocket": AllowedHostsOriginValidator(AuthMiddlewareStack(URLRouter(websocket_urlpatterns))),
})
