from datetime import timedelta
from importlib import import_module
from importlib.util import find_spec

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SegmentsConfig(AppConfig):
    name = "clarion.segments"
    label = "segments"
    verbose_name = _("Segments")

    def ready(self) -> None:
        from clarion.core import scheduler
        from clarion.segments import handlers, leaves  # noqa: F401  (leaves and handlers)
        from clarion.segments.describers import register_describers
        from clarion.segments.services import REFRESH_EVERY

        leaves.register()
        register_describers()
        scheduler.register(scheduler.PeriodicJob("refresh-segments", REFRESH_EVERY,
                                                 _enqueue_refresh))
        scheduler.register(scheduler.PeriodicJob("sample-list-sizes", timedelta(days=1),
                                                 _enqueue_sampling))
        # The segment pages register their list actions and record panels there.
        if find_spec("clarion.segments.ui") is not None:
            import_module("clarion.segments.ui")


def _enqueue_refresh() -> object:
    from clarion.segments.tasks import refresh_segments

    return refresh_segments.enqueue()


def _enqueue_sampling() -> object:
    from clarion.segments.tasks import sample_list_sizes

    return sample_list_sizes.enqueue()
