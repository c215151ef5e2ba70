"""Recipients' pages: unsubscribe, the preference centre and double opt-in confirmation.

No login and no session: the token in the address is the authorisation (a message token for
unsubscribe and preferences, a signed (contact, type) token for confirmation). A GET never
changes anything, so link scanners that fetch every URL of an email unsubscribe nobody.

CSRF: only `unsubscribe` is exempt. RFC 8058 requires its one-click POST to work without a
cookie or token, and its form POST can do nothing the one-click POST doesn't already allow
whoever holds the (unguessable) token to do; exempting it also means a recipient whose
browser refuses cookies can still unsubscribe. The preference centre and confirmation keep
Django's CSRF protection.

Rate limits (core.ratelimit, per client IP): page views and form posts, and a stricter one
for bad tokens. The one-click POST is limited per message instead of per IP, because mailbox
providers send every one-click unsubscribe of their users from a few addresses.
"""

from django.conf import settings
from django.http import HttpResponse
from django.http.request import RawPostDataException
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from clarion.core.http import client_ip
from clarion.core.ratelimit import over_limit
from clarion.crm.models import Contact
from clarion.sending.models import Message
from clarion.sending.tokens import message_pk_from_token
from clarion.subscriptions import queries, services
from clarion.subscriptions.models import ConsentRecord, Subscription, SubscriptionType

Method = ConsentRecord.Method


def _too_many(request, retry_after: int) -> HttpResponse:
    response = render(request, "subscriptions/public/too_many.html", status=429)
    response["Retry-After"] = str(retry_after)
    return response


def _not_found(request) -> HttpResponse:
    """The same page for a malformed, forged, expired or unknown token: nothing tells which."""
    return render(request, "subscriptions/public/invalid.html", status=404)


def _guard(request, kind: str = "page"):
    """A 429 response when this IP went over its limit, else None."""
    ip = client_ip(request) or "unknown"
    if kind == "bad":
        wait = over_limit(f"email-links:bad:{ip}",
                          settings.CLARION_EMAIL_LINK_BAD_TOKEN_LIMIT)
    else:
        wait = over_limit(f"email-links:{ip}", settings.CLARION_EMAIL_LINK_RATE_LIMIT)
    return _too_many(request, wait) if wait else None


def _message(token: str) -> Message | None:
    pk = message_pk_from_token(token)
    if pk is None:
        return None
    message = (Message.objects.select_related("send__subscription_type", "contact")
               .filter(pk=pk).first())
    if message is None or message.contact is None:
        return None
    return message


def _bad_token(request) -> HttpResponse:
    return _guard(request, "bad") or _not_found(request)


ONE_CLICK_BODY = b"List-Unsubscribe=One-Click"


def _is_one_click(request) -> bool:
    """RFC 8058: the body is `List-Unsubscribe=One-Click`, form-encoded or multipart; a
    client that sends it under another content type is understood too."""
    if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return request.POST.get("List-Unsubscribe") == "One-Click"
    try:
        return request.body[:len(ONE_CLICK_BODY) + 8].strip() == ONE_CLICK_BODY
    except RawPostDataException:
        return False


@csrf_exempt
@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request, token: str):
    if request.method == "POST" and _is_one_click(request):
        return _one_click(request, token)
    limited = _guard(request)
    if limited:
        return limited
    message = _message(token)
    if message is None:
        return _bad_token(request)
    contact, send = message.contact, message.send
    subscription_type = send.subscription_type
    address = message.email or contact.email
    context = {"message": message, "contact": contact, "subscription_type": subscription_type,
               "token": token, "address": address}
    if request.method != "POST":
        context["suppressed"] = queries.is_suppressed(address)
        context["already"] = subscription_type is not None and Subscription.objects.filter(
            contact=contact, subscription_type=subscription_type,
            status=Subscription.Status.UNSUBSCRIBED).exists()
    if request.method == "POST":
        scope = request.POST.get("scope")
        origin = services.Origin.of(request)
        if scope == "all" or subscription_type is None:
            services.unsubscribe_all(contact, method=Method.UNSUBSCRIBE_PAGE, origin=origin,
                                     message=message)
            context["scope"] = "all"
        elif scope == "type":
            services.unsubscribe(contact, subscription_type, method=Method.UNSUBSCRIBE_PAGE,
                                 origin=origin, message=message)
            context["scope"] = "type"
        else:
            return render(request, "subscriptions/public/unsubscribe.html",
                          {**context, "error": True}, status=400)
        return render(request, "subscriptions/public/unsubscribed.html", context)
    return render(request, "subscriptions/public/unsubscribe.html", context)


