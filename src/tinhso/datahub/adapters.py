"""External systems behind adapters, offered as providers of data services.

An adapter is the one place that knows an outside system's protocol. Calls
go through a pooled HTTP client with a timeout, are retried on failures of
the network or the peer (never on a refusal), and pass a circuit breaker:
after repeated failures the system is left alone for a while, so a slow
peer does not tie up the platform's threads while users wait.
"""

import os
import threading
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import httpx
import pybreaker
import tenacity

from tinhso.core.errors import DomainError
from tinhso.core.sharing import Field, Param, PersonalKind, Provider, Rows, register
from tinhso.datahub.simulated.population import VERIFY_PATH

ATTEMPTS = 3
FAILURES_TO_OPEN = 5
OPEN_SECONDS = 30


class Unavailable(Exception):
    """The system did not answer usefully: worth a retry, counts as a failure."""

    def __init__(self, reason: str, *, timeout: bool = False) -> None:
        super().__init__(reason)
        self.timeout = timeout


class HttpSystem:
    """One outside system reached over HTTP, with retries and a breaker."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.breaker = pybreaker.CircuitBreaker(
            fail_max=FAILURES_TO_OPEN,
            reset_timeout=OPEN_SECONDS,
            # Refusals (bad input, wrong key) are answers, not failures.
            exclude=[DomainError],
            name=name,
        )
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def client(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                timeout = settings.DATAHUB_POPULATION_TIMEOUT_MS / 1000
                self._client = httpx.Client(timeout=httpx.Timeout(timeout))
            return self._client

    def reset(self) -> None:
        """Forget the breaker's state and the pooled connections (the
        system's address changed, or a test starts over)."""
        self.breaker.close()
        with self._lock:
            if self._client is not None:
                self._client.close()
            self._client = None

    def post(self, url: str, body: dict[str, Any], headers: dict[str, str]) -> Any:
        try:
            return self.breaker.call(self._post_retried, url, body, headers)
        except pybreaker.CircuitBreakerError:
            raise DomainError(
                "external_circuit_open",
                _(
                    "Hệ thống %(name)s đang gián đoạn nên tạm ngừng gọi; hãy thử lại "
                    "sau ít phút."
                )
                % {"name": self.name},
                status=503,
            ) from None
        except Unavailable as exc:
            if exc.timeout:
                raise DomainError(
                    "external_timeout",
                    _("Hệ thống %(name)s không trả lời kịp.") % {"name": self.name},
                    status=504,
                ) from None
            raise DomainError(
                "external_unavailable",
                _("Hệ thống %(name)s đang không trả lời được (%(reason)s).")
                % {"name": self.name, "reason": exc},
                status=502,
            ) from None

    @tenacity.retry(
        retry=tenacity.retry_if_exception_type(Unavailable),
        stop=tenacity.stop_after_attempt(ATTEMPTS),
        wait=tenacity.wait_exponential(multiplier=0.05, max=0.4),
        reraise=True,
    )
    def _post_retried(
        self, url: str, body: dict[str, Any], headers: dict[str, str]
    ) -> Any:
        try:
            response = self.client().post(url, json=body, headers=headers)
        except httpx.TimeoutException:
            raise Unavailable("timeout", timeout=True) from None
        except httpx.TransportError as exc:
            raise Unavailable(type(exc).__name__) from None
        if response.status_code >= 500:
            raise Unavailable(f"HTTP {response.status_code}")
        if response.status_code in (401, 403):
            raise DomainError(
                "external_refused",
                _("Hệ thống %(name)s từ chối khóa truy cập của nền tảng.")
                % {"name": self.name},
                status=502,
            )
        if response.status_code >= 400:
            raise DomainError(
                "external_bad_request",
                _("Hệ thống %(name)s không nhận yêu cầu (HTTP %(status)s).")
                % {"name": self.name, "status": response.status_code},
                status=502,
            )
        try:
            return response.json()
        except ValueError:
            raise Unavailable("not JSON") from None


population_system = HttpSystem(str(gettext_lazy("CSDL quốc gia về dân cư")))

