from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from clarion.core.permissions import capabilities_of
from clarion.core.sections import SECTIONS


def shell(request: HttpRequest) -> dict:
    # Lazy, so pages that never show capability-dependent links never load the role.
    capabilities = SimpleLazyObject(lambda: capabilities_of(getattr(request, "user", None)))
    return {"shell_sections": SECTIONS, "user_capabilities": capabilities}
