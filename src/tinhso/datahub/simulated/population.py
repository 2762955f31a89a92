"""SIMULATED national population database (Cơ sở dữ liệu quốc gia về dân
cư) — a stand-in for development, tests and demos, NOT the real system.

The real database is reached through the national data exchange platform
by agencies that have signed up for it; a person is looked up by personal
ID number together with full name and date of birth, and the answer says
whether the three match and, when they do, gives the person's record. This
small HTTP service answers the same way over generated people, so that the
platform's adapter (timeouts, retries, errors, circuit breaking) runs
against a real network peer. Tests start it on 127.0.0.1.

    POST /api/v1/cong-dan/xac-thuc   X-Api-Key: <key>
    {"so_dinh_danh": "008192004217", "ho_va_ten": "…", "ngay_sinh": "1992-05-14"}
    → 200 {"ket_qua": "khop", "cong_dan": {…}} | {"ket_qua": "khong_khop"}

``/_sim/faults`` (POST ``{"fail_next": 3, "status": 503, "delay_ms": 0}``)
makes the next calls fail or stall, for tests of the adapter's resilience.
"""

import datetime as dt
import json
import random
import threading
import time
import unicodedata
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

VERIFY_PATH = "/api/v1/cong-dan/xac-thuc"
FAULTS_PATH = "/_sim/faults"

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi", "Đỗ"]
FAMILY += ["Ngô", "Dương", "Lý", "Nông", "Vàng", "Giàng", "Sùng", "Ma", "Lò"]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quốc", "Mạnh", "Xuân", "Thành"]
MIDDLE_FEMALE = ["Thị", "Thu", "Hồng", "Ngọc", "Thanh", "Mai", "Minh"]
GIVEN_MALE = ["An", "Bình", "Dũng", "Hải", "Hùng", "Khánh", "Nam", "Quân", "Sơn"]
GIVEN_MALE += ["Thắng", "Tuấn", "Việt", "Chiến", "Pó", "Sinh"]
GIVEN_FEMALE = ["Chi", "Hà", "Hương", "Lan", "Linh", "Mai", "Phương", "Thảo"]
GIVEN_FEMALE += ["Trang", "Vân", "Dung", "Mỷ", "Say", "Hoa"]
ETHNIC = ["Kinh", "Tày", "Dao", "H'Mông", "Nùng", "Giáy", "Lô Lô"]
PLACES = [
    ("Tổ dân phố 1", "phường Hà Giang 1"),
    ("Thôn Khuổi My", "phường Hà Giang 1"),
    ("Tổ dân phố 5", "phường Hà Giang 2"),
    ("Thôn Lùng Châu", "phường Hà Giang 2"),
    ("Thôn Phố Cũ", "xã Đồng Văn"),
    ("Thôn Tả Lủng A", "xã Đồng Văn"),
    ("Tổ dân phố Tân Quang", "phường Minh Xuân"),
    ("Thôn Kim Phú", "phường Minh Xuân"),
]
PROVINCE = "tỉnh Tuyên Quang"

# The demo citizen of ``tinhso demo`` is on the register too.
DEMO_PERSON = {
    "so_dinh_danh": "008192004217",
    "ho_va_ten": "Nguyễn Thị Mai Hương",
    "ngay_sinh": "1992-05-14",
    "gioi_tinh": "Nữ",
    "dan_toc": "Kinh",
    "quoc_tich": "Việt Nam",
    "noi_thuong_tru": f"Tổ dân phố 2, phường Hà Giang 1, {PROVINCE}",
    "so_dien_thoai": "0912345678",
}


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def people(count: int, seed: int = 2026) -> list[dict[str, str]]:
    """``count`` made-up residents, the same ones for the same seed.

    ID numbers are built as the real ones are: province of birth
    registration (008 Tuyên Quang), a digit for sex and century, the last
    two digits of the birth year, six more digits.
    """
    rng = random.Random(seed)  # noqa: S311 - made-up people, not secrets
    made = [dict(DEMO_PERSON)]
    seen = {DEMO_PERSON["so_dinh_danh"]}
    while len(made) < count:
        female = rng.random() < 0.5
        born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 365 * 66))
        century = 0 if born.year < 2000 else 2
        id_number = (
            f"008{century + female}{born.year % 100:02d}{rng.randrange(10**6):06d}"
        )
        if id_number in seen:
            continue
        seen.add(id_number)
        middle = MIDDLE_FEMALE if female else MIDDLE_MALE
        given = GIVEN_FEMALE if female else GIVEN_MALE
        village, commune = rng.choice(PLACES)
        made.append(
            {
                "so_dinh_danh": id_number,
                "ho_va_ten": f"{rng.choice(FAMILY)} {rng.choice(middle)} {rng.choice(given)}",
                "ngay_sinh": born.isoformat(),
                "gioi_tinh": "Nữ" if female else "Nam",
                "dan_toc": rng.choice(ETHNIC),
                "quoc_tich": "Việt Nam",
                "noi_thuong_tru": f"{village}, {commune}, {PROVINCE}",
                "so_dien_thoai": f"09{rng.randrange(10**8):08d}",
            }
        )
    return made


