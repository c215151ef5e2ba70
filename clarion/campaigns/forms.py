"""The campaign editor's form: what to send, from whom, to whom, when, and the A/B test.

Times are entered on the wall clock: "at a set time" is read in the user's own time zone,
"in each recipient's time zone" is kept as the bare wall-clock time (see services.py)."""

from datetime import UTC, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo, available_timezones

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.campaigns.models import Campaign
from clarion.campaigns.queries import MAX_VARIANTS, letter, segment_choices, variants_of
from clarion.emails.models import Email
from clarion.sending.models import SenderIdentity
from clarion.subscriptions.models import SubscriptionType

MAX_WAIT_HOURS = 24 * 7


@cache
def zone_names() -> tuple[str, ...]:
    return tuple(sorted(available_timezones() | {"UTC"}))


def is_known_zone(name: str) -> bool:
    return name in zone_names()


class NewCampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200,
                           help_text=_("For you and your team; recipients never see it."))


class SegmentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, segment) -> str:
        return f"{segment.name} ({segment.member_count})"


class CampaignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=200)
    email = forms.ModelChoiceField(label=_("Email"), required=False, queryset=Email.objects.none(),
                                   empty_label=_("Choose a saved email"))
    sender = forms.ModelChoiceField(label=_("From"), required=False,
                                    queryset=SenderIdentity.objects.all(),
                                    empty_label=_("Choose a sender"))
    subscription_type = forms.ModelChoiceField(
        label=_("Subscription type"), required=False, empty_label=_("Choose a type"),
        queryset=SubscriptionType.objects.filter(archived=False),
        help_text=_("People who unsubscribed from this type are left out."))
    include_segments = SegmentChoiceField(label=_("Send to"), required=False,
                                          queryset=segment_choices(),
                                          widget=forms.CheckboxSelectMultiple)
    exclude_segments = SegmentChoiceField(label=_("Leave out"), required=False,
                                          queryset=segment_choices(),
                                          widget=forms.CheckboxSelectMultiple)
    track_opens = forms.BooleanField(label=_("Track opens"), required=False)
    track_clicks = forms.BooleanField(label=_("Track clicks"), required=False)
    schedule = forms.ChoiceField(label=_("When"), choices=Campaign.Schedule.choices,
                                 widget=forms.RadioSelect)
    send_at = forms.DateTimeField(
        label=_("Date and time"), required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"))
    fallback_time_zone = forms.CharField(
        label=_("Time zone for contacts without one"), required=False, max_length=64,
        widget=forms.TextInput(attrs={"list": "campaign-zones", "autocomplete": "off"}))
    ab_test = forms.ChoiceField(label=_("A/B test"), choices=Campaign.ABTest.choices,
                                widget=forms.RadioSelect)
    test_percent = forms.IntegerField(
        label=_("Test group (% of recipients)"), min_value=10, max_value=100,
        help_text=_("100 splits the whole send between the variants, with no winner."))
    winner_metric = forms.ChoiceField(label=_("Pick the winner by"),
                                      choices=Campaign.WinnerMetric.choices,
                                      widget=forms.RadioSelect)
    winner_wait_hours = forms.IntegerField(
        label=_("Wait before picking the winner (hours)"), required=False, min_value=1,
        max_value=MAX_WAIT_HOURS)

    def __init__(self, *args, campaign: Campaign, zone: ZoneInfo, **kwargs) -> None:
        self.campaign, self.zone = campaign, zone
        kwargs.setdefault("initial", initial_from(campaign, zone))
        super().__init__(*args, **kwargs)
        emails = Email.objects.filter(kind=Email.Kind.EMAIL).only("pk", "name")
        self.fields["email"].queryset = emails
        for position in range(MAX_VARIANTS):
            name = letter(position)
            self.fields[f"variant_subject_{position}"] = forms.CharField(
                label=_("Variant %(letter)s subject") % {"letter": name}, required=False,
                max_length=255)
            self.fields[f"variant_email_{position}"] = forms.ModelChoiceField(
                label=_("Variant %(letter)s email") % {"letter": name}, required=False,
                queryset=emails, empty_label=_("Choose a saved email"))

    def variant_rows(self) -> list[dict]:
        return [{"letter": letter(p), "subject": self[f"variant_subject_{p}"],
                 "email": self[f"variant_email_{p}"]} for p in range(MAX_VARIANTS)]

    def clean_fallback_time_zone(self) -> str:
        zone = self.cleaned_data["fallback_time_zone"].strip()
        if zone and not is_known_zone(zone):
            raise forms.ValidationError(_("“%(zone)s” is not a time zone name such as "
                                          "Europe/Paris.") % {"zone": zone})
        return zone

    def clean(self) -> dict:
        data = super().clean()
        schedule = data.get("schedule")
        if schedule != Campaign.Schedule.NOW and not data.get("send_at"):
            self.add_error("send_at", _("Choose the date and time."))
        return data

    def changes(self) -> dict:
        """The cleaned form as services.update_campaign arguments."""
        data = self.cleaned_data
        changes = {key: data[key] for key in (
            "name", "email", "sender", "subscription_type", "track_opens", "track_clicks",
            "schedule", "fallback_time_zone", "ab_test", "test_percent", "winner_metric",
            "include_segments", "exclude_segments")}
        changes["scheduled_for"] = scheduled_moment(data["schedule"], data.get("send_at"),
                                                    self.zone)
        hours = data.get("winner_wait_hours")
        changes["winner_wait"] = timedelta(hours=hours) if hours else None
        changes["variants"] = self._variants(data)
        return changes

    def _variants(self, data: dict) -> list[dict]:
        if data["ab_test"] == Campaign.ABTest.NONE:
            return []
        rows = [{"subject": data.get(f"variant_subject_{p}") or "",
                 "email": data.get(f"variant_email_{p}")} for p in range(MAX_VARIANTS)]
        if data["ab_test"] == Campaign.ABTest.SUBJECT:
            return [row for row in rows if row["subject"].strip()]
        return [row for row in rows if row["email"] is not None]


def scheduled_moment(schedule: str, send_at: datetime | None, zone: ZoneInfo):
    """AT: the wall-clock time in the user's zone; RECIPIENT_TIME: the bare wall clock, kept
    as UTC; NOW: nothing."""
    if schedule == Campaign.Schedule.NOW or send_at is None:
        return None
    naive = send_at.replace(tzinfo=None)
    if schedule == Campaign.Schedule.AT:
        return naive.replace(tzinfo=zone)
    return naive.replace(tzinfo=UTC)


def initial_from(campaign: Campaign, zone: ZoneInfo) -> dict:
    initial = {
        "version": campaign.version, "name": campaign.name, "email": campaign.email_id,
        "sender": campaign.sender_id, "subscription_type": campaign.subscription_type_id,
        "include_segments": list(campaign.include_segments.values_list("pk", flat=True)),
        "exclude_segments": list(campaign.exclude_segments.values_list("pk", flat=True)),
        "track_opens": campaign.track_opens, "track_clicks": campaign.track_clicks,
        "schedule": campaign.schedule, "fallback_time_zone": campaign.fallback_time_zone
        or str(zone), "ab_test": campaign.ab_test, "test_percent": campaign.test_percent,
        "winner_metric": campaign.winner_metric,
        "winner_wait_hours": int(campaign.winner_wait.total_seconds() // 3600)
        if campaign.winner_wait else 4,
    }
    if campaign.scheduled_for is not None:
        moment = campaign.scheduled_for
        local = (moment.astimezone(zone) if campaign.schedule == Campaign.Schedule.AT
                 else moment.astimezone(UTC))
        initial["send_at"] = local.replace(tzinfo=None)
    for variant in variants_of(campaign):
        initial[f"variant_subject_{variant.position}"] = variant.subject
        initial[f"variant_email_{variant.position}"] = variant.email_id
    return initial
