"""What the integrations app plugs into the rest of Clarion: the "Export" action of every
record list, and the scheduler's sweep for exports whose wake-up was lost."""

from datetime import timedelta

from django.utils.translation import gettext_lazy as _

from clarion.core.scheduler import PeriodicJob
from clarion.core.scheduler import register as register_periodic
from clarion.crm.extensions import ListAction, register_list_action


def _sweep_exports() -> None:
    from clarion.integrations.export_tasks import sweep_lost_exports

    sweep_lost_exports()


def register() -> None:
    register_list_action(ListAction(
        name="export", label=_("Export"), url_name="integrations:export_from_list",
        capability="data.export", dialog="integrations/export_dialog.html", order=200))
    register_periodic(PeriodicJob("export-sweep", timedelta(minutes=1), _sweep_exports))
