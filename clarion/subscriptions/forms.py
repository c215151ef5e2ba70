"""Forms of the staff pages: subscription types, adding a suppressed address, changing a
contact's subscription by hand."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.subscriptions.models import Subscription, SubscriptionType


class SubscriptionTypeForm(forms.ModelForm):
    class Meta:
        model = SubscriptionType
        fields = ["name", "description", "requires_opt_in", "double_opt_in", "is_default"]
        labels = {"requires_opt_in": _("Only send to people who opted in"),
                  "is_default": _("Default for new campaigns")}
        help_texts = {
            "description": _("Shown to recipients in the preference centre."),
            "requires_opt_in": _("For consent-based email (GDPR): a contact receives it only "
                                 "after subscribing. Otherwise everyone with an address "
                                 "receives it until they unsubscribe."),
            "double_opt_in": _("New subscribers get an email with a link to confirm their "
                               "address; until they follow it they receive nothing."),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("double_opt_in") and not cleaned.get("requires_opt_in"):
            self.add_error("double_opt_in", _("Double opt-in needs “Only send to people who "
                                              "opted in”."))
        return cleaned


class SuppressionForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    detail = forms.CharField(label=_("Note"), max_length=500, required=False,
                             help_text=_("Why this address gets no email (optional)."))


class ContactSubscriptionForm(forms.Form):
    """One subscription type's state on a contact page; "" = no choice recorded."""

    subscription_type = forms.ModelChoiceField(queryset=SubscriptionType.objects.all(),
                                               widget=forms.HiddenInput)
    status = forms.ChoiceField(label=_("Status"), choices=Subscription.Status.choices)
