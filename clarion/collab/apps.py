"""Collaboration: notes, calls and meetings on records, comments with @mentions, files."""
from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CollabConfig(AppConfig):
    name = "clarion.collab"
    label = "collab"
    verbose_name = _("Collaboration")

    def ready(self) -> None:
        from clarion.collab import panels, targets, timeline
        from clarion.crm.extensions import (
            RecordPanel,
            register_describer,
            register_record_panel,
        )
        from clarion.crm.timeline import register_timeline_source
        from clarion.notifications.services import register_kind

        targets.register_builtin_targets()
        register_record_panel(RecordPanel("collab-composer", "collab/composer.html",
                                          panels.record_composer, column="main", order=10))
        register_record_panel(RecordPanel("collab-comments", "collab/comments_panel.html",
                                          panels.record_comments, column="main", order=20))
        register_record_panel(RecordPanel("collab-files", "collab/files_panel.html",
                                          panels.record_files, column="side", order=50))
        register_timeline_source(timeline.activity_events)
        for prefix in ("note.", "call.", "meeting."):
            register_describer(prefix, timeline.describe_activity)
        register_describer("attachment.", timeline.describe_attachment)
        register_describer("comment.", timeline.describe_comment)
        register_kind("comment.mentioned", _("Someone mentions me in a comment"),
                      default="email")
        register_kind("comment.reply", _("Someone comments on my record or task"))
