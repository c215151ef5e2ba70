"""Forms of the core pages: the demonstration form on the design-system page."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DesignDemoForm(forms.Form):
    """Every kind of control the design system styles, shown bound with errors."""

    name = forms.CharField(label=_("Full name"), max_length=100)
    email = forms.EmailField(label=_("Email address"),
                             help_text=_("We send the confirmation here."))
    lifecycle_stage = forms.ChoiceField(
        label=_("Lifecycle stage"),
        choices=[("lead", _("Lead")), ("customer", _("Customer"))],
    )
    channel = forms.ChoiceField(
        label=_("Preferred channel"), widget=forms.RadioSelect,
        choices=[("email", _("Email")), ("phone", _("Phone"))],
    )
    notes = forms.CharField(label=_("Notes"), widget=forms.Textarea(attrs={"rows": 3}),
                            required=False)
    consent = forms.BooleanField(label=_("Send me product news"), required=False,
                                 help_text=_("You can unsubscribe at any time."))

    @classmethod
    def with_errors(cls) -> "DesignDemoForm":
        form = cls(data={"name": "", "email": "not-an-address", "lifecycle_stage": "lead"})
        form.is_valid()
        return form
