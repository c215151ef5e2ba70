"""Template tags of segment pages shown inside other apps' pages."""

from django import template

register = template.Library()


@register.simple_tag
def static_lists_for(user) -> list:
    """The static lists `user` may add contacts to (the "Add to list" dialog)."""
    from clarion.segments.models import Segment
    from clarion.segments.queries import segments_for

    return list(segments_for(user).filter(kind=Segment.Kind.STATIC).select_related(None)
                .only("id", "name"))
