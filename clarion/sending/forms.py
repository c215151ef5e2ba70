"""The sender identity form: the DKIM private key is write-only (never shown back)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.sending import signing
from clarion.sending.models import SenderIdentity


class SenderForm(forms.ModelForm):
    private_key = forms.CharField(
        label=_("DKIM private key (PEM)"), required=False, strip=True,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Paste a key to replace the stored one, or generate one below. A saved "
                    "key is never shown again; leave this empty to keep it."))
    remove_key = forms.BooleanField(label=_("Remove the stored DKIM key"), required=False)

    class Meta:
        model = SenderIdentity
        fields = ["name", "from_name", "from_email", "reply_to", "postal_address",
                  "is_default", "dkim_domain", "dkim_selector"]
        widgets = {"postal_address": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "name": _("Only you and your team see this name."),
            "postal_address": _("Printed in every footer, as anti-spam laws require."),
            "dkim_domain": _("The domain that signs; usually the from address's domain."),
            "dkim_selector": _("Any short name, e.g. “clarion1”; part of the DNS record's name."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not (self.instance.pk and self.instance.dkim_private_key):
            del self.fields["remove_key"]

    def clean_private_key(self) -> str:
        key = self.cleaned_data["private_key"]
        if key:
            try:
                signing.public_key_base64(key)
            except signing.InvalidKey:
                raise forms.ValidationError(
                    _("This is not an unencrypted RSA private key in PEM format.")) from None
        return key

    def clean(self):
        cleaned = super().clean()
        will_sign = cleaned.get("private_key") or (
            self.instance.dkim_private_key and not cleaned.get("remove_key"))
        if will_sign and not cleaned.get("dkim_selector"):
            self.add_error("dkim_selector", _("A DKIM key needs a selector."))
        return cleaned

    def key_change(self) -> str | None:
        """The key to store: a new one, "" to remove, None to keep."""
        if self.cleaned_data.get("private_key"):
            return self.cleaned_data["private_key"]
        if self.cleaned_data.get("remove_key"):
            return ""
        return None
