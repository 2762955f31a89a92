"""Background tasks of documents."""

from typing import Any

from django.tasks import task

from tinhso.documents.services import exchange


@task()
def pull_edxml_inbox() -> dict[str, Any]:
    """Import the edXML packages waiting in the folder transport's inbox.

    Operators schedule it (or run ``tinhso documents edxml-pull``); each
    package lands once, however often it runs.
    """
    result = exchange.pull_inbox()
    return {
        "imported": result.imported,
        "repeated": result.repeated,
        "refused": len(result.refused),
    }
