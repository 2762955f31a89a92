"""The data-sharing gateway's cost, and open data search at portal scale.

    .venv/bin/python bench/datahub.py [--datasets 300000] [--keep] [--seconds 8]
    .venv/bin/python bench/datahub.py --db-url postgres://postgres@127.0.0.1:5432/bench

Loads the demo province's org tree, publishes the org tree as a data
service and grants it to a client system, generates N open datasets (made
up titles, descriptions and keywords over 20 publishers and the
province's communes) in bulk with their search index, then starts
``tinhso serve`` with one process per core and measures, with keep-alive
HTTP clients in threads of this process (on the same cores):

- a page of 50 communes through the gateway (``GET
  /api/v1/datahub/gateway/{code}`` with an OAuth2 token: credential, grant,
  parameters, the access log's chained row and the day's usage), beside the
  same provider read directly (``GET /api/v1/datahub/providers/orgunits``,
  the data officer's preview: same rows, same JSON, no grant and no log),
  at 1 and 16 users, in turns, three times;
- dataset search through the CKAN API (``package_search``, 10 results with
  their resources) for words with and without diacritics.

Prints requests per second, median and p95, and the ratios to the aims: the
gateway within 1.5× the direct call (median latency at 16 users), dataset
search median under 100 ms. Asserts nothing. The corpus stays in its data
folder with ``--keep`` and is reused.
"""

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 3
AIM_GATEWAY_RATIO = 1.5
AIM_SEARCH_MS = 100.0
BATCH = 5000
PASSWORD = "Mat-khau-2026"  # noqa: S105 - the bench's own throwaway accounts

TOPICS = [
    "Danh sách trường học",
    "Cơ sở khám chữa bệnh",
    "Điểm du lịch cộng đồng",
    "Sản phẩm OCOP",
    "Hợp tác xã nông nghiệp",
    "Dân số trung bình",
    "Diện tích gieo trồng lúa",
    "Sản lượng chè búp tươi",
    "Đàn gia súc",
    "Chất lượng nước sông Lô",
    "Quan trắc không khí",
    "Tuyến xe buýt",
    "Cầu, đường giao thông nông thôn",
    "Chợ nông thôn",
    "Doanh nghiệp đăng ký mới",
    "Hộ nghèo, cận nghèo",
    "Trạm y tế xã",
    "Nhà văn hóa thôn",
    "Di tích lịch sử văn hóa",
    "Lễ hội truyền thống",
    "Điểm truy cập Internet công cộng",
    "Trạm phát sóng di động",
    "Thủ tục hành chính giải quyết đúng hạn",
    "Hồ sơ trực tuyến toàn trình",
    "Kết quả thi tốt nghiệp",
    "Giáo viên và học sinh",
    "Rừng trồng mới",
    "Cháy rừng",
    "Mưa lũ, sạt lở đất",
    "Lao động có việc làm",
]
THEMES = [
    "EDUC",
    "HEAL",
    "ECON",
    "AGRI",
    "ENVI",
    "TRAN",
    "SOCI",
    "GOVE",
    "TECH",
    "REGI",
]
WORDS = [
    "số liệu",
    "thống kê",
    "theo xã",
    "theo tháng",
    "cập nhật",
    "năm học",
    "vùng cao",
    "biên giới",
    "dân tộc thiểu số",
    "chuyển đổi số",
    "nông thôn mới",
    "cao nguyên đá",
]
QUERIES = [
    "trường học",
    "truong hoc",
    "du lịch cộng đồng",
    "du lich cong dong",
    "chè",
    "che bup",
    "sạt lở",
    "sat lo dat",
    "đồng văn",
    "dong van",
    "internet",
    "ocop",
    "hồ sơ trực tuyến",
    "ho so truc tuyen",
]


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--datasets", type=int, default=300_000)
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("TINHSO_DATA_DIR")
        or str(Path(tempfile.gettempdir()) / "tinhso-bench-datahub"),
    )
    parser.add_argument("--db-url", default="", help="default: SQLite in the folder")
    parser.add_argument("--keep", action="store_true", help="reuse the corpus")
    parser.add_argument("--seconds", type=float, default=8.0, help="per measurement")
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--seed", type=int, default=5)
    return parser.parse_args()


