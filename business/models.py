"""The business schema a company admin configures: vocabularies (lists or trees of terms) and
custom fields per object type. Lives in the company's schema; values live in each record's
`custom` JSONB, keyed by the field's key, which never changes (renaming changes the label)."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models

from kinds import kind_get, record_type_validate

key_validator = RegexValidator(
    r"^[a-z][a-z0-9_]{0,39}$",
    "Use 1–40 lowercase letters, digits or underscores, starting with a letter (e.g. region).",
)


class KindLabelled:
    """`get_object_type_display()` for models whose object_type is a registry-checked text
    column (it had choices once; templates and __str__ still ask for the label)."""

    object_type: str

    def get_object_type_display(self) -> str:
        spec = kind_get(self.object_type)
        return spec.label if spec is not None else self.object_type


class ObjectType:
    """The kinds of record the business schema itself treats specially (stage requirements
    are an opportunity's). Which kinds exist is the registry's (`kinds`): columns naming a
    kind are text checked by `record_type_validate`, so a new kind needs no migration here."""

    OPPORTUNITY = "opportunity"


class FieldType(models.TextChoices):
    TEXT = "text", "Text"
    LONG_TEXT = "long_text", "Long text"
    NUMBER = "number", "Number"
    MONEY = "money", "Money"
    PERCENT = "percent", "Percent"
    DATE = "date", "Date"
    CHOICE = "choice", "Choice"
    MULTI_CHOICE = "multi_choice", "Multiple choice"
    USER = "user", "Person in your company"
    URL = "url", "Web address"
    EMAIL = "email", "E-mail address"
    REFERENCE = "reference", "Link to another record"


CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)
# What a formula's result can be stored as.
DERIVABLE_TYPES = (
    FieldType.NUMBER,
    FieldType.MONEY,
    FieldType.PERCENT,
    FieldType.DATE,
    FieldType.TEXT,
)


class Vocabulary(models.Model):
    """A list of terms (regions, industries...), or a tree when terms have parents (an org
    structure). The standard ones exist in every company; admins add their own."""

    key = models.CharField(max_length=40, unique=True, validators=[key_validator])
    label = models.CharField(max_length=100)
    is_tree = models.BooleanField(default=False)
    is_standard = models.BooleanField(default=False, editable=False)
    # The network's canonical values (stages, motions, partner roles): the terms are fixed,
    # the company names them in its own words; partners' records show in those words.
    is_canonical = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["label"]
        verbose_name_plural = "vocabularies"

    def __str__(self) -> str:
        return self.label


class Term(models.Model):
    """One value of a vocabulary. Retired, not deleted: records keep the values they have,
    and forms stop offering them."""

    vocabulary = models.ForeignKey(Vocabulary, on_delete=models.CASCADE, related_name="terms")
    key = models.CharField(max_length=40, validators=[key_validator])
    label = models.CharField(max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    position = models.PositiveIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["vocabulary", "key"],
                name="term_unique_key",
                violation_error_message="That key is already a term of this vocabulary.",
            ),
        ]

    def __str__(self) -> str:
        return self.label


class FieldDefinition(KindLabelled, models.Model):
    object_type = models.CharField(max_length=20, validators=[record_type_validate])
    key = models.CharField(max_length=40, validators=[key_validator])
    label = models.CharField(max_length=100)
    help_text = models.CharField(max_length=300, blank=True)
    field_type = models.CharField(max_length=20, choices=FieldType.choices)
    required = models.BooleanField(default=False)
    default = models.JSONField(null=True, blank=True)
    position = models.PositiveIntegerField(default=0)
    group = models.CharField(max_length=60, blank=True)
    shareable = models.BooleanField(
        default=False, help_text="Partners on a shared record may see this field's value."
    )
    indexed = models.BooleanField(
        default=False,
        help_text="Sorting long lists by this field stays fast (adds a database index; saving "
        "records gets slightly slower).",
    )
    vocabulary = models.ForeignKey(
        Vocabulary, on_delete=models.PROTECT, null=True, blank=True, related_name="fields"
    )
    reference_type = models.CharField(max_length=20, blank=True, validators=[record_type_validate])
    formula = models.TextField(
        blank=True,
        help_text="Makes the field derived: computed on every save, never typed in. "
        'Example: amount * CASE(stage, "propose", 0.5, "won", 1, 0.1)',
    )
    retired_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["object_type", "group", "position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "key"],
                name="field_unique_key",
                violation_error_message="There already is a field with this key on this record type.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_object_type_display()}: {self.label}"

    @property
    def is_derived(self) -> bool:
        return bool(self.formula)

    @property
    def form_name(self) -> str:
        """The field's name in forms and query strings; the cf_ prefix keeps custom fields
        from ever colliding with a core field."""
        return f"cf_{self.key}"


class SavedView(KindLabelled, models.Model):
    """A list's filters, sort and columns under a name, for one person or the whole company.
    The view is its query string: opening it opens the list with exactly those parameters."""

    object_type = models.CharField(max_length=20, validators=[record_type_validate])
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    owner = models.ForeignKey(
        "identity.User", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    shared = models.BooleanField(default=False, help_text="Everyone in your company can use it.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PartnerFieldMapping(models.Model):
    """ "Partner X's shared field <key> is our <field>": shared records from X then show that
    value under our label (and, for choices, in our terms where the keys match)."""

    partner_id = models.BigIntegerField(db_index=True)  # a network company (public schema)
    partner_key = models.CharField(max_length=40)
    field = models.ForeignKey(FieldDefinition, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner_id", "partner_key"], name="partner_field_mapping_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}:{self.partner_key} → {self.field.key}"


class ValidationRule(KindLabelled, models.Model):
    """A record is refused while `condition` (a formula) is TRUE, with `message` — like
    Salesforce's error-condition formulas. Part of the company's policies: audited."""

    object_type = models.CharField(max_length=20, validators=[record_type_validate])
    name = models.CharField(max_length=80)
    condition = models.TextField(
        help_text="Refuse the save when this is TRUE, e.g. discount > 30 AND ISBLANK(approval_note)"
    )
    message = models.CharField(max_length=300)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["object_type", "name"]

    def __str__(self) -> str:
        return self.name


class StageRequirement(models.Model):
    """An opportunity field (built-in or custom, by name) that must have a value from a
    canonical stage on (won included, lost not: a lost deal needs nothing more)."""

    field_name = models.CharField(max_length=40)
    from_stage = models.CharField(max_length=12)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["from_stage", "field_name"]
        constraints = [
            models.UniqueConstraint(fields=["field_name"], name="stage_requirement_unique_field")
        ]

    def __str__(self) -> str:
        return f"{self.field_name} from {self.from_stage}"


def _all_roles() -> list[str]:
    return ["owner", "admin", "member"]


def _no_private_fields() -> dict:
    return {}


class SharingPolicy(models.Model):
    """The company's sharing policy (one row): who may share, the role a new entry gets,
    whether owners may let participants add partners, and built-in fields that never leave.
    Policies are data: the admin changes them in Settings → Sharing policy, audited."""

    singleton = models.BooleanField(default=True, unique=True, editable=False)
    sharer_roles = models.JSONField(default=_all_roles)
    default_role = models.CharField(max_length=12, default="contributor")
    allow_participant_resharing = models.BooleanField(default=True)
    # object type → built-in field names kept private (custom fields use their shareable flag)
    private_core_fields = models.JSONField(default=_no_private_fields, blank=True)
    # object type → field (built-in name, or "custom.<key>") → {"partner_types": [term keys],
    # "deal_roles": [roles]}: shared, but not with partners of those types or parts in a deal.
    withheld_fields = models.JSONField(default=_no_private_fields, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "sharing policy"

    def __str__(self) -> str:
        return "Sharing policy"
