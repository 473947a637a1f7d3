"""Form fields that choose rows by database id, for every app's forms (actionplans uses them too):
an id that is not a whole number in the range of a primary key is an invalid choice with the
field's own message, never an error in the database driver (SQLite cannot compare 2**70)."""

from django import forms
from django.core.exceptions import ValidationError

# The largest primary key (bigint): a larger "id" is an invalid choice, not a database error.
MAX_ID = 2**63 - 1


def is_id(value) -> bool:
    """Whether `value` reads as a primary key: ASCII digits, 1 to MAX_ID."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and 0 < int(text) <= MAX_ID


class IdChoiceField(forms.ModelChoiceField):
    """One row by id; an id that is not a number in range is an invalid choice."""

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if text and not is_id(text):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdsChoiceField(forms.ModelMultipleChoiceField):
    """Several rows by id; one out of range is an invalid choice."""

    def _check_values(self, value):
        for item in value if isinstance(value, list | tuple) else [value]:
            if not is_id(item):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": str(item).strip()},
                )
        return super()._check_values(value)