@dataclass
class Faults:
    fail_next: int = 0
    status: int = 503
    delay_ms: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self) -> tuple[int | None, float]:
        """The status to fail this call with (None: answer), and a delay."""
        with self.lock:
            delay = self.delay_ms / 1000
            if self.fail_next > 0:
                self.fail_next -= 1
                return self.status, delay
            return None, delay


class SimulatedPopulation:
    """The simulated register served on ``host:port`` (0: any free port)."""

    def __init__(
        self,
        *,
        api_key: str,
        host: str = "127.0.0.1",
        port: int = 0,
        count: int = 2000,
        seed: int = 2026,
    ) -> None:
        self.api_key = api_key
        self.register = {p["so_dinh_danh"]: p for p in people(count, seed)}
        self.faults = Faults()
        self.calls = 0
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> "SimulatedPopulation":
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="simulated-population", daemon=True
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        if self._thread is not None:  # shutdown() waits for a loop that runs
            self._server.shutdown()
            self._thread = None
        self._server.server_close()

    def verify(self, body: dict[str, Any]) -> dict[str, Any]:
        person = self.register.get(str(body.get("so_dinh_danh", "")).strip())
        if (
            person is None
            or _key(str(body.get("ho_va_ten", ""))) != _key(person["ho_va_ten"])
            or str(body.get("ngay_sinh", "")).strip() != person["ngay_sinh"]
        ):
            return {"ket_qua": "khong_khop"}
        return {"ket_qua": "khop", "cong_dan": person}


def _handler(sim: SimulatedPopulation) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        # Keep-alive, so the adapter's pooled connections are reused.
        protocol_version = "HTTP/1.1"
        server_version = "SimulatedPopulationDB/1"

        def log_message(self, format: str, *args: Any) -> None:
            pass  # quiet: tests and the demo print what matters

        def _answer(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _body(self) -> dict[str, Any] | None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                return None
            return body if isinstance(body, dict) else None

        def do_GET(self) -> None:
            if self.path == "/_sim/health":
                self._answer(
                    200, {"trang_thai": "san_sang", "so_cong_dan": len(sim.register)}
                )
            else:
                self._answer(404, {"loi": "khong_co_duong_dan"})

        def do_POST(self) -> None:
            body = self._body()
            if self.path == FAULTS_PATH:
                with sim.faults.lock:
                    for name in ("fail_next", "status", "delay_ms"):
                        if body and name in body:
                            setattr(sim.faults, name, int(body[name]))
                self._answer(200, {"ok": True})
                return
            if self.path != VERIFY_PATH:
                self._answer(404, {"loi": "khong_co_duong_dan"})
                return
            sim.calls += 1
            status, delay = sim.faults.take()
            if delay:
                time.sleep(delay)
            if status is not None:
                self._answer(status, {"loi": "he_thong_ban"})
                return
            if self.headers.get("X-Api-Key") != sim.api_key:
                self._answer(HTTPStatus.UNAUTHORIZED, {"loi": "sai_khoa_truy_cap"})
                return
            if body is None or not all(
                body.get(k) for k in ("so_dinh_danh", "ho_va_ten", "ngay_sinh")
            ):
                self._answer(HTTPStatus.BAD_REQUEST, {"loi": "thieu_thong_tin"})
                return
            self._answer(200, sim.verify(body))

    return Handler
