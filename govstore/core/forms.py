from typing import Any

from django import forms


class AccessibleForm(forms.Form):
    """Ties each input to its help text and its error message (aria-describedby), and
    marks invalid inputs, so assistive technology reads the fix next to the field."""

    def full_clean(self) -> None:
        super().full_clean()
        for name, field in self.fields.items():
            bound = self[name]
            described_by = []
            if field.help_text:
                described_by.append(f"{bound.auto_id}_helptext")
            if name in self.errors:
                described_by.append(f"{bound.auto_id}_error")
                field.widget.attrs["aria-invalid"] = "true"
            if described_by:
                field.widget.attrs["aria-describedby"] = " ".join(described_by)


def strip_all(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value.strip() if isinstance(value, str) else value for key, value in data.items()}
