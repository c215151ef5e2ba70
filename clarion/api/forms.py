"""The form for creating an API key: a name and the scopes the user's role allows."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.api.scopes import scopes_for_user


class APIKeyForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=120,
                           help_text=_("What the key is for, e.g. “Website sign-up sync”."))
    scopes = forms.MultipleChoiceField(
        label=_("Scopes"), widget=forms.CheckboxSelectMultiple,
        help_text=_("The key can do only what these scopes and your own role allow."),
        error_messages={"required": _("Choose at least one scope.")})

    def __init__(self, *args, user, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scopes"].choices = [(scope.name, f"{scope.name} — {scope.label}")
                                         for scope in scopes_for_user(user)]
