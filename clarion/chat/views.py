"""The chat pages: conversations with their sidebar, message fragments for live updates and
polling, channels, direct messages, members, and record discussions. Every page works
without JavaScript (forms post and redirect); chat.js adds live delivery on top."""

from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from clarion.chat import queries, services
from clarion.chat.forms import AddMembersForm, ChannelForm, DirectForm, MessageForm
from clarion.chat.models import Conversation, Message
from clarion.chat.rendering import BodyRenderer
from clarion.crm.objects import get_object_type
from clarion.crm.views import get_visible_record

CURRENT = {"current_section": "chat"}


def conversation_or_404(request: HttpRequest, pk: int) -> Conversation:
    conversation = queries.readable_conversation(request.user, pk)
    if conversation is None:
        raise Http404
    return conversation


def message_or_404(request: HttpRequest, conversation: Conversation, pk: int) -> Message:
    message = (Message.objects.filter(pk=pk, conversation=conversation)
               .select_related("author", "conversation").first())
    if message is None:
        raise Http404
    return message


def rendered(request: HttpRequest, message_list: list[Message]) -> list[Message]:
    """Attach each message's HTML for this viewer (records fetched once for the page)."""
    renderer = BodyRenderer(request.user, [m.body for m in message_list], request)
    for message in message_list:
        message.html = renderer.render(message.body)
    return message_list


@login_required
def home(request: HttpRequest) -> HttpResponse:
    services.sync_team_channels(request.user)
    sidebar = queries.sidebar(request.user)
    first = next(iter(sidebar.channels + sidebar.direct + sidebar.discussions), None)
    if first is not None:
        return redirect("chat:conversation", first.conversation.pk)
    return render(request, "chat/home.html", {"sidebar": sidebar, **CURRENT})


