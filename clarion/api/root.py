"""The REST API root: one NinjaAPI that mounts each app's router under /api/v1/."""

from ninja import NinjaAPI

api = NinjaAPI(title="Clarion API", version="1", urls_namespace="api", docs_url="/docs")


@api.get("/", summary="API root", tags=["meta"])
def root(request):
    return {"name": "Clarion", "version": "1"}
