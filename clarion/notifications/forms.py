"""Forms of the notification app's pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clarion.accounts.models import Team
from clarion.notifications.activity import ACTIVITY_KINDS, ActivityFilter

DEFAULT_DAYS = 7
MY_TEAMS = "mine"


class ActivityFilterForm(forms.Form):
    person = forms.ModelChoiceField(
        label=_("Person"), required=False, empty_label=_("Everyone"),
        queryset=get_user_model().objects.filter(is_active=True, is_guest=False))
    team = forms.ChoiceField(label=_("Team"), required=False)
    kind = forms.ChoiceField(label=_("What"), required=False)
    since = forms.DateField(label=_("From"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    until = forms.DateField(label=_("To"), required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["team"].choices = [("", _("Any team")), (MY_TEAMS, _("My teams")), *(
            (str(team.pk), team.name) for team in Team.objects.all())]
        self.fields["kind"].choices = [("", _("Everything")), *(
            (key, label) for key, (label, _q) in ACTIVITY_KINDS.items())]

    def activity_filter(self) -> ActivityFilter:
        """The filter the form asks for; the last seven days when it gives no dates."""
        data = self.cleaned_data if self.is_valid() else {}
        today = timezone.localdate()
        actor_ids = None
        if data.get("person"):
            actor_ids = [data["person"].pk]
        elif data.get("team"):
            actor_ids = list(self._team_members(data["team"]))
        since = data.get("since")
        if since is None and not data.get("until"):
            since = today - timezone.timedelta(days=DEFAULT_DAYS - 1)
        return ActivityFilter(actor_ids=actor_ids, kind=data.get("kind") or "", since=since,
                              until=data.get("until"))

    def _team_members(self, team: str):
        """The people in the chosen team, or in any of the user's teams (themselves too)."""
        memberships = get_user_model().teams.through.objects
        if team == MY_TEAMS:
            team_ids = memberships.filter(user_id=getattr(self.user, "pk", None)).values(
                "team_id")
            return {self.user.pk, *memberships.filter(team_id__in=team_ids).values_list(
                "user_id", flat=True)}
        return memberships.filter(team_id=int(team)).values_list("user_id", flat=True)


class GuestInviteForm(forms.Form):
    email = forms.EmailField(label=_("Guest's email address"))
    first_name = forms.CharField(label=_("First name (optional)"), required=False,
                                 max_length=150)