class Corpus:
    """The province, a data officer, the service, the client, the datasets."""

    def __init__(self, n: int, seed: int) -> None:
        from tinhso.accounts import services as accounts
        from tinhso.accounts.models import Role, User
        from tinhso.core import orgtree
        from tinhso.core import services as core
        from tinhso.core.models import OrgUnit, OrgUnitKind
        from tinhso.datahub import services
        from tinhso.datahub.models import Client, DataService, Dataset

        if not OrgUnit.objects.filter(kind=OrgUnitKind.PROVINCE).exists():
            orgtree.load_province(8, with_legacy=False)
        province = OrgUnit.objects.get(kind=OrgUnitKind.PROVINCE, legacy=False)
        agencies = list(OrgUnit.objects.filter(kind=OrgUnitKind.AGENCY))
        for i in range(len(agencies), 20):
            agencies.append(
                core.create_orgunit(
                    kind=OrgUnitKind.AGENCY,
                    code=f"000.00.{i + 1:02d}.H58",
                    name=f"Sở thử nghiệm số {i + 1} tỉnh Tuyên Quang",
                    parent=province,
                )
            )
        owner = agencies[0]
        officer = User.objects.filter(username="bench.dulieu").first()
        if officer is None:
            officer = accounts.create_official(
                username="bench.dulieu",
                full_name="Người đo hiệu năng",
                password=PASSWORD,
                org_unit=owner,
            )
            for agency in agencies:
                accounts.assign_role(officer, role=Role.DATA_OFFICER, org_unit=agency)
        self.user_token = accounts.issue_token(officer, "bench")[1]
        service = DataService.objects.filter(code="don-vi").first()
        if service is None:
            service = services.create_service(
                officer,
                code="don-vi",
                name="Đơn vị hành chính",
                owner=owner,
                classification="public",
                source="orgunits",
            )
            services.publish_service(officer, service)
        client = Client.objects.filter(code="bench-client").first()
        if client is None:
            client = services.register_client(
                officer, code="bench-client", name="Hệ thống đo", unit=owner
            )
            services.grant_access(
                officer, client=client, service=service, purpose="Đo hiệu năng"
            )
        self.client_code = client.code
        self.key = services.issue_key(officer, client)[1]
        have = Dataset.objects.count()
        if have < n:
            self._datasets(n - have, have, agencies, seed)
        print(f"  datasets: {Dataset.objects.count():,}")

    def _datasets(self, count: int, start: int, agencies: list[Any], seed: int) -> None:
        from django.db import transaction
        from django.utils import timezone

        from tinhso.core import search
        from tinhso.core.models import OrgUnit, OrgUnitKind
        from tinhso.datahub.constants import DATASET_SCOPE
        from tinhso.datahub.models import Dataset
        from tinhso.datahub.opendata import tag_index

        rng = random.Random(seed + start)
        communes = list(
            OrgUnit.objects.filter(kind=OrgUnitKind.COMMUNE, legacy=False).values_list(
                "name", flat=True
            )
        )
        by_id = {a.pk: a.name for a in agencies}
        began = time.monotonic()
        now = timezone.now()
        made = 0
        while made < count:
            batch = []
            for i in range(min(BATCH, count - made)):
                n = start + made + i
                topic = rng.choice(TOPICS)
                place = rng.choice(communes)
                year = rng.randint(2019, 2026)
                words = rng.sample(WORDS, 3)
                batch.append(
                    Dataset(
                        name=f"bo-du-lieu-{n}",
                        title=f"{topic} {place} năm {year}",
                        description=(
                            f"{topic} của {place}, {', '.join(words)}. "
                            f"Số liệu năm {year} do đơn vị tổng hợp từ báo cáo của các xã."
                        ),
                        publisher_id=rng.choice(agencies).pk,
                        theme=rng.choice(THEMES),
                        keywords=words,
                        tag_index=tag_index(words),
                        frequency="ANNUAL",
                        status="published",
                        published_at=now,
                    )
                )
            with transaction.atomic():
                Dataset.objects.bulk_create(batch)
                saved = Dataset.objects.filter(
                    name__in=[d.name for d in batch]
                ).values_list(
                    "pk", "title", "description", "keywords", "publisher_id", "name"
                )
                search.index_many(
                    DATASET_SCOPE,
                    (
                        (pk, " ".join([t, d, " ".join(k), by_id.get(p, ""), name]))
                        for pk, t, d, k, p, name in saved
                    ),
                )
            made += len(batch)
            rate = made / max(time.monotonic() - began, 1e-9)
            print(
                f"\r  generating datasets: {made:,}/{count:,} ({rate:,.0f}/s)", end=""
            )
        print()


