"""Forms for logging and editing notes, calls and meetings, comments and links."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.collab import queries
from clarion.collab.models import ActivityKind, CallDirection, CallOutcome
from clarion.collab.services import BODY_MAX, COMMENT_MAX, ActivityInput, Links
from clarion.core.permissions import visible_to
from clarion.crm.models import Company, Contact, Deal

DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]
KIND_FIELDS = {
    ActivityKind.NOTE: ("body", "pinned"),
    ActivityKind.CALL: ("outcome", "direction", "duration_minutes", "body"),
    ActivityKind.MEETING: ("title", "starts_at", "ends_at", "location", "attendee_users",
                           "body"),
}
LINK_MODELS = {"contact": Contact, "company": Company, "deal": Deal}


class ActivityForm(forms.Form):
    body = forms.CharField(label=_("Notes"), required=False, max_length=BODY_MAX,
                           widget=forms.Textarea(attrs={"rows": 4}))
    pinned = forms.BooleanField(label=_("Pin to the top of the record"), required=False)
    outcome = forms.ChoiceField(label=_("Outcome"), required=False,
                                choices=[("", "—"), *CallOutcome.choices])
    direction = forms.ChoiceField(label=_("Direction"), required=False,
                                  choices=CallDirection.choices)
    duration_minutes = forms.IntegerField(label=_("Duration (minutes)"), required=False,
                                          min_value=0, max_value=24 * 60)
    title = forms.CharField(label=_("Title"), required=False, max_length=255)
    starts_at = forms.DateTimeField(label=_("Starts"), required=False,
                                    input_formats=DATETIME_FORMATS,
                                    widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                               format=DATETIME_FORMATS[0]))
    ends_at = forms.DateTimeField(label=_("Ends"), required=False,
                                  input_formats=DATETIME_FORMATS,
                                  widget=forms.DateTimeInput(attrs={"type": "datetime-local"},
                                                             format=DATETIME_FORMATS[0]))
    location = forms.CharField(label=_("Location"), required=False, max_length=255)
    attendee_users = forms.ModelMultipleChoiceField(
        label=_("Colleagues attending"), required=False, queryset=None)
    # Chosen on the record page's composer; carried along when the form comes back.
    attendee_contacts = forms.Field(required=False, widget=forms.MultipleHiddenInput)
    links = forms.Field(required=False, widget=forms.MultipleHiddenInput)

    def __init__(self, *args, kind: str, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind, self.user = kind, user
        self.fields["attendee_users"].queryset = queries.mentionable_users()
        keep = set(KIND_FIELDS[kind]) | {"links", "attendee_contacts"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]

    def _records(self, values: list[str]) -> list:
        """"contact:5" values as records the user may see; anything else is an error."""
        records = []
        for value in values:
            type_name, _colon, pk = value.partition(":")
            model = LINK_MODELS.get(type_name)
            record = (visible_to(self.user, model.objects.filter(pk=pk)).first()
                      if model and pk.isdigit() else None)
            if record is None:
                raise forms.ValidationError(_("Choose records you can see."))
            records.append(record)
        return records

    def clean_links(self) -> list:
        return self._records(self.data.getlist("links") if hasattr(self.data, "getlist")
                             else [])

    def clean_attendee_contacts(self) -> list:
        values = self.data.getlist("attendee_contacts") if hasattr(self.data, "getlist") else []
        return self._records([f"contact:{pk}" for pk in values])

    def links_with(self, record) -> Links:
        return Links.of(record, *self.cleaned_data.get("links", []))

    def values(self) -> ActivityInput:
        data = {name: value for name, value in self.cleaned_data.items()
                if name not in ("links", "attendee_users", "attendee_contacts")}
        return ActivityInput(**data,
                             attendee_users=list(self.cleaned_data.get("attendee_users") or []),
                             attendee_contacts=self.cleaned_data.get("attendee_contacts", []))


def activity_initial(activity) -> dict:
    initial = {name: getattr(activity, name) for name in KIND_FIELDS[activity.kind]
               if name != "attendee_users"}
    if activity.kind == ActivityKind.MEETING:
        initial["attendee_users"] = list(activity.attendee_users.all())
    return initial


class CommentForm(forms.Form):
    body = forms.CharField(label=_("Comment"), max_length=COMMENT_MAX,
                           widget=forms.Textarea(attrs={"rows": 3, "data-mentions": ""}))


class LinkForm(forms.Form):
    url = forms.CharField(label=_("Web address"), max_length=2000,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    title = forms.CharField(label=_("Title"), max_length=255, required=False)
