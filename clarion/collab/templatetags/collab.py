"""Collaboration's cards for pages other than record pages (a task, a note):

    {% load collab %}{% comments_panel task %}{% files_panel task %}

or `{% include "collab/comments.html" with target=task %}`.
"""

from django import template

from clarion.collab import panels

register = template.Library()


@register.inclusion_tag("collab/comments_panel.html", takes_context=True)
def comments_panel(context, target) -> dict:
    return {"panel": panels.comments_context(context["request"], target),
            "request": context["request"], "csrf_token": context.get("csrf_token")}


@register.inclusion_tag("collab/files_panel.html", takes_context=True)
def files_panel(context, target) -> dict:
    return {"panel": panels.files_context(context["request"], target),
            "request": context["request"], "csrf_token": context.get("csrf_token")}


@register.filter
def note_html(body: str):
    """A note's stored HTML, sanitized again on the way out."""
    from clarion.collab.richtext import render

    return render(body)


@register.filter
def verbose_type(record) -> str:
    return str(record._meta.verbose_name)
