"""The API's one error format, and the handlers that map every failure onto it.

    {"error": {"code": "not_found", "message": "...", "details": [...]}}

Ninja exceptions are mapped by `register_exception_handlers`; responses Django produces before
or around ninja (unknown routes, wrong methods) are rewritten by `APIErrorMiddleware`.
"""

import logging

import pydantic
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

logger = logging.getLogger(__name__)

API_PATH_PREFIX = "/api/"


class APIError(Exception):
    """An error an endpoint raises to answer with the API's error format."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str = "", details: list | None = None) -> None:
        self.message = message or self.default_message()
        self.details = details or []
        super().__init__(self.message)

    def default_message(self) -> str:
        return _("The request could not be understood.")


class NotAuthenticated(APIError):
    status, code = 401, "not_authenticated"

    def default_message(self) -> str:
        return _("Send a valid API key as `Authorization: Bearer <key>`.")


class Forbidden(APIError):
    status, code = 403, "permission_denied"

    def default_message(self) -> str:
        return _("This API key may not do that.")


class NotFound(APIError):
    status, code = 404, "not_found"

    def default_message(self) -> str:
        return _("Nothing was found at this address.")


class RateLimited(APIError):
    status, code = 429, "rate_limited"

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(_("Too many requests; retry in %(seconds)d seconds.")
                         % {"seconds": retry_after})


def error_response(status: int, code: str, message: str, details: list | None = None,
                   ) -> JsonResponse:
    body = {"error": {"code": code, "message": str(message), "details": details or []}}
    return JsonResponse(body, status=status)


def _api_error(request: HttpRequest, exc: APIError) -> HttpResponse:
    response = error_response(exc.status, exc.code, exc.message, exc.details)
    if isinstance(exc, RateLimited):
        response["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, NotAuthenticated):
        response["WWW-Authenticate"] = 'Bearer realm="Clarion API"'
    return response


def _field_path(location: list) -> str:
    return ".".join(str(part) for part in location)


def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    details = [
        {"field": _field_path(error.get("loc", [])), "message": error.get("msg", ""),
         "type": error.get("type", "")}
        for error in exc.errors
    ]
    return error_response(422, "validation_error", _("The request has invalid fields."), details)


def _pydantic_error(request: HttpRequest, exc: pydantic.ValidationError) -> HttpResponse:
    """A JSON shape an endpoint validated itself (filters, workflow graphs…)."""
    details = [{"field": _field_path(error["loc"]), "message": error["msg"],
                "type": error["type"]} for error in exc.errors(include_url=False)]
    return error_response(422, "validation_error", _("The request has invalid fields."), details)


def _django_validation_error(request: HttpRequest,
                             exc: DjangoValidationError) -> HttpResponse:
    """A service refused the change: its messages are meant for the caller."""
    if hasattr(exc, "error_dict"):
        details = [{"field": field, "message": str(message), "type": "invalid"}
                   for field, messages in exc.message_dict.items() for message in messages]
    else:
        details = [{"field": "", "message": str(message), "type": "invalid"}
                   for message in exc.messages]
    return error_response(422, "validation_error", details[0]["message"] if details else
                          _("The request has invalid fields."), details)


def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc, AuthenticationError):
        return _api_error(request, NotAuthenticated())
    if exc.status_code == 400 and str(exc).startswith("Cannot parse request body"):
        return error_response(400, "bad_request",
                              _("The request body is not valid JSON."))
    code = STATUS_CODES.get(exc.status_code, "bad_request")
    return error_response(exc.status_code, code, str(exc))


def _not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _api_error(request, NotFound())


def _permission_denied(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _api_error(request, Forbidden())


def _server_error(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unhandled error in API %s %s", request.method, request.path,
                     exc_info=exc)
    return error_response(500, "server_error",
                          _("Something went wrong on our side; it has been logged."))


def register_exception_handlers(api: NinjaAPI) -> None:
    api.add_exception_handler(APIError, _api_error)
    api.add_exception_handler(ValidationError, _validation_error)
    api.add_exception_handler(pydantic.ValidationError, _pydantic_error)
    api.add_exception_handler(DjangoValidationError, _django_validation_error)
    api.add_exception_handler(HttpError, _http_error)
    api.add_exception_handler(Http404, _not_found)
    api.add_exception_handler(PermissionDenied, _permission_denied)
    api.add_exception_handler(Exception, _server_error)


STATUS_CODES = {
    400: "bad_request",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    422: "validation_error",
    429: "rate_limited",
    500: "server_error",
}


def _message_for(status: int) -> str:
    messages = {
        404: _("Nothing was found at this address."),
        405: _("This method is not allowed here."),
        403: _("You may not do that."),
        500: _("Something went wrong on our side; it has been logged."),
    }
    return messages.get(status, _("The request could not be understood."))


class APIErrorMiddleware:
    """Give error responses Django made under /api/ (unknown routes, wrong methods, errors
    outside ninja) the API's JSON error format instead of an HTML page."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not request.path.startswith(API_PATH_PREFIX) or response.status_code < 400:
            return response
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        json_response = error_response(status, STATUS_CODES.get(status, "bad_request"),
                                       _message_for(status))
        if status == 405 and response.has_header("Allow"):
            json_response["Allow"] = response["Allow"]
        return json_response

