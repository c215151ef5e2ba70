import sys
import types

from ninja import NinjaAPI, Router

from clarion.api import root
from clarion.api.auth import scope_required


def test_an_apps_api_module_is_mounted_at_its_prefix(monkeypatch):
    package = types.ModuleType("clarion.fakeapp")
    package.__path__ = []
    module = types.ModuleType("clarion.fakeapp.api")
    module.prefix = "/things"
    module.router = Router(auth=scope_required("contacts:read"))
    module.router.get("", url_name="things")(lambda request: [])
    monkeypatch.setitem(sys.modules, "clarion.fakeapp", package)
    monkeypatch.setitem(sys.modules, "clarion.fakeapp.api", module)
    app_config = types.SimpleNamespace(name="clarion.fakeapp", module=package)
    monkeypatch.setattr(root.apps, "get_app_configs", lambda: [app_config])
    monkeypatch.setattr(root, "module_has_submodule", lambda package, name: name == "api")
    api = NinjaAPI(urls_namespace="mount-test")

    root.mount_app_routers(api)

    assert "/things" in api.get_openapi_schema(path_prefix="")["paths"]
