"""The segment form and what the visual builder needs to draw conditions: the contact field
catalogue (with association fields such as "Deals › Stage"), the segments and lists a
condition may refer to, the event kinds and their data keys, and the translated labels."""

import json

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clarion.core.filters import build_catalogue
from clarion.crm.lists import BUILDER_LABELS, _builder_field, catalogue_for_builder
from clarion.crm.models import Contact
from clarion.segments.leaves import KNOWN_EVENT_KINDS
from clarion.segments.models import Segment

SEGMENT_BUILDER_LABELS = {
    "segmentField": _("Member of a segment or list"),
    "eventField": _("Behaviour (an event)"),
    "memberOf": _("is a member of"), "notMemberOf": _("is not a member of"),
    "segment": _("Segment or list"),
    "did": _("did"), "didNot": _("did not do"), "occurrence": _("Did or did not"),
    "event": _("Event"), "frequency": _("How often"), "once": _("at least once"),
    "atLeast": _("at least"), "atMost": _("at most"), "betweenTimes": _("between"),
    "times": _("Times"), "timesFrom": _("At least … times"), "timesTo": _("At most … times"),
    "when": _("When"), "anyTime": _("at any time"), "lastDays": _("in the last … days"),
    "betweenDates": _("between dates"), "days": _("Days"), "firstDay": _("First day"),
    "lastDay": _("Last day"), "dataKey": _("Event data field"),
    "dataOp": _("Data condition"), "dataValue": _("Data value"),
    "addData": _("Add data condition"), "removeData": _("Remove data condition"),
    "keptRow": _("Advanced condition (kept as it is)"),
}
class SegmentForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))
    kind = forms.ChoiceField(label=_("Save as"), choices=Segment.Kind.choices,
                             widget=forms.RadioSelect)
    definition = forms.CharField(required=False, widget=forms.HiddenInput(
        attrs={"data-filter-input": ""}))

    def clean_definition(self) -> dict | None:
        text = self.cleaned_data["definition"].strip()
        if not text:
            return None
        try:
            tree = json.loads(text)
        except ValueError:
            raise forms.ValidationError(_("The conditions could not be read.")) from None
        if not isinstance(tree, dict):
            raise forms.ValidationError(_("The conditions could not be read."))
        return tree


def builder_labels() -> dict[str, str]:
    return {key: str(text) for key, text in {**BUILDER_LABELS,
                                              **SEGMENT_BUILDER_LABELS}.items()}


def builder_options(user, *, exclude: Segment | None = None) -> dict:
    """The segments, lists and event kinds the builder offers (list pages add these to their
    own catalogue)."""
    from clarion.segments import queries

    segments = queries.segments_for(user).select_related(None).only("id", "name")
    if exclude is not None:
        segments = segments.exclude(pk=exclude.pk)
    return {
        "segments": [[str(s.pk), s.name] for s in segments],
        "events": [[kind, label if label == kind else f"{label} ({kind})"]
                   for kind, label in queries.event_kinds()],
        "eventKeys": {kind: list(keys) for kind, keys in KNOWN_EVENT_KINDS.items() if keys},
    }


def builder_catalogue(user, *, exclude: Segment | None = None) -> dict:
    """Everything the segment builder draws from, as one JSON object."""
    people = list(get_user_model().objects.filter(is_active=True).order_by("email")
                  .only("id", "email", "first_name", "last_name")[:200])
    catalogue = build_catalogue(Contact, "contact")
    fields = catalogue_for_builder(catalogue, people)
    fields += _association_references(catalogue, people)
    for field in fields:  # a saved segment is the same for everyone: no "me"
        field["options"] = [o for o in field["options"] if field["family"] != "user"
                            or o[0] != "me"]
    return {"fields": fields, **builder_options(user, exclude=exclude)}


def _association_references(catalogue, people) -> list[dict]:
    """Pipeline and stage of deals (the list pages leave reference fields of associated
    records out): "has a deal in stage …"."""
    found = []
    for association in catalogue.associations.values():
        related = catalogue.through(association.name)
        prefix = association.label[:1].upper() + association.label[1:]
        for field in related.fields.values():
            if field.family != "reference" or hasattr(field.related_model, "capability_area"):
                continue
            spec = _builder_field(field, f"{association.name}.{field.name}",
                                  f"{prefix} › {field.label[:1].upper()}{field.label[1:]}",
                                  people)
            spec["options"] = _reference_options(field.related_model)
            found.append(spec)
    return found


def _reference_options(model) -> list[list[str]]:
    rows = model._default_manager.all()
    if any(f.name == "pipeline" for f in model._meta.concrete_fields):
        rows = rows.select_related("pipeline")
        return [[str(r.pk), f"{r.pipeline} › {r}"] for r in rows[:200]]
    return [[str(r.pk), str(r)] for r in rows[:200]]
