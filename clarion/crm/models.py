"""The records a sales and marketing team lives in: contacts, companies, deals, pipelines."""

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower, Replace, Substr
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

PHONE_PUNCTUATION = " -().+/"


def normalized_phone(field: str = "phone"):
    """The phone number without punctuation: the key duplicate detection compares, and
    indexes on PostgreSQL and SQLite alike."""
    expression = models.F(field)
    for character in PHONE_PUNCTUATION:
        expression = Replace(expression, models.Value(character), models.Value(""))
    return expression


class LifecycleStage(models.TextChoices):
    """In order: a stage only moves forward unless a person moves it back explicitly."""

    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MQL = "mql", _("Marketing qualified lead")
    SQL = "sql", _("Sales qualified lead")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


LIFECYCLE_ORDER = {stage: position for position, stage in enumerate(LifecycleStage.values)}


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", pgettext_lazy("lead status", "Open")
    IN_PROGRESS = "in_progress", _("In progress")
    OPEN_DEAL = "open_deal", _("Open deal")
    UNQUALIFIED = "unqualified", _("Unqualified")
    ATTEMPTED = "attempted", _("Attempted to contact")
    CONNECTED = "connected", _("Connected")
    BAD_TIMING = "bad_timing", _("Bad timing")


class Source(models.TextChoices):
    MANUAL = "manual", _("Created by hand")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    FORM = "form", _("Form")
    CHAT = "chat", _("Chat")
    EMAIL = "email", _("Email")
    ORGANIC_SEARCH = "organic_search", _("Organic search")
    PAID = "paid", _("Paid")
    SOCIAL = "social", _("Social")
    REFERRAL = "referral", _("Referral")
    DIRECT = "direct", _("Direct traffic")
    OTHER = "other", _("Other")


class Record(models.Model):
    """What every CRM record has: an owner, custom properties, timestamps and a version
    that detects concurrent edits."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("owner"), null=True,
                              blank=True, on_delete=models.SET_NULL, related_name="+")
    properties = models.JSONField(_("custom properties"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    version = models.PositiveIntegerField(default=1)

    class Meta:
        abstract = True

    def get_absolute_url(self) -> str:
        return reverse(f"crm:{self._meta.model_name}_detail", args=[self.pk])


class LeadRecord(Record):
    """Contacts and companies: where they stand in the lifecycle and where they came from."""

    lifecycle_stage = models.CharField(_("lifecycle stage"), max_length=20, blank=True,
                                       choices=LifecycleStage.choices)
    lead_status = models.CharField(_("lead status"), max_length=20, blank=True,
                                   choices=LeadStatus.choices)
    original_source = models.CharField(_("original source"), max_length=20, blank=True,
                                       choices=Source.choices)

    class Meta:
        abstract = True


class Company(LeadRecord):
    capability_area = "companies"
    name = models.CharField(_("name"), max_length=255)
    domain = models.CharField(_("domain"), max_length=255, blank=True, db_index=True)
    industry = models.CharField(_("industry"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    employees = models.PositiveIntegerField(_("employees"), null=True, blank=True)
    annual_revenue = models.DecimalField(_("annual revenue"), max_digits=16, decimal_places=2,
                                         null=True, blank=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [models.Index(Lower("name"), name="company_name_lower"),
                   models.Index(fields=["owner", "id"], name="company_owner")]

    def __str__(self) -> str:
        return self.name


class Contact(LeadRecord):
    capability_area = "contacts"
    email = models.EmailField(_("email"), blank=True)
    first_name = models.CharField(_("first name"), max_length=120, blank=True)
    last_name = models.CharField(_("last name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile_phone = models.CharField(_("mobile phone"), max_length=40, blank=True)
    job_title = models.CharField(_("job title"), max_length=160, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    country = models.CharField(_("country"), max_length=120, blank=True)
    # An IANA name such as "Europe/Paris": campaigns can arrive at a local time.
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True)
    company = models.ForeignKey(Company, verbose_name=_("company"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="contacts")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        constraints = [
            # Email is the identity of a contact: one contact per address (case-insensitive).
            models.UniqueConstraint(Lower("email"), name="unique_contact_email",
                                    condition=~models.Q(email="")),
        ]
        indexes = [models.Index(Lower("last_name"), Lower("first_name"), name="contact_name"),
                   models.Index(fields=["owner", "id"], name="contact_owner"),
                   models.Index(fields=["company", "id"], name="contact_company"),
                   models.Index(fields=["lifecycle_stage", "id"], name="contact_lifecycle"),
                   # The keys of duplicate detection (crm/merge.py), so finding a contact's
                   # look-alikes is an index lookup, not a scan of every contact.
                   models.Index(normalized_phone(), name="contact_phone_key",
                                condition=~models.Q(phone="")),
                   models.Index("company", Lower("last_name"),
                                Substr(Lower("first_name"), 1, 1), name="contact_name_key",
                                condition=models.Q(company__isnull=False)
                                & ~models.Q(last_name=""))]

    def __str__(self) -> str:
        return self.full_name or self.email or str(_("Unnamed contact"))

    @property
    def full_name(self) -> str:
        # Chinese, Japanese and Korean names are written family name first, without a space.
        if _is_cjk(self.last_name) or _is_cjk(self.first_name):
            return f"{self.last_name}{self.first_name}"
        return f"{self.first_name} {self.last_name}".strip()


def _is_cjk(text: str) -> bool:
    return any("\u3040" <= char <= "\u9fff" or "\uac00" <= char <= "\ud7af" for char in text)


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(_("default pipeline"), default=False)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("pipeline")
        verbose_name_plural = _("pipelines")

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    class Outcome(models.TextChoices):
        OPEN = "open", pgettext_lazy("deal outcome", "Open")
        WON = "won", _("Closed won")
        LOST = "lost", _("Closed lost")

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(default=0)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices,
                               default=Outcome.OPEN)

    class Meta:
        ordering = ["pipeline", "position", "id"]
        verbose_name = _("stage")
        verbose_name_plural = _("stages")

    def __str__(self) -> str:
        return self.name


class ForecastCategory(models.TextChoices):
    PIPELINE = "pipeline", _("Pipeline")
    BEST_CASE = "best_case", _("Best case")
    COMMIT = "commit", _("Commit")
    CLOSED = "closed", _("Closed")
    OMITTED = "omitted", _("Omitted")


class Deal(Record):
    capability_area = "deals"
    name = models.CharField(_("name"), max_length=255)
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2, null=True,
                                 blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="USD")
    pipeline = models.ForeignKey(Pipeline, verbose_name=_("pipeline"),
                                 on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, verbose_name=_("stage"), on_delete=models.PROTECT,
                              related_name="deals")
    close_date = models.DateField(_("close date"), null=True, blank=True)
    forecast_category = models.CharField(_("forecast category"), max_length=20, blank=True,
                                         choices=ForecastCategory.choices)
    company = models.ForeignKey(Company, verbose_name=_("company"), null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="deals")
    contacts = models.ManyToManyField(Contact, verbose_name=_("contacts"), blank=True,
                                      related_name="deals")
    # Ordering of cards within a stage column on the board.
    board_position = models.FloatField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("deal")
        verbose_name_plural = _("deals")
        indexes = [models.Index(fields=["pipeline", "stage", "board_position"],
                                name="deal_board"),
                   models.Index(fields=["owner", "id"], name="deal_owner")]

    def __str__(self) -> str:
        return self.name

    @property
    def weighted_amount(self):
        if self.amount is None:
            return None
        return self.amount * self.stage.probability / 100
