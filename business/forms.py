"""Forms built from the business schema: the custom fields of a record form, and the admin's
forms for fields, vocabularies and terms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.html import escape

from business.models import CHOICE_TYPES, FieldDefinition, FieldType, ValidationRule, Vocabulary
from business.registry import object_type_choices
from business.selectors import catalog_for
from business.values import Catalog
from kinds import kind_get
from tenants.models import Company
from tenants.selectors import members_of_company


def _choices(definition: FieldDefinition, catalog: Catalog, current: Any) -> list[tuple[str, str]]:
    current_values = current if isinstance(current, list) else [current]
    terms = catalog.terms.get(definition.vocabulary_id, {}).values()
    return [
        (t.key, t.label + (" (retired)" if t.retired_at else ""))
        for t in sorted(terms, key=lambda t: (t.position, t.label))
        if not t.retired_at or t.key in current_values
    ]


def form_field_for(
    definition: FieldDefinition, catalog: Catalog, people: list[tuple[int, str]], current: Any
) -> forms.Field:
    common = {
        "label": definition.label,
        "help_text": escape(definition.help_text),  # the form partial renders help as HTML
        "required": definition.required,
    }
    kind = definition.field_type
    if kind == FieldType.TEXT:
        return forms.CharField(max_length=500, **common)
    if kind == FieldType.LONG_TEXT:
        return forms.CharField(
            max_length=10_000, widget=forms.Textarea(attrs={"rows": 3}), **common
        )
    if kind in (FieldType.NUMBER, FieldType.PERCENT, FieldType.MONEY):
        return forms.DecimalField(max_digits=18, decimal_places=4, **common)
    if kind == FieldType.DATE:
        return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
    if kind == FieldType.CHOICE:
        return forms.ChoiceField(
            choices=[("", "—"), *_choices(definition, catalog, current)], **common
        )
    if kind == FieldType.MULTI_CHOICE:
        return forms.MultipleChoiceField(
            choices=_choices(definition, catalog, current),
            widget=forms.SelectMultiple(attrs={"size": 4}),
            **common,
        )
    if kind == FieldType.USER:
        return forms.TypedChoiceField(
            choices=[("", "—"), *[(str(pk), name) for pk, name in people]],
            coerce=int,
            empty_value=None,
            **common,
        )
    if kind == FieldType.URL:
        return forms.URLField(assume_scheme="https", **common)
    if kind == FieldType.EMAIL:
        return forms.EmailField(**common)
    return forms.UUIDField(**common)


def _form_value(definition: FieldDefinition, value: Any) -> Any:
    if definition.field_type == FieldType.MONEY and isinstance(value, dict):
        return value.get("amount")
    if definition.field_type == FieldType.USER and value is not None:
        return str(value)
    return value


class CustomFieldsMixin:
    """Adds the company's active custom fields (cf_<key>) to a record form and gathers their
    values into cleaned_data["custom"]. The service validates them again, with the same rules
    as the API."""

    object_type: str = ""

    def add_custom_fields(self, *, company: Company, values: dict[str, Any] | None) -> None:
        values = values or {}
        catalog = catalog_for(object_type=self.object_type, company=company)
        # derived fields are computed on save: shown on the record, never typed in
        self.custom_definitions = [
            d for d in catalog.definitions if not d.retired_at and not d.is_derived
        ]
        people = (
            [(m.user_id, m.user.get_full_name()) for m in members_of_company(company=company)]
            if any(d.field_type == FieldType.USER for d in self.custom_definitions)
            else []
        )
        for definition in self.custom_definitions:
            current = values.get(definition.key, definition.default if not values else None)
            field = form_field_for(definition, catalog, people, current)
            field.initial = _form_value(definition, current)
            field.group = definition.group  # type: ignore[attr-defined]
            self.fields[definition.form_name] = field  # type: ignore[attr-defined]

    @property
    def custom_bound_fields(self) -> list:
        return [self[d.form_name] for d in getattr(self, "custom_definitions", [])]  # type: ignore[index]

    @property
    def core_bound_fields(self) -> list:
        names = {d.form_name for d in getattr(self, "custom_definitions", [])}
        return [f for f in self if f.name not in names and not f.is_hidden]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()  # type: ignore[misc]
        custom = {}
        for definition in getattr(self, "custom_definitions", []):
            value = cleaned.get(definition.form_name)
            if definition.field_type == FieldType.MONEY and value is not None:
                value = {"amount": value, "currency": None}
            custom[definition.key] = value
        cleaned["custom"] = custom
        return cleaned


def _reference_choices() -> list[tuple[str, str]]:
    return [("", "---------"), *object_type_choices()]


class FieldDefinitionForm(forms.ModelForm):
    # the kinds come from the registry (kinds), read when the form is drawn
    object_type = forms.ChoiceField(label="Object type", choices=object_type_choices)
    reference_type = forms.ChoiceField(
        label="Reference type", choices=_reference_choices, required=False
    )
    default = forms.CharField(
        required=False,
        help_text="Filled in on new records. For a choice field, the term's key.",
    )

    class Meta:
        model = FieldDefinition
        fields = [
            "object_type",
            "label",
            "key",
            "field_type",
            "vocabulary",
            "reference_type",
            "help_text",
            "required",
            "default",
            "group",
            "position",
            "shareable",
            "indexed",
            "formula",
        ]
        widgets = {
            "formula": forms.Textarea(
                attrs={"rows": 2, "class": "font-monospace", "spellcheck": "false"}
            )
        }
        help_texts = {
            "key": "How integrations and exports name it. It can't change later; the label can.",
            "group": "Fields with the same group are shown together.",
        }

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["vocabulary"].queryset = Vocabulary.objects.order_by("label")
        self.fields["vocabulary"].required = False
        self.fields["vocabulary"].help_text = "For choice fields: where the choices come from."
        self.fields["reference_type"].help_text = "For links: the kind of record it links to."
        if editing:
            for name in ("object_type", "key"):
                self.fields[name].disabled = True

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("field_type") not in CHOICE_TYPES:
            cleaned["vocabulary"] = None
        return cleaned


class TypeChangeConfirmForm(forms.Form):
    confirm_type_change = forms.BooleanField(required=False)


class VocabularyForm(forms.ModelForm):
    class Meta:
        model = Vocabulary
        fields = ["label", "key", "is_tree"]
        labels = {"is_tree": "Terms can be nested (a tree, like an org structure)"}


class TermForm(forms.Form):
    label = forms.CharField(max_length=100)
    key = forms.CharField(max_length=40, help_text="What records store; it can't change later.")
    parent = forms.ModelChoiceField(queryset=None, required=False, empty_label="— top level —")

    def __init__(self, *args: Any, vocabulary: Vocabulary, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = vocabulary.terms.filter(retired_at__isnull=True)
        if not vocabulary.is_tree:
            del self.fields["parent"]


class ValidationRuleForm(forms.ModelForm):
    object_type = forms.ChoiceField(label="Object type", choices=object_type_choices)

    class Meta:
        model = ValidationRule
        fields = ["object_type", "name", "condition", "message"]
        widgets = {
            "condition": forms.Textarea(
                attrs={"rows": 2, "class": "font-monospace", "spellcheck": "false"}
            )
        }
        labels = {"condition": "Refuse the save when", "message": "Message people see"}


class SharingPolicyForm(forms.Form):
    sharer_roles = forms.MultipleChoiceField(
        label="Who may share records with partners",
        choices=[("admin", "Admins"), ("member", "Members")],
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        help_text="Owners always may.",
    )
    default_role = forms.ChoiceField(
        label="Role a partner gets unless the sharer picks another",
        choices=[("viewer", "Viewer"), ("contributor", "Contributor"), ("manager", "Manager")],
    )
    allow_participant_resharing = forms.BooleanField(
        label="Owners may let partners with the manager role add further partners",
        required=False,
    )

    def __init__(self, *args: Any, privatizable: dict[str, list[str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind, names in privatizable.items():
            spec = kind_get(kind)
            plural = spec.plural.lower() if spec is not None else kind
            self.fields[f"private_{kind}"] = forms.MultipleChoiceField(
                label=f"Built-in fields of {plural} that never leave your company",
                choices=[(n, n.replace("_", " ").capitalize()) for n in names],
                required=False,
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
            )