POPULATION_FIELDS = (
    Field(
        "id_number",
        "string",
        gettext_lazy("Số định danh cá nhân"),
        PersonalKind.ID_NUMBER,
    ),
    Field("full_name", "string", gettext_lazy("Họ và tên"), PersonalKind.NAME),
    Field("birth_date", "date", gettext_lazy("Ngày sinh"), PersonalKind.BIRTH_DATE),
    Field("sex", "string", gettext_lazy("Giới tính")),
    Field("ethnicity", "string", gettext_lazy("Dân tộc")),
    Field("nationality", "string", gettext_lazy("Quốc tịch")),
    Field(
        "permanent_address",
        "string",
        gettext_lazy("Nơi thường trú"),
        PersonalKind.ADDRESS,
    ),
    Field("phone", "string", gettext_lazy("Số điện thoại"), PersonalKind.PHONE),
)
# The register's Vietnamese field names, by ours.
_REGISTER_NAMES = {
    "id_number": "so_dinh_danh",
    "full_name": "ho_va_ten",
    "birth_date": "ngay_sinh",
    "sex": "gioi_tinh",
    "ethnicity": "dan_toc",
    "nationality": "quoc_tich",
    "permanent_address": "noi_thuong_tru",
    "phone": "so_dien_thoai",
}


def _verify_citizen(params: Mapping[str, Any], offset: int, limit: int) -> Rows:
    base = settings.DATAHUB_POPULATION_URL.rstrip("/")
    if not base:
        raise DomainError(
            "external_not_configured",
            _(
                "Chưa cấu hình kết nối CSDL quốc gia về dân cư "
                "(biến môi trường TINHSO_POPULATION_URL)."
            ),
            status=503,
        )
    answer = population_system.post(
        base + VERIFY_PATH,
        {
            "so_dinh_danh": params["id_number"],
            "ho_va_ten": params["full_name"],
            "ngay_sinh": params["birth_date"].isoformat(),
        },
        {"X-Api-Key": settings.DATAHUB_POPULATION_KEY},
    )
    person = answer.get("cong_dan") if isinstance(answer, dict) else None
    if answer.get("ket_qua") != "khop" or not isinstance(person, dict) or offset:
        return Rows([], total=0)
    return Rows(
        [{ours: person.get(theirs) for ours, theirs in _REGISTER_NAMES.items()}],
        total=1,
    )


def register_adapters() -> None:
    register(
        Provider(
            code="population",
            label=gettext_lazy("Xác thực thông tin công dân (CSDL quốc gia về dân cư)"),
            description=gettext_lazy(
                "Đối chiếu số định danh cá nhân với họ tên và ngày sinh; khi khớp trả "
                "về thông tin công dân. Hệ thống bên ngoài, gọi qua bộ kết nối."
            ),
            fields=POPULATION_FIELDS,
            fetch=_verify_citizen,
            params=(
                Param(
                    "id_number",
                    "string",
                    gettext_lazy("Số định danh cá nhân (12 chữ số)"),
                    required=True,
                    personal=PersonalKind.ID_NUMBER,
                ),
                Param(
                    "full_name",
                    "string",
                    gettext_lazy("Họ và tên"),
                    required=True,
                    personal=PersonalKind.NAME,
                ),
                Param(
                    "birth_date",
                    "date",
                    gettext_lazy("Ngày sinh (YYYY-MM-DD)"),
                    required=True,
                    personal=PersonalKind.BIRTH_DATE,
                ),
            ),
            external=True,
            max_limit=1,
        )
    )


DEMO_POPULATION_KEY = "demo-csdl-dan-cu"


def serve_simulated_population(*, demo: bool) -> str:
    """With ``serve --demo`` and no population database configured, start
    the SIMULATED one beside the server, so the demo's citizen look-up
    service answers; the web workers inherit its address."""
    if not demo or settings.DATAHUB_POPULATION_URL:
        return ""
    from tinhso.datahub.simulated.population import SimulatedPopulation

    sim = SimulatedPopulation(api_key=DEMO_POPULATION_KEY, count=10_000).start()
    os.environ["TINHSO_POPULATION_URL"] = sim.url
    os.environ["TINHSO_POPULATION_KEY"] = DEMO_POPULATION_KEY
    settings.DATAHUB_POPULATION_URL = sim.url
    settings.DATAHUB_POPULATION_KEY = DEMO_POPULATION_KEY
    return _(
        "CSDL quốc gia về dân cư MÔ PHỎNG (không phải hệ thống thật) chạy tại %(url)s "
        "với %(n)s công dân giả định."
    ) % {"url": sim.url, "n": len(sim.register)}
