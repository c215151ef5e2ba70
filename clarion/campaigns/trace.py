""""Why did (or didn't) this contact get this email?": one contact's path through one
campaign's send, in words.

It reads the contact's `Message` row (status, reason, attempts, the SMTP answer), the
campaign's segments as they stood for the contact when the recipients were chosen (from the
`segment.joined` / `segment.left` events, falling back to the current membership), the
suppression list entry behind a "suppressed" reason, and the timeline of that message's
events.
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.contrib.contenttypes.models import ContentType
from django.db.models.functions import Lower
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from clarion.campaigns.models import Campaign
from clarion.campaigns.reports import reason_label, variant_name
from clarion.core.events.models import Event
from clarion.crm.models import Contact
from clarion.sending.models import Message, Send

REASON_SENTENCES = {
    "no_email": lambda: _("The contact has no email address."),
    "suppressed": lambda: _("The address is on the suppression list, so nothing is sent "
                            "to it."),
    "unsubscribed": lambda: _("The contact had unsubscribed from this kind of email."),
    "no_consent": lambda: _("This kind of email goes only to people who opted in, and the "
                            "contact had not."),
    "pending_confirmation": lambda: _("The contact had signed up but not yet confirmed the "
                                      "subscription from the confirmation email."),
    "duplicate_address": lambda: _("Another recipient of this email has the same address; "
                                   "each address gets one copy."),
    "hard_bounce": lambda: _("The receiving server said the address does not exist."),
    "rejected": lambda: _("The receiving server refused the message."),
    "excluded_segment": lambda: _("The contact was in a segment the campaign leaves out."),
    "retries_exhausted": lambda: _("The receiving server kept asking to try later, and "
                                   "Clarion gave up after its last retry."),
    "render_error": lambda: _("The email could not be personalized for this contact (a "
                              "token in it failed)."),
    "contact_deleted": lambda: _("The contact was deleted before the email went out."),
    "cancelled": lambda: _("The campaign was cancelled before this email went out."),
}


def reason_sentence(reason: str) -> str:
    sentence = REASON_SENTENCES.get(reason)
    return sentence() if sentence else _("Reason: %(reason)s.") % {
        "reason": reason_label(reason)}


@dataclass
class SegmentAtSend:
    segment_id: int
    name: str
    leaves_out: bool  # an exclusion ("leave out") rather than a "send to" segment
    was_member: bool


@dataclass
class Trace:
    campaign: Campaign
    send: Send | None
    contact: Contact
    message: Message | None
    moment: datetime | None  # when the recipients were chosen
    verdict: str = ""
    tone: str = "info"  # success, warning, danger, info: the badge of the verdict
    explanations: list[str] = field(default_factory=list)
    segments: list[SegmentAtSend] = field(default_factory=list)
    timeline: list = field(default_factory=list)

    @property
    def variant_name(self) -> str:
        return variant_name(self.message.variant) if self.message else ""


def _when(moment: datetime | None) -> str:
    return formats.date_format(timezone.localtime(moment), "Y-m-d H:i") if moment else "—"


def _smtp_answer(message: Message) -> str:
    answer = " ".join(part for part in (str(message.smtp_code or ""),
                                        message.smtp_response.strip()) if part)
    return _("The server answered: %(answer)s") % {"answer": answer} if answer else ""


def _sent_verdict(trace: Trace, message: Message) -> None:
    trace.verdict = _("Sent on %(when)s.") % {"when": _when(message.sent_at)}
    trace.tone = "success"
    if message.bounced_at:
        trace.tone = "danger"
        trace.explanations.append(
            _("It bounced (%(kind)s) on %(when)s.") % {
                "kind": _("hard") if message.bounce_kind == "hard" else _("soft"),
                "when": _when(message.bounced_at)})
    elif message.delivered_at:
        trace.explanations.append(_("Delivered on %(when)s.") % {
            "when": _when(message.delivered_at)})
    if message.opened_at:
        trace.explanations.append(ngettext(
            "First opened on %(when)s; opened %(count)s time.",
            "First opened on %(when)s; opened %(count)s times.", message.open_count) % {
            "when": _when(message.opened_at), "count": message.open_count})
    if message.machine_open_count:
        trace.explanations.append(ngettext(
            "%(count)s open came from a privacy proxy or prefetcher and is not counted.",
            "%(count)s opens came from a privacy proxy or prefetcher and are not counted.",
            message.machine_open_count) % {"count": message.machine_open_count})
    if message.clicked_at:
        trace.explanations.append(ngettext(
            "First clicked on %(when)s; %(count)s click.",
            "First clicked on %(when)s; %(count)s clicks.", message.click_count) % {
            "when": _when(message.clicked_at), "count": message.click_count})
    if message.machine_click_count:
        trace.explanations.append(ngettext(
            "%(count)s click came from a link scanner and is not counted.",
            "%(count)s clicks came from a link scanner and are not counted.",
            message.machine_click_count) % {"count": message.machine_click_count})
    if message.unsubscribed_at:
        trace.explanations.append(_("Unsubscribed on %(when)s.") % {
            "when": _when(message.unsubscribed_at)})
    if message.complained_at:
        trace.tone = "danger"
        trace.explanations.append(_("Marked it as spam on %(when)s.") % {
            "when": _when(message.complained_at)})


def _explain_message(trace: Trace, message: Message) -> None:
    status = message.status
    if status == Message.Status.SENT:
        _sent_verdict(trace, message)
    elif status == Message.Status.SKIPPED:
        trace.verdict, trace.tone = _("Not sent."), "warning"
        trace.explanations.append(reason_sentence(message.reason))
    elif status == Message.Status.FAILED:
        trace.verdict, trace.tone = _("Sending failed."), "danger"
        trace.explanations.append(reason_sentence(message.reason) if message.reason
                                  else _("The message could not be delivered."))
    elif status == Message.Status.DEFERRED:
        trace.verdict, trace.tone = _("Deferred: the receiving server asked to try again "
                                      "later."), "warning"
        trace.explanations.append(ngettext(
            "%(count)s attempt so far; the next one is due on %(when)s.",
            "%(count)s attempts so far; the next one is due on %(when)s.",
            message.attempts) % {"count": message.attempts, "when": _when(message.due_at)})
    elif status == Message.Status.HELD:
        trace.verdict = _("Held back until the A/B test picks its winner.")
    elif status == Message.Status.CANCELLED:
        trace.verdict = _("Cancelled before it was sent.")
    elif status == Message.Status.SENDING:
        trace.verdict = _("Being sent now.")
    else:
        trace.verdict = _("Waiting to be sent; due on %(when)s.") % {
            "when": _when(message.due_at)}
    if status != Message.Status.DEFERRED and message.attempts > 1:
        trace.explanations.append(_("It took %(count)s attempts.") % {
            "count": message.attempts})
    if message.uncertain_attempts:
        trace.explanations.append(ngettext(
            "%(count)s attempt ended without a clear answer (the connection dropped after "
            "the message was handed over); the retry carried the same Message-ID, so the "
            "receiving server can drop a copy it already has.",
            "%(count)s attempts ended without a clear answer (the connection dropped after "
            "the message was handed over); each retry carried the same Message-ID, so the "
            "receiving server can drop a copy it already has.",
            message.uncertain_attempts) % {"count": message.uncertain_attempts})
    if answer := _smtp_answer(message):
        trace.explanations.append(answer)


def _suppression_detail(trace: Trace) -> None:
    from clarion.subscriptions.models import Suppression

    address = (trace.message.email if trace.message else trace.contact.email).lower()
    entry = Suppression.objects.annotate(lower=Lower("email")).filter(lower=address).first()
    if entry is not None:
        trace.explanations.append(_("On the suppression list since %(when)s: %(reason)s.") % {
            "when": _when(entry.created_at), "reason": entry.get_reason_display()})


def segments_at(campaign: Campaign, contact: Contact, moment: datetime) -> list[SegmentAtSend]:
    """Was the contact in each of the campaign's segments at `moment`? The last
    joined/left event before it answers; without one, the current membership (joined
    before the moment) does."""
    from clarion.segments.models import Segment, SegmentMembership

    chosen = [(segment, False) for segment in campaign.include_segments.all()]
    chosen += [(segment, True) for segment in campaign.exclude_segments.all()]
    if not chosen:
        return []
    ids = [segment.pk for segment, _leaves_out in chosen]
    last_change: dict[int, str] = {}
    changes = Event.objects.filter(
        contact_id=contact.pk, kind__in=["segment.joined", "segment.left"],
        subject_type=ContentType.objects.get_for_model(Segment), subject_id__in=ids,
        occurred_at__lte=moment).order_by("occurred_at", "id").values_list("subject_id", "kind")
    for segment_id, kind in changes:
        last_change[segment_id] = kind
    current = set(SegmentMembership.objects.filter(
        contact=contact, segment_id__in=ids, joined_at__lte=moment).values_list(
            "segment_id", flat=True))
    return [SegmentAtSend(segment.pk, segment.name, leaves_out,
                          last_change[segment.pk] == "segment.joined"
                          if segment.pk in last_change else segment.pk in current)
            for segment, leaves_out in chosen]


def _explain_absence(trace: Trace) -> None:
    """No message for the contact: say why from the segments as they stood."""
    if trace.send is None:
        trace.verdict = _("This campaign has not been sent yet.")
        return
    trace.tone = "warning"
    trace.verdict = _("This contact was not among the recipients.")
    if trace.moment and trace.contact.created_at > trace.moment:
        trace.explanations.append(_("The contact was added after the recipients were "
                                    "chosen."))
        return
    left_out = [s.name for s in trace.segments if s.leaves_out and s.was_member]
    if left_out:
        trace.explanations.append(_("They were in a segment the campaign leaves out: "
                                    "%(names)s.") % {"names": ", ".join(left_out)})
    elif not any(s.was_member for s in trace.segments if not s.leaves_out):
        trace.explanations.append(_("They were in none of the segments the campaign was "
                                    "sent to."))


def message_timeline(send: Send, contact: Contact) -> list:
    """The events of this send on the contact's timeline, oldest first, as sentences."""
    from clarion.crm.objects import get_object_type
    from clarion.crm.timeline import describe_all

    events = list(Event.objects.filter(
        contact_id=contact.pk, subject_type=ContentType.objects.get_for_model(Send),
        subject_id=send.pk).select_related("actor").order_by("occurred_at", "id"))
    return describe_all(events, get_object_type("contact"))


def trace_contact(campaign: Campaign, contact: Contact) -> Trace:
    """Everything that decided whether and how the campaign's email reached the contact."""
    send = campaign.send
    message = (Message.objects.filter(send=send, contact=contact).first()
               if send is not None else None)
    moment = (message.created_at if message else
              (send.started_at or send.created_at) if send else None)
    trace = Trace(campaign, send, contact, message, moment)
    if moment is not None:
        trace.segments = segments_at(campaign, contact, moment)
    if message is None:
        _explain_absence(trace)
        return trace
    _explain_message(trace, message)
    if message.reason == "suppressed" or message.bounce_kind == "hard" or \
            message.complained_at:
        _suppression_detail(trace)
    trace.timeline = message_timeline(send, contact)
    return trace
