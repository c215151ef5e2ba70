from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class PropertyType(models.TextChoices):
    TEXT = "text", _("Single-line text")
    TEXTAREA = "textarea", _("Multi-line text")
    NUMBER = "number", _("Number")
    CURRENCY = "currency", _("Currency")
    DATE = "date", _("Date")
    DATETIME = "datetime", _("Date and time")
    BOOLEAN = "boolean", _("Yes / no")
    SELECT = "select", _("Dropdown (one value)")
    MULTISELECT = "multiselect", _("Checkboxes (several values)")
    EMAIL = "email", _("Email address")
    PHONE = "phone", _("Phone number")
    URL = "url", _("Web address")


property_name_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,62}$",
    _("Use lowercase letters, digits and underscores, starting with a letter."))


class PropertyDefinition(models.Model):
    """One custom property of one record type (`object_type` is e.g. "contact")."""

    object_type = models.CharField(_("record type"), max_length=40)
    name = models.CharField(_("internal name"), max_length=63,
                            validators=[property_name_validator])
    label = models.CharField(_("label"), max_length=120)
    type = models.CharField(_("type"), max_length=20, choices=PropertyType.choices)
    group = models.CharField(_("group"), max_length=80, blank=True)
    description = models.CharField(_("description"), max_length=255, blank=True)
    # For select types: [{"value": "gold", "label": "Gold"}, …]
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    unique = models.BooleanField(_("unique"), default=False)
    # Optional rules checked on write: {"min": 0, "max": 100, "pattern": "^[A-Z]+$"}
    validation = models.JSONField(_("validation"), default=dict, blank=True)
    position = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object_type", "group", "position", "label"]
        constraints = [models.UniqueConstraint(fields=["object_type", "name"],
                                               name="unique_property_name_per_type")]
        verbose_name = _("property")
        verbose_name_plural = _("properties")

    def __str__(self) -> str:
        return f"{self.object_type}.{self.name}"

    @property
    def option_values(self) -> list[str]:
        return [option["value"] for option in self.options]
