from django import forms


class CommaListField(forms.CharField):
    """A list typed as comma-separated words; shown back the same way."""

    def prepare_value(self, value):  # type: ignore[no-untyped-def]
        if isinstance(value, (list, tuple)):
            return ", ".join(value)
        return value

    def to_python(self, value):  # type: ignore[no-untyped-def]
        text = super().to_python(value) or ""
        items = [" ".join(item.split()) for item in text.split(",")]
        return list(dict.fromkeys(i for i in items if i))
