"""Forms of the chat pages."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from clarion.chat.services import MAX_BODY, MAX_NAME


class PersonChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        name = obj.get_full_name()
        return f"{name} ({obj.email})" if name else obj.email


def people_field(viewer, *, label, required: bool, exclude=()) -> PersonChoiceField:
    people = (get_user_model().objects.filter(is_active=True, is_guest=False)
              .exclude(pk=viewer.pk)
              .exclude(pk__in=exclude))
    return PersonChoiceField(queryset=people, label=label, required=required,
                             widget=forms.SelectMultiple(attrs={"size": 6}))


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=MAX_BODY, strip=False,
        widget=forms.Textarea(attrs={"rows": 2, "data-mentions": "", "data-chat-input": "",
                                     "placeholder": _("Write a message… (@ to mention)")}))


class ChannelForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=MAX_NAME)
    topic = forms.CharField(label=_("Topic"), max_length=250, required=False,
                            help_text=_("What the channel is for, shown under its name."))
    is_private = forms.BooleanField(label=_("Private: only people added can find and read it"),
                                    required=False)

    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["members"] = people_field(viewer, label=_("Members"), required=False)


class DirectForm(forms.Form):
    def __init__(self, *args, viewer, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"] = people_field(
            viewer, label=_("People"), required=True)
        self.fields["people"].help_text = _("One person, or up to eight for a group message.")


class AddMembersForm(forms.Form):
    def __init__(self, *args, viewer, exclude=(), **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["people"] = people_field(viewer, label=_("Add people"), required=True,
                                             exclude=exclude)
