"""Where other apps plug into the CRM's pages without the CRM importing them.

- Record panels: a card on every record page of the types it applies to (tasks, notes,
  segment memberships…), rendered from the app's own template and context function.
- List actions: a button in a list's bulk-action bar that posts the current selection (the
  filter, the ticked ids or "all matching") to the app's own view, which reads it back with
  `crm.lists.selected_records`.
- Timeline describers: the sentence for an event kind the CRM does not know.

Apps register in their `AppConfig.ready()`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse


@dataclass(frozen=True)
class RecordPanel:
    name: str
    template: str
    # (request, object_type, record) -> the template's context, or None to show nothing.
    context: Callable[..., dict | None]
    types: tuple[str, ...] = ("contact", "company", "deal")
    column: str = "side"  # "side": under the fields; "main": above the timeline
    order: int = 100


@dataclass(frozen=True)
class ListAction:
    name: str
    label: object  # a lazy translation
    url_name: str
    types: tuple[str, ...] = ("contact", "company", "deal")
    capability: str = ""  # shown only to users holding it ("" for everyone)
    needs_edit: bool = False  # shown only where the user may edit the listed records
    dialog: str = ""  # a template rendered inside the bulk form (a confirmation dialog)
    order: int = 100

    @property
    def url(self) -> str:
        return reverse(self.url_name)


# (TimelineEntry factory) event -> sentence; see `crm.timeline.describe`.
Describer = Callable[..., object]


@dataclass
class Registry:
    panels: list[RecordPanel] = field(default_factory=list)
    list_actions: list[ListAction] = field(default_factory=list)
    describers: dict[str, Describer] = field(default_factory=dict)


registry = Registry()


def register_record_panel(panel: RecordPanel) -> None:
    registry.panels = sorted([p for p in registry.panels if p.name != panel.name] + [panel],
                             key=lambda p: (p.order, p.name))


def register_list_action(action: ListAction) -> None:
    registry.list_actions = sorted(
        [a for a in registry.list_actions if a.name != action.name] + [action],
        key=lambda a: (a.order, a.name))


def register_describer(kind: str, describer: Describer) -> None:
    """`kind` is an event kind ("note.created") or a subject prefix ending in "." ("note.")."""
    registry.describers[kind] = describer


def describer_for(kind: str) -> Describer | None:
    return (registry.describers.get(kind)
            or registry.describers.get(kind.split(".", 1)[0] + "."))


def record_panels(request: HttpRequest, object_type, record) -> dict[str, list[dict]]:
    """The panels to show on this record page, by column, each as {template, context}."""
    columns: dict[str, list[dict]] = {"side": [], "main": []}
    for panel in registry.panels:
        if object_type.name not in panel.types:
            continue
        context = panel.context(request, object_type, record)
        if context is not None:
            columns[panel.column].append({"name": panel.name, "template": panel.template,
                                          "context": context})
    return columns


def list_actions(user, object_type, *, can_edit: bool) -> list[ListAction]:
    from clarion.core.permissions import has_capability

    return [a for a in registry.list_actions
            if object_type.name in a.types
            and (not a.needs_edit or can_edit)
            and (not a.capability or has_capability(user, a.capability))]
