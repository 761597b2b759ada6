from django import forms
from django.core.exceptions import ValidationError


def form_add_service_error(form: forms.BaseForm, error: ValidationError) -> None:
    """A service's refusal shown on the form: against the field it names when the form has
    that field, otherwise above the form. Services raise ValidationError with Chinese
    messages, keyed by field (``{"deadline": "…"}``) or not."""
    if hasattr(error, "error_dict"):
        for field, items in error.error_dict.items():
            for item in items:
                form.add_error(field if field in form.fields else None, item.messages[0])
    else:
        for message in error.messages:
            form.add_error(None, message)
