"""Background tasks of core."""

from typing import Any

from django.tasks import task

from tinhso.core import audit, idempotency, search
from tinhso.core.models import AuditEntry


@task()
def verify_audit_chain() -> dict[str, Any]:
    """Check the audit log's hash chain off the request path.

    A large log takes seconds to walk; operators schedule this task (or run
    ``tinhso audit verify``) rather than make anyone wait for it.
    """
    problem = audit.verify()
    return {
        "rows": AuditEntry.objects.count(),
        "intact": problem is None,
        "first_bad_row": problem.seq if problem else None,
        "reason": problem.reason if problem else "",
    }


@task()
def optimize_search() -> dict[str, float]:
    """``search.optimize`` off the request path; operators schedule it nightly."""
    return dict(search.optimize())


@task()
def forget_idempotency_keys() -> dict[str, int]:
    """``idempotency.forget_old`` off the request path; operators schedule it daily."""
    return {"deleted": idempotency.forget_old()}
