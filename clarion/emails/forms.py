"""Forms of the email pages, and the translated labels the builder's script shows."""

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from clarion.emails import blocks


class EmailSearchForm(forms.Form):
    q = forms.CharField(label=gettext_lazy("Search emails"), required=False, max_length=100)


class TemplateNameForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Template name"), max_length=200)
    category = forms.CharField(label=gettext_lazy("Category"), max_length=40, required=False)


def block_labels() -> dict:
    """Every string the builder's script shows, translated (read from a json_script)."""
    return {
        "types": dict(blocks.block_type_choices()),
        "fields": {
            "html": _("Text"), "font_size": _("Font size (pixels)"), "src": _("Image"),
            "alt": _("Alternative text"), "link": _("Link (optional)"),
            "width": _("Width (pixels)"), "label": _("Label"), "url": _("Link address"),
            "button_color": _("Button colour"), "label_color": _("Label colour"),
            "border_radius": _("Corner radius (pixels)"), "color": _("Line colour"),
            "thickness": _("Thickness (pixels)"), "height": _("Height (pixels)"),
            "links": _("Links"), "network": _("Network"), "logo_src": _("Logo"),
            "logo_alt": _("Logo alternative text"), "logo_width": _("Logo width (pixels)"),
            "title": _("Title"), "note": _("Note"), "postal_address": _("Postal address"),
            "unsubscribe_label": _("Unsubscribe link text (optional)"),
            "preferences_label": _("Preferences link text (optional)"),
            "show_preferences": _("Show the link to the preference centre"),
            "padding": _("Padding (e.g. 12px 24px)"), "align": _("Alignment"),
            "background_color": _("Background colour"), "text_color": _("Text colour"),
            "content_background_color": _("Content background colour"),
            "link_color": _("Link colour"), "font": _("Font"),
            "language": _("Language code"), "count": _("Number of columns"),
        },
        "fonts": {"sans": _("Sans-serif"), "serif": _("Serif"), "mono": _("Monospace")},
        "align": {"left": _("Left"), "center": _("Centre"), "right": _("Right")},
        "actions": {
            "add": _("Add %(type)s"), "moveUp": _("Move up"), "moveDown": _("Move down"),
            "duplicate": _("Duplicate"), "delete": _("Delete"), "select": _("Edit %(type)s"),
            "addToColumn": _("Add to column %(n)s"), "addLink": _("Add a link"),
            "removeLink": _("Remove link"), "chooseImage": _("Choose from library"),
            "upload": _("Upload an image"), "clearImage": _("Remove image"),
        },
        "messages": {
            "added": _("%(type)s added at position %(position)s."),
            "moved": _("%(type)s moved to position %(position)s of %(count)s."),
            "deleted": _("%(type)s deleted."),
            "duplicated": _("%(type)s duplicated."),
            "saved": _("Saved."), "saving": _("Saving…"), "unsaved": _("Unsaved changes"),
            "conflict": _("Someone else saved this email since you opened it. Your changes "
                          "are still here: copy what you need, then reload to see theirs, "
                          "or save again to replace their version with yours."),
            "saveFailed": _("Saving failed; your changes are still here. Try again."),
            "invalid": _("Fix the highlighted block before saving."),
            "emptyCanvas": _("Drag blocks here, or use the Add buttons."),
            "emptyColumn": _("Drop blocks into this column."),
            "unknownTokens": _("Unknown personalization tokens:"),
            "previewFailed": _("The preview could not be updated."),
            "noImage": _("No image chosen."), "altRequired": _("Describe the image for "
                                                               "people who can't see it."),
            "uploading": _("Uploading…"), "noAssets": _("No images yet: upload one."),
            "block": _("Block %(position)s: %(type)s"),
            "column": _("Column %(n)s"),
            "selected": _("%(type)s selected."),
            "none": _("Select a block on the canvas to edit its settings."),
            "leave": _("You have unsaved changes."),
        },
        "networks": {key: str(label) for key, label in blocks.SOCIAL_NETWORKS.items()},
        "emailSettings": _("Email settings"), "reset": _("Use the default"),
        "notSet": _("Not set"), "close": _("Close"), "moreImages": _("More images"),
    }


def new_blocks() -> dict[str, dict]:
    """A new block of each type, with its defaults, for the builder to insert."""
    return {block_type: blocks.new_block(block_type) for block_type in blocks.BLOCK_TYPES}
