"""What every app's pages do with a service's refusal."""

from django.forms import BaseForm

from tinhso.core.errors import DomainError


def refuse(form: BaseForm, exc: DomainError) -> None:
    """Show a refusal on the field it names, else over the whole form."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def status_of(*forms: BaseForm) -> int:
    """400 when a form shows errors, so that programs and tests can tell."""
    return 400 if any(f.errors for f in forms) else 200