def _token(port: int, client: str, key: str) -> str:
    import http.client

    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    body = urllib.parse.urlencode(
        {"grant_type": "client_credentials", "client_id": client, "client_secret": key}
    )
    connection.request(
        "POST",
        "/api/v1/datahub/oauth/token",
        body=body,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    return str(json.loads(connection.getresponse().read())["access_token"])


def main() -> None:
    args = _arguments()
    # Run as a script, bench/ is on the path but the folder holding it is not.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from bench._load import Load, Server, row, setup_django

    print(
        f"bench/datahub.py: {args.datasets:,} datasets in {args.data_dir}, "
        f"{args.workers} server processes"
    )
    setup_django(args)
    started = time.monotonic()
    corpus = Corpus(args.datasets, args.seed)
    print(f"  corpus ready in {time.monotonic() - started:.0f} s")
    from django.db import connection

    from tinhso.datahub import accesslog

    connection.close()
    server = Server(args.port, args.workers, args.threads)
    query = "?kind=commune&page_size=50"
    try:
        token = _token(args.port, corpus.client_code, corpus.key)
        through = {"Authorization": f"Bearer {token}"}
        direct = {"Authorization": f"Bearer {corpus.user_token}"}

        def gateway(pick: random.Random) -> tuple[str, str, None, dict[str, str]]:
            return "GET", f"/api/v1/datahub/gateway/don-vi{query}", None, through

        def provider(pick: random.Random) -> tuple[str, str, None, dict[str, str]]:
            return "GET", f"/api/v1/datahub/providers/orgunits{query}", None, direct

        print("\nGateway against the provider read directly (50 communes a call):")
        ratios: dict[int, list[float]] = {1: [], 16: []}
        overheads: dict[int, list[float]] = {1: [], 16: []}
        rates: dict[int, list[float]] = {1: [], 16: []}
        for _ in range(ROUNDS):
            for users in (1, 16):
                plain = row(
                    "GET provider, directly",
                    users,
                    Load(args.port, users, args.seconds, provider),
                )
                gated = row(
                    "GET through the gateway",
                    users,
                    Load(args.port, users, args.seconds, gateway),
                )
                ratios[users].append(gated.ms(0.5) / plain.ms(0.5))
                overheads[users].append(gated.ms(0.5) - plain.ms(0.5))
                rates[users].append(gated.rate / plain.rate)

        print("\nDataset search through the CKAN API (10 results with resources):")
        paths = [
            "/api/3/action/package_search?"
            + urllib.parse.urlencode({"q": q, "rows": 10})
            for q in QUERIES
        ]
        counts = {}
        import http.client

        probe = http.client.HTTPConnection("127.0.0.1", args.port, timeout=30)
        for q, path in zip(QUERIES, paths, strict=True):
            probe.request("GET", path)
            counts[q] = json.loads(probe.getresponse().read())["result"]["count"]

        def search(pick: random.Random) -> tuple[str, str, None, dict[str, str]]:
            return "GET", pick.choice(paths), None, {}

        searches = {
            users: row(
                "GET package_search",
                users,
                Load(args.port, users, args.seconds, search),
            )
            for users in (1, 4)
        }
        print("  matches: " + ", ".join(f"{q!r} {n:,}" for q, n in counts.items()))
    finally:
        server.stop()
    problem = accesslog.verify()
    print(
        f"\nAccess log after the run: {'intact' if problem is None else problem.reason}"
    )
    print("\nAgainst the aims:")
    for users in (1, 16):
        ratio = statistics.median(ratios[users])
        print(
            f"  gateway / direct median latency at {users} users: {ratio:.2f} "
            f"(rounds {', '.join(f'{r:.2f}' for r in ratios[users])}; "
            f"{statistics.median(overheads[users]):+.2f} ms a call; throughput "
            f"{statistics.median(rates[users]):.2f} of the direct call's) "
            f"(aim < {AIM_GATEWAY_RATIO}) {'met' if ratio < AIM_GATEWAY_RATIO else 'NOT met'}"
        )
    median = searches[1].ms(0.5)
    print(
        f"  dataset search median, 1 user: {median:.1f} ms, p95 {searches[1].ms(0.95):.1f} ms "
        f"(aim < {AIM_SEARCH_MS:.0f} ms; data.gov averages 6.3 s a search page) "
        f"{'met' if median < AIM_SEARCH_MS else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
