"""The form for creating an API key: a name and the scopes the user's role allows."""

from dataclasses import dataclass

from django import forms
from django.forms.boundfield import BoundWidget
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from clarion.api.scopes import AREAS, SCOPES, scopes_for_user


@dataclass
class ScopeRow:
    """One area of the scope picker: its read and write checkboxes (None when not offered)."""

    label: str | Promise
    read: BoundWidget | None = None
    write: BoundWidget | None = None


class APIKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("What the key is for, e.g. “Website sign-up sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The key can do only what these scopes and your own role allow."),
        error_messages={"required": _("Choose at least one scope.")})

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope.name, scope.label)
                                         for scope in scopes_for_user(user)]

    def scope_rows(self) -> list[ScopeRow]:
        rows: dict[str, ScopeRow] = {}
        for checkbox in self["scopes"].subwidgets:
            scope = SCOPES[checkbox.data["value"]]
            row = rows.setdefault(scope.area, ScopeRow(label=AREAS[scope.area]))
            setattr(row, scope.access, checkbox)
        return list(rows.values())
