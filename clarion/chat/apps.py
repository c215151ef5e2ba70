"""Chat: team channels, channels, direct messages and a discussion on every record."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChatConfig(AppConfig):
    name = "clarion.chat"
    label = "chat"
    verbose_name = _("Chat")

    def ready(self) -> None:
        from clarion.chat.panels import discussion_panel
        from clarion.crm.extensions import RecordPanel, register_record_panel
        from clarion.notifications.services import register_kind

        register_record_panel(RecordPanel(name="chat.discussion", template="chat/panel.html",
                                          context=discussion_panel, column="main", order=60))
        register_kind("chat.mentioned", _("Mentioned in chat"))
        register_kind("chat.direct_message", _("Direct message in chat"))
