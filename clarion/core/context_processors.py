from django.http import HttpRequest

from clarion.core.sections import SECTIONS


def shell(request: HttpRequest) -> dict:
    return {"shell_sections": SECTIONS}
