"""Comments on any target: the panel (read and post, htmx or plain form), edit, delete and
the history of a comment's versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from clarion.collab import mentions, panels, services
from clarion.collab.forms import CommentForm
from clarion.collab.models import Comment
from clarion.collab.targets import find_target, is_admin, may_view, target_type_of


def _back_to(target, comment: Comment | None = None) -> str:
    url = target.get_absolute_url() if hasattr(target, "get_absolute_url") else "/"
    return f"{url}#comment-{comment.pk}" if comment else url


def _render_panel(request: HttpRequest, target, *, form=None, status: int = 200):
    context = panels.comments_context(request, target)
    return render(request, "collab/comments_panel.html",
                  {"panel": {**context, "form": form}}, status=status)


@login_required
def comments(request: HttpRequest, type_name: str, pk: int) -> HttpResponse:
    """GET: the Comments panel of a target. POST: add a comment or a reply (`parent`)."""
    target_type, target = find_target(request.user, type_name, pk)
    if request.method != "POST":
        return _render_panel(request, target)
    if not target_type.can_comment(request.user, target):
        raise PermissionDenied
    form = CommentForm(request.POST)
    parent = None
    if request.POST.get("parent", "").isdigit():
        parent = Comment.objects.filter(pk=request.POST["parent"]).first()
    if form.is_valid():
        try:
            comment = services.add_comment(actor=request.user, target=target,
                                           body=form.cleaned_data["body"], parent=parent)
        except services.InvalidInput as error:
            form.add_error("body", str(error))
        else:
            if request.htmx:
                return _render_panel(request, target)
            messages.success(request, _("Comment added."))
            return redirect(_back_to(target, comment))
    if request.htmx:  # htmx swaps only successful answers: the errors come back as 200
        return _render_panel(request, target, form=form)
    messages.error(request, " ".join(form.errors.get("body", [])))
    return redirect(_back_to(target))


def _visible_comment(request: HttpRequest, pk: int) -> Comment:
    comment = get_object_or_404(Comment.objects.select_related("author", "target_type"), pk=pk)
    if comment.deleted_at or not may_view(request.user, comment.target):
        raise Http404
    return comment


def _require_author(request: HttpRequest, comment: Comment) -> None:
    if comment.author_id != request.user.pk and not is_admin(request.user):
        raise PermissionDenied


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment(request, pk)
    _require_author(request, comment)
    form = CommentForm(request.POST or None, initial={"body": comment.body},
                       auto_id=f"id_comment_{comment.pk}_%s")
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(comment, actor=request.user, body=form.cleaned_data["body"])
        except services.InvalidInput as error:
            form.add_error("body", str(error))
        else:
            if request.htmx:
                return _render_panel(request, comment.target)
            messages.success(request, _("Comment updated."))
            return redirect(_back_to(comment.target, comment))
    if request.htmx:
        return _inline_edit(request, comment, form)
    return render(request, "collab/comment_edit.html", {"comment": comment, "form": form},
                  status=400 if form.errors else 200)


def _inline_edit(request: HttpRequest, comment: Comment, form) -> HttpResponse:
    """The edit form in place of the comment (htmx swaps only successful answers, so a form
    with errors also answers 200)."""
    target = comment.target
    return render(request, "collab/comment_edit_inline.html", {
        "comment": comment, "form": form, "back": _back_to(target, comment),
        "panel_url": reverse("collab:comments", args=[target_type_of(target).name,
                                                      target.pk])})


@login_required
@require_POST
def comment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    comment = _visible_comment(request, pk)
    _require_author(request, comment)
    target = comment.target
    services.delete_comment(comment, actor=request.user)
    if request.htmx:
        return _render_panel(request, target)
    messages.success(request, _("Comment deleted."))
    return redirect(_back_to(target))


@login_required
def comment_history(request: HttpRequest, pk: int) -> HttpResponse:
    """Every earlier version of a comment, newest first."""
    comment = _visible_comment(request, pk)
    revisions = list(comment.revisions.select_related("edited_by"))
    people = mentions.people_by_id([comment.body] + [r.body for r in revisions])
    for revision in revisions:
        revision.html = mentions.render_with_mentions(revision.body, people=people)
    template = "collab/comment_history_list.html" if request.htmx else \
        "collab/comment_history.html"
    return render(request, template, {
        "comment": comment, "revisions": revisions,
        "current": mentions.render_with_mentions(comment.body, people=people),
        "back": _back_to(comment.target, comment)})
