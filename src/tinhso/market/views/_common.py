from django.forms import BaseForm

from tinhso.core.errors import DomainError


def failed(form: BaseForm, exc: DomainError) -> None:
    """Show a service's refusal on the field it names, else on the form."""
    field = exc.extra.get("field")
    form.add_error(field if field in form.fields else None, exc.message)


def status(*forms: BaseForm) -> int:
    return 400 if any(f.errors for f in forms) else 200
