"""Forms for signing in, the profile and security page, and the people administration pages.

Forms parse and validate input; the services in `services.py` do the writing.
"""

from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.utils.translation import gettext_lazy as _

from clarion.accounts.models import Role, Team, User
from clarion.core.capabilities import AREA_TITLES, CAPABILITIES, RECORD_ACTIONS


class SignInForm(forms.Form):
    # Named `username` like Django's AuthenticationForm, so tools and password managers agree.
    username = forms.EmailField(label=_("Email address"), max_length=254, widget=forms.EmailInput(
        attrs={"autocomplete": "username", "autofocus": True}))
    password = forms.CharField(label=_("Password"), strip=False, widget=forms.PasswordInput(
        attrs={"autocomplete": "current-password"}))


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Authentication code"), max_length=20,
        help_text=_("The 6-digit code from your authenticator app, or one of your recovery "
                    "codes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True,
                                      "autocapitalize": "off", "spellcheck": "false"}))


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    language = forms.ChoiceField(label=_("Language"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Browser default")), *settings.LANGUAGES]


class EnableTwoFactorForm(forms.Form):
    code = forms.CharField(
        label=_("Code from your app"), max_length=10,
        help_text=_("Enter the 6-digit code your authenticator app shows after scanning."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": "[0-9 ]*"}))


class ChangePasswordForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The form sits mid-page on the security page: don't pull focus (and scroll) to it.
        self.fields["old_password"].widget.attrs.pop("autofocus", None)


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150,
                                 widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False,
                                widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        help_text=password_validation.password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords don't match."))
        elif first:
            candidate = User(email=self.email, first_name=cleaned.get("first_name", ""),
                             last_name=cleaned.get("last_name", ""))
            try:
                password_validation.validate_password(first, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


def _team_choices():
    return forms.ModelMultipleChoiceField(
        label=_("Teams"), queryset=Team.objects.all(), required=False,
        widget=forms.CheckboxSelectMultiple)


class UserAdminForm(forms.Form):
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), required=False,
                                  empty_label=_("No role"))
    is_active = forms.BooleanField(
        label=_("Active"), required=False,
        help_text=_("People who aren't active can't sign in; their records stay."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"] = _team_choices()
        self.order_fields(["role", "teams", "is_active"])


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all(), required=False,
                                  empty_label=_("No role"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teams"] = _team_choices()


class TeamForm(forms.ModelForm):
    members = forms.ModelMultipleChoiceField(
        label=_("Members"), queryset=User.objects.filter(is_active=True), required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Team
        fields = ["name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["members"].initial = list(self.instance.members.all())

    def inactive_members(self) -> list[User]:
        """Deactivated members, who aren't offered as choices but stay in the team."""
        if not self.instance.pk:
            return []
        return list(self.instance.members.filter(is_active=False))


class RoleForm(forms.ModelForm):
    capabilities = forms.MultipleChoiceField(
        label=_("Capabilities"), choices=list(CAPABILITIES.items()), required=False,
        widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Role
        fields = ["name", "description", "capabilities"]

    def capability_groups(self) -> list[tuple[str, list[tuple]]]:
        """The capability checkboxes grouped by area, for one fieldset per area, each with its
        label minus the area name the fieldset's legend already says."""
        groups: dict[str, list] = {}
        for checkbox in self["capabilities"]:
            name = str(checkbox.data["value"])
            area = name.split(".", 1)[0]
            title = str(AREA_TITLES.get(area, area))
            label = str(RECORD_ACTIONS.get(name, checkbox.choice_label))
            groups.setdefault(title, []).append((checkbox, label))
        return list(groups.items())


class SignInLogFilterForm(forms.Form):
    email = forms.CharField(label=_("Email contains"), max_length=254, required=False)
