from django.core.management import call_command
from django.tasks import TaskResultStatus

import pytest

from tinhso.core import audit
from tinhso.core.tasks import verify_audit_chain


@pytest.mark.django_db(transaction=True)
def test_worker_runs_queued_tasks_from_the_database(settings) -> None:  # type: ignore[no-untyped-def]
    """A task queued on the database backend waits until `tinhso worker` runs it."""
    # Django resets its task backends when TASKS changes (tasks.signals).
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    audit.record("test.event", object_type="test", object_id="1")

    queued = verify_audit_chain.enqueue()
    assert queued.status == TaskResultStatus.READY

    call_command("worker", "--batch", "--interval", "0")

    done = verify_audit_chain.get_result(queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.return_value == {
        "rows": 1,
        "intact": True,
        "first_bad_row": None,
        "reason": "",
    }
