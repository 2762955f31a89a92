from django.test import Client

import pytest


@pytest.mark.django_db
def test_health_endpoints_answer(client: Client) -> None:
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz").json()
    assert ready["status"] == "ok"
    assert set(ready["checks"]) == {"database", "storage", "tasks"}
