"""The "http" transport: a package POSTed to a tinhso import endpoint with a
bearer token lands there; a refusal, a dead peer or a silent one is a clear
Vietnamese error and the dispatch is not recorded."""

import re
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests import factories
from tests.documents.test_exchange_support import issue
from tinhso.accounts import services as accounts
from tinhso.accounts.models import Role
from tinhso.core.errors import DomainError
from tinhso.core.models import StoredFile
from tinhso.documents.constants import Channel, InboundStatus
from tinhso.documents.models import Dispatch, InboundMessage
from tinhso.documents.services import exchange as services
from tinhso.documents.services import transports

CODE = "000.00.12.H42"
NAME = "Sở Nội vụ tỉnh Hà Tĩnh"


@pytest.fixture
def document(other_agency, sender, signer, certificate, seal):  # type: ignore[no-untyped-def]
    return issue(
        agency=other_agency,
        clerk=sender,
        signer=signer,
        certificate=certificate,
        seal=seal,
    )


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(4)
    yield server.getsockname()[1]
    server.close()


def _use_http(settings: Any, url: str, token: str, timeout: float = 5) -> None:
    settings.DOCUMENTS_EDXML_TRANSPORT = "http"
    settings.DOCUMENTS_EDXML_HTTP_URL = url
    settings.DOCUMENTS_EDXML_HTTP_TOKEN = token
    settings.DOCUMENTS_EDXML_HTTP_TIMEOUT = timeout


@pytest.mark.django_db(transaction=True)
def test_a_package_posted_over_http_lands_at_the_peer(
    live_server, settings, document, sender, province, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    settings.DOCUMENTS_EDXML_FOLDER = str(tmp_path / "edxml")
    (dispatch,) = services.dispatch_outgoing(
        document, clerk=sender, external=[(CODE, NAME)]
    )
    package = services.export_package(dispatch)
    # The peer: an agency with that code and its clerk's token.
    receiver = factories.orgunit(name=NAME, code=CODE, parent=province)
    clerk = factories.official(unit=receiver, role=Role.CLERK)
    _token, secret = accounts.issue_token(clerk, "trục liên thông")
    url = f"{live_server.url}/api/v1/documents/edxml/import"
    _use_http(settings, url, secret)
    where = transports.current().send(package, recipient_code=CODE, name="goi-tin")
    assert where == f"{url} (201)"
    (message,) = InboundMessage.objects.filter(agency=receiver)
    assert message.channel == Channel.EDXML
    assert message.status == InboundStatus.PENDING
    # A retry is harmless: the peer answers 200 with what it already has.
    again = transports.current().send(package, recipient_code=CODE, name="goi-tin")
    assert again == f"{url} (200)"
    assert InboundMessage.objects.filter(agency=receiver).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_refusing_peer_stops_the_dispatch_with_its_reason(
    live_server, settings, document, sender
) -> None:  # type: ignore[no-untyped-def]
    _token, secret = accounts.issue_token(sender, "trục liên thông")
    url = f"{live_server.url}/api/v1/documents/edxml/import"
    _use_http(settings, url, secret)
    stored = StoredFile.objects.count()
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    assert caught.value.code == "edxml_transport_refused"
    assert "(HTTP 422)" in caught.value.message
    assert f"Gói tin gửi tới {CODE}, không phải cơ quan nào" in caught.value.message
    assert Dispatch.objects.count() == 0
    assert StoredFile.objects.count() == stored
    _use_http(settings, url, "tso_khong-dung")
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    # A wrong token is refused before the package is even read.
    assert caught.value.code == "edxml_transport_refused"
    assert re.search(r"\(HTTP 40[13]\): \S", caught.value.message)
    assert Dispatch.objects.count() == 0


@pytest.mark.django_db
def test_a_dead_or_silent_peer_is_a_clear_error(
    settings, document, sender, silent_port: int
) -> None:  # type: ignore[no-untyped-def]
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead_port = closed.getsockname()[1]
    closed.close()
    _use_http(
        settings, f"http://127.0.0.1:{dead_port}/api/v1/documents/edxml/import", "tso_x"
    )
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    assert caught.value.code == "edxml_transport_failed"
    assert caught.value.message.startswith("Không kết nối được tới http://127.0.0.1:")
    _use_http(
        settings,
        f"http://127.0.0.1:{silent_port}/api/v1/documents/edxml/import",
        "tso_x",
        timeout=0.5,
    )
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    assert caught.value.code == "edxml_transport_timeout"
    assert "chưa trả lời; gói tin chưa được gửi." in caught.value.message
    _use_http(settings, "", "")
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    assert caught.value.code == "edxml_transport_not_configured"
    settings.DOCUMENTS_EDXML_TRANSPORT = "bồ câu"
    with pytest.raises(DomainError) as caught:
        services.dispatch_outgoing(document, clerk=sender, external=[(CODE, NAME)])
    assert caught.value.code == "edxml_transport_unknown"
    assert Dispatch.objects.count() == 0
