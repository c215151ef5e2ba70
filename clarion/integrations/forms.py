"""Forms of the import wizard and the exports page."""

from django import forms
from django.utils.translation import gettext_lazy as _

from clarion.integrations.models import ExportJob, ImportMode, MatchBy, ObjectType

EXPORT_TYPES = [("contact", _("Contacts")), ("company", _("Companies")), ("deal", _("Deals"))]
UPLOAD_TYPES = (".csv", ".txt", ".tsv", ".xlsx")


class ExportForm(forms.Form):
    """A new export from the exports page: every record of a type, or a segment's members."""

    object_type = forms.ChoiceField(label=_("Records"), choices=EXPORT_TYPES)
    segment = forms.ModelChoiceField(
        label=_("Only the members of"), required=False, queryset=None,
        empty_label=_("All records I can see"),
        help_text=_("Segments and lists hold contacts."))
    format = forms.ChoiceField(label=_("Format"), choices=ExportJob.Format.choices,
                               widget=forms.RadioSelect, initial="csv")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from clarion.segments.models import Segment

        self.fields["segment"].queryset = Segment.objects.order_by("name", "id")

    def clean(self):
        data = super().clean()
        if data.get("segment") and data.get("object_type") != "contact":
            self.add_error("segment", _("Segments hold contacts: choose Contacts."))
        return data


class UploadForm(forms.Form):
    """Step 1 of the import wizard."""

    file = forms.FileField(
        label=_("File"), widget=forms.ClearableFileInput(attrs={"accept": ",".join(UPLOAD_TYPES)}),
        help_text=_("CSV (comma, semicolon or tab separated; any common encoding) or Excel "
                    "(XLSX). The first row names the columns."))
    object_type = forms.ChoiceField(label=_("Records to import"), choices=ObjectType.choices,
                                    initial=ObjectType.CONTACT)
    mode = forms.ChoiceField(label=_("Mode"), choices=ImportMode.choices,
                             initial=ImportMode.UPSERT, widget=forms.RadioSelect)
    match_by = forms.ChoiceField(
        label=_("Match existing records by"), choices=MatchBy.choices, initial=MatchBy.EMAIL,
        help_text=_("Contacts match by email, companies by domain; any record by the ID "
                    "column of a Clarion export."))


# --- the mapping step -----------------------------------------------------------------------
# The mapping form's controls are named by column position ("map-3"), since headers can hold
# any character.

DATE_FORMAT_CHOICES = [
    ("%d/%m/%Y", _("31/12/2026 (day/month/year)")),
    ("%m/%d/%Y", _("12/31/2026 (month/day/year)")),
    ("%Y-%m-%d", _("2026-12-31 (ISO)")),
    ("%d.%m.%Y", _("31.12.2026")),
    ("%d-%m-%Y", _("31-12-2026")),
    ("%Y/%m/%d", _("2026/12/31")),
    ("%m/%d/%y", _("12/31/26")),
]
TRANSFORM_CHOICES = [
    ("", _("None")),
    ("date_format", _("Date format")),
    ("split_name", _("Split full name into first and last name")),
    ("map_values", _("Map values")),
]


def read_mapping(data, headers: list[str]) -> tuple[dict[str, str], dict[str, dict]]:
    """({column: property or ""}, {column: transform}) from the mapping form."""
    mapping, transforms = {}, {}
    for index, header in enumerate(headers):
        mapping[header] = data.get(f"map-{index}", "")
        transform = _read_transform(data, index)
        if transform:
            transforms[header] = transform
    return mapping, transforms


def _read_transform(data, index: int) -> dict | None:
    kind = data.get(f"transform-{index}", "")
    if kind == "date_format":
        return {"kind": kind, "format": data.get(f"date-format-{index}", "%d/%m/%Y")}
    if kind == "split_name":
        return {"kind": kind}
    if kind == "map_values":
        return {"kind": kind, "values": parse_value_map(data.get(f"values-{index}", ""))}
    return None


def parse_value_map(text: str) -> dict[str, str]:
    """Lines of "their value = Clarion value"."""
    pairs = {}
    for line in text.splitlines():
        source, equals, target = line.partition("=")
        if equals and source.strip():
            pairs[source.strip()] = target.strip()
    return pairs


def format_value_map(values: dict) -> str:
    return "\n".join(f"{source} = {target}" for source, target in (values or {}).items())
