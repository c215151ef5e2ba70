"""Value transforms a person can set on a column before its cells are read:

    {"kind": "date_format", "format": "%d/%m/%Y"}        how dates in the column are written
    {"kind": "split_name"}                                 "Ada Lovelace" → first + last name
    {"kind": "map_values", "values": {"Hot": "lead"}}      replace cell values (picklists)
"""

from django.utils.translation import gettext as _

KINDS = ("date_format", "split_name", "map_values")


class InvalidTransform(ValueError):
    pass


def check_transforms(transforms: dict, headers: list[str]) -> dict:
    """The transforms, checked: known columns and kinds, the settings each kind needs."""
    checked = {}
    for column, transform in (transforms or {}).items():
        if column not in headers:
            raise InvalidTransform(_("There is no column “%(column)s” in the file.")
                                   % {"column": column})
        kind = (transform or {}).get("kind")
        if kind not in KINDS:
            raise InvalidTransform(_("“%(kind)s” is not a transform Clarion knows.")
                                   % {"kind": kind})
        if kind == "date_format" and not isinstance(transform.get("format"), str):
            raise InvalidTransform(_("A date format transform needs a format such as "
                                     "%%d/%%m/%%Y."))
        if kind == "map_values" and not isinstance(transform.get("values"), dict):
            raise InvalidTransform(_("A value mapping needs the values to replace."))
        checked[column] = dict(transform)
    return checked


def map_value(transform: dict, text: str) -> str:
    """Apply a map_values transform (exact match first, then ignoring case)."""
    values = transform["values"]
    if text in values:
        return str(values[text])
    folded = {str(key).casefold(): value for key, value in values.items()}
    return str(folded.get(text.casefold(), text))


def split_name(text: str) -> tuple[str, str]:
    """(first name, last name). The last word is the last name ("Mary Ann Smith" → "Mary
    Ann", "Smith"); "Smith, Mary" is reversed; a Chinese, Japanese or Korean name written
    without spaces starts with the family name (one character)."""
    text = " ".join(text.split())
    if "," in text:
        last, _comma, first = text.partition(",")
        return first.strip(), last.strip()
    if " " not in text and text and _is_cjk(text[0]) and len(text) > 1:
        return text[1:], text[0]
    first, _space, last = text.rpartition(" ")
    return (first, last) if first else (last, "")


def _is_cjk(char: str) -> bool:
    return "\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af"
