"""Helpers that every app's views share for their forms."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.forms import Form


def form_attach_error(form: Form, error: ValidationError) -> None:
    """Put an action's ValidationError on the form: on its field when keyed by one that the
    form has, else on the form as a whole."""
    if hasattr(error, "error_dict"):
        for name, errors in error.error_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)