def _one_click(request, token: str) -> HttpResponse:
    """RFC 8058: unsubscribe from the send's type and answer 200, quickly and idempotently."""
    pk = message_pk_from_token(token)
    if pk is None:
        limited = _guard(request, "bad")
        return limited or HttpResponse(status=404)
    wait = over_limit(f"email-links:one-click:{pk}",
                      settings.CLARION_ONE_CLICK_PER_MESSAGE_LIMIT)
    if wait:
        response = HttpResponse(status=429)
        response["Retry-After"] = str(wait)
        return response
    message = _message(token)
    if message is None:
        return HttpResponse(status=404)
    services.unsubscribe_from_message(message, method=Method.ONE_CLICK,
                                      origin=services.Origin.of(request))
    return HttpResponse(status=200, content_type="text/plain; charset=utf-8",
                        content=b"Unsubscribed\n")


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def preferences(request, token: str):
    limited = _guard(request)
    if limited:
        return limited
    message = _message(token)
    if message is None:
        return _bad_token(request)
    contact = message.contact
    if request.method == "POST":
        _save_preferences(request, contact, message)
        return redirect(reverse("subscriptions:preferences", args=[token]) + "?saved=1")
    address = message.email or contact.email
    return render(request, "subscriptions/public/preferences.html", {
        "token": token, "contact": contact, "address": address,
        "states": queries.subscription_states(contact),
        "suppression": queries.suppression_of(address),
        "saved": request.GET.get("saved") == "1",
    })


def _save_preferences(request, contact: Contact, message: Message) -> None:
    origin = services.Origin.of(request)
    method = Method.PREFERENCE_CENTRE
    action = request.POST.get("action", "save")
    if action == "unsubscribe_all":
        services.unsubscribe_all(contact, method=method, origin=origin, message=message)
        return
    if action == "resubscribe":
        services.resubscribe(contact, method=method, origin=origin, message=message)
        return
    # Only what the person changed: a box shown unticked (not receiving, or awaiting
    # confirmation) and left unticked changes nothing.
    wanted = {int(value) for value in request.POST.getlist("types") if value.isdigit()}
    for state in queries.subscription_states(contact):
        kind = state["type"]
        if kind.pk in wanted and not state["receives"]:
            # The person reached this page from an email sent to the address: no further
            # confirmation of the address is needed.
            services.set_status(contact, kind, Subscription.Status.SUBSCRIBED, method=method,
                                origin=origin, message=message, confirmed=True)
        elif kind.pk not in wanted and state["receives"]:
            services.unsubscribe(contact, kind, method=method, origin=origin, message=message)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def confirm(request, token: str):
    limited = _guard(request)
    if limited:
        return limited
    ids = services.read_confirmation_token(token)
    if ids is None:
        return _bad_token(request)
    contact = Contact.objects.filter(pk=ids[0]).first()
    subscription_type = SubscriptionType.objects.filter(pk=ids[1]).first()
    if contact is None or subscription_type is None:
        return _bad_token(request)
    row = Subscription.objects.filter(contact=contact,
                                      subscription_type=subscription_type).first()
    context = {"contact": contact, "subscription_type": subscription_type,
               "address": contact.email, "status": row.status if row else ""}
    if request.method == "POST":
        confirmed = services.confirm(contact, subscription_type,
                                     origin=services.Origin.of(request))
        context["status"] = confirmed.status if confirmed else context["status"]
        return render(request, "subscriptions/public/confirmed.html", context)
    return render(request, "subscriptions/public/confirm.html", context)
