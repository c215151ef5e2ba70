"""Background entry points of segments: the periodic refresh of dynamic segments."""

from django.tasks import task

from clarion.segments.services import refresh_all_due, sample_sizes


@task()
def refresh_segments() -> int:
    """Refresh every dynamic segment that is due; safe to run twice or concurrently (each
    refresh holds its segment's row lock)."""
    return refresh_all_due()


@task()
def sample_list_sizes() -> int:
    """Record the size of every static list (its size-over-time chart)."""
    return sample_sizes()