@login_required
def conversation_page(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    services.sync_team_channels(request.user)
    before = queries.decode_before(request.GET.get("before", ""))
    page, older = queries.message_page(conversation, before=before)
    is_member = queries.is_member(request.user, conversation)
    first_unread = None
    if is_member and before is None and page:
        last_read = queries.last_read_id(request.user, conversation)
        first_unread = next((m.pk for m in page
                             if m.pk > last_read and m.author_id != request.user.pk), None)
        services.mark_read(user=request.user, conversation=conversation,
                           message_id=page[-1].pk)
    return render(request, "chat/conversation.html", {
        "conversation": conversation, "sidebar": queries.sidebar(request.user),
        "title": queries.conversation_title(request.user, conversation),
        "messages_list": rendered(request, page), "older": older,
        "first_unread_id": first_unread, "newest_id": page[-1].pk if page else 0,
        "is_member": is_member, "record": queries.record_of(conversation)
        if conversation.is_record else None, **CURRENT})


@login_required
def message_list(request: HttpRequest, pk: int) -> HttpResponse:
    """Message fragments: `?after=<id>` the newer ones (live updates and polling; `read=1`
    moves the read marker), `?before=<cursor>` an older page."""
    conversation = conversation_or_404(request, pk)
    older = ""
    if "before" in request.GET:
        page, older = queries.message_page(
            conversation, before=queries.decode_before(request.GET["before"]))
    else:
        after = request.GET.get("after", "")
        page = queries.messages_after(conversation, int(after) if after.isdigit() else 0)
        if page and request.GET.get("read") == "1":
            services.mark_read(user=request.user, conversation=conversation,
                               message_id=page[-1].pk)
    return render(request, "chat/_messages.html", {
        "conversation": conversation, "messages_list": rendered(request, page),
        "older": older, "fragment": True})


@login_required
def message_detail(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    message = message_or_404(request, conversation, message_pk)
    return render(request, "chat/_message.html", {
        "conversation": conversation, "message": rendered(request, [message])[0]})


def _back_to(conversation: Conversation, anchor: str = "composer") -> HttpResponse:
    return redirect(reverse("chat:conversation", args=[conversation.pk]) + f"#{anchor}")


def _error_response(request: HttpRequest, error: Exception, conversation: Conversation,
                    anchor: str = "composer") -> HttpResponse:
    status = 429 if isinstance(error, services.PostingTooFast) else 422
    if request.htmx:
        return HttpResponse(str(error), status=status, content_type="text/plain")
    flash.error(request, str(error))
    return _back_to(conversation, anchor)


@login_required
@require_POST
def message_post(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    try:
        message = services.post_message(actor=request.user, conversation=conversation,
                                         body=request.POST.get("body", ""))
    except services.ChatError as error:
        return _error_response(request, error, conversation)
    if request.htmx:
        return HttpResponse(status=204, headers={"X-Chat-Message": str(message.pk)})
    return _back_to(conversation, f"message-{message.pk}")


@login_required
def message_edit(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    message = message_or_404(request, conversation, message_pk)
    if message.author_id != request.user.pk or message.is_deleted:
        raise Http404
    form = MessageForm(request.POST or None, initial={"body": message.body})
    if request.method == "POST":
        try:
            services.edit_message(actor=request.user, message=message,
                                  body=request.POST.get("body", ""))
        except services.ChatError as error:
            return _error_response(request, error, conversation, f"message-{message.pk}")
        if request.htmx:
            return message_detail(request, pk, message_pk)
        return _back_to(conversation, f"message-{message.pk}")
    template = "chat/_message_edit.html" if request.htmx else "chat/message_edit.html"
    return render(request, template, {"conversation": conversation, "message": message,
                                      "form": form, **CURRENT})


@login_required
@require_POST
def message_delete(request: HttpRequest, pk: int, message_pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    message = message_or_404(request, conversation, message_pk)
    try:
        services.delete_message(actor=request.user, message=message)
    except services.ChatError as error:
        return _error_response(request, error, conversation, f"message-{message.pk}")
    if request.htmx:
        return message_detail(request, pk, message_pk)
    return _back_to(conversation, f"message-{message.pk}")


@login_required
def sidebar_fragment(request: HttpRequest) -> HttpResponse:
    current = request.GET.get("current", "")
    return render(request, "chat/_sidebar.html", {
        "sidebar": queries.sidebar(request.user),
        "conversation_id": int(current) if current.isdigit() else None})


@login_required
def channels(request: HttpRequest) -> HttpResponse:
    """Browse public channels, and create one."""
    form = ChannelForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            channel = services.create_channel(
                actor=request.user, name=form.cleaned_data["name"],
                topic=form.cleaned_data["topic"], is_private=form.cleaned_data["is_private"],
                members=form.cleaned_data["members"])
        except services.ChatError as error:
            form.add_error("name", str(error))
        else:
            return redirect("chat:conversation", channel.pk)
    return render(request, "chat/channels.html", {
        "form": form, "channels": queries.public_channels(request.user),
        "sidebar": queries.sidebar(request.user), **CURRENT},
        status=422 if form.errors else 200)


@login_required
def direct_new(request: HttpRequest) -> HttpResponse:
    form = DirectForm(request.POST or None, viewer=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            conversation = services.open_direct(actor=request.user,
                                                others=form.cleaned_data["people"])
        except services.ChatError as error:
            form.add_error("people", str(error))
        else:
            return redirect("chat:conversation", conversation.pk)
    return render(request, "chat/direct_new.html", {
        "form": form, "sidebar": queries.sidebar(request.user), **CURRENT},
        status=422 if form.errors else 200)


@login_required
def members(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    people = list(queries.members_of(conversation).order_by("first_name", "email"))
    form = None
    if conversation.kind == Conversation.Kind.CHANNEL:
        form = AddMembersForm(request.POST or None, viewer=request.user,
                              exclude=[p.pk for p in people])
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.add_members(actor=request.user, conversation=conversation,
                                 users=form.cleaned_data["people"])
        except services.ChatError as error:
            form.add_error("people", str(error))
        else:
            return redirect("chat:members", conversation.pk)
    return render(request, "chat/members.html", {
        "conversation": conversation, "people": people, "form": form,
        "title": queries.conversation_title(request.user, conversation),
        "is_member": queries.is_member(request.user, conversation),
        "sidebar": queries.sidebar(request.user), **CURRENT})


@login_required
@require_POST
def join(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    try:
        services.join_channel(actor=request.user, conversation=conversation)
    except services.ChatError as error:
        flash.error(request, str(error))
    return redirect("chat:conversation", conversation.pk)


@login_required
@require_POST
def leave(request: HttpRequest, pk: int) -> HttpResponse:
    conversation = conversation_or_404(request, pk)
    try:
        services.leave_conversation(actor=request.user, conversation=conversation)
    except services.ChatError as error:
        flash.error(request, str(error))
        return redirect("chat:conversation", conversation.pk)
    return redirect("chat:home")


@login_required
def record_discussion(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """Open a record's discussion in chat (it is created the first time)."""
    record = get_visible_record(request, get_object_type(type_name), pk)
    conversation = services.discussion_for(actor=request.user, record=record)
    return redirect("chat:conversation", conversation.pk)


@login_required
@require_POST
def record_post(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """Post to a record's discussion from its panel on the record page."""
    record = get_visible_record(request, get_object_type(type_name), pk)
    conversation = services.discussion_for(actor=request.user, record=record)
    try:
        services.post_message(actor=request.user, conversation=conversation,
                              body=request.POST.get("body", ""))
    except services.ChatError as error:
        if request.htmx:
            return _error_response(request, error, conversation)
        flash.error(request, str(error))
    if request.htmx:
        return HttpResponse(status=204)
    return redirect(record.get_absolute_url() + "#discussion")
