"""Document search at province scale, beside Tantivy and Whoosh; signing rate.

    .venv/bin/python bench/documents.py [--n 1000000] [--keep]
    .venv/bin/python bench/documents.py --n 100000 --db-url postgres://postgres@127.0.0.1:5432/bench

Generates N incoming documents with believable Vietnamese metadata and a
paragraph of body text each, spread over 25 agencies from 2022 to now, and
indexes them as the register's services do. Then it asks 200 varied queries
(common and rare words, with and without diacritics, several words, number
and symbol, people, type-ahead, no match) of:

- our search interface (``documents.selectors.incoming.search_incoming``),
  the first page of 20, newest registered first, plus the total counted up
  to 1,000, both from one walk of keys (``core.pagination.capped_page``), as
  the API returns them;
- the API, ``GET /api/v1/documents/incoming?q=…`` with a bearer token;
- Tantivy (paperless-ngx 3) and Whoosh (paperless-ngx 2) over the very same
  folded text, same rule (every word, the last as a prefix when it has two
  letters or more, dropped when shorter after other words), newest first,
  first 20 plus the exact count;

each as a user who sees one agency and as a province leader who sees all.
Each query runs three times in a row and its median time counts, for every
engine alike; p50 and p95 are then taken over the queries.
Last, signatures per second through ``pki.signing.sign_pdf`` against pyHanko
used directly with the key loaded once (as bench/signing.py does).

The corpus lives in a data folder of its own (``--data-dir``, by default
TINHSO_DATA_DIR or <tmp>/tinhso-bench-documents) and, with ``--keep``, is
reused by the next run, as are the peers' indexes. Without ``--keep`` an
earlier bench corpus there is removed first. Whoosh builds at ~100-500
documents a second here (hours for a million): ``--no-whoosh`` skips it.
Prints figures; asserts nothing.
"""

import argparse
import datetime as dt
import json
import os
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
PAGE = 20
PASSWORD = "Mat-khau-2026"  # noqa: S105 - the bench's own throwaway accounts
API_PATH = "/api/v1/documents/incoming"
AIM_API_P95_MS = 50.0
REPEAT = 3  # runs of each query, of which the median is kept
AIM_SIGNING_SHARE = 0.9
PHONE = re.compile(r"\b0\d{9}\b")


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="documents")
    parser.add_argument(
        "--data-dir",
        default=os.environ.get("TINHSO_DATA_DIR")
        or str(Path(tempfile.gettempdir()) / "tinhso-bench-documents"),
        help="the bench's own data folder (database, peers' indexes)",
    )
    parser.add_argument(
        "--db-url",
        default=os.environ.get("DATABASE_URL", ""),
        help="database; default DATABASE_URL, else SQLite in the data folder",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="reuse a corpus of the same size generated earlier in the data folder",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--signatures", type=int, default=30)
    parser.add_argument("--no-whoosh", action="store_true", help="skip Whoosh")
    parser.add_argument("--no-signing", action="store_true", help="skip signing")
    return parser.parse_args()


# -- figures --------------------------------------------------------------


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = share * (len(ordered) - 1)
    low = int(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


class Timings:
    """Latencies in milliseconds, one per query, with what was found."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.ms: list[float] = []
        self.counts: list[int] = []

    @property
    def p50(self) -> float:
        return _percentile(self.ms, 0.5)

    @property
    def p95(self) -> float:
        return _percentile(self.ms, 0.95)

    def line(self) -> str:
        if not self.ms:
            return f"{self.label:<48} {'not measured':>8}"
        return (
            f"{self.label:<48} {self.p50:8.1f} {self.p95:8.1f} {max(self.ms):8.1f} "
            f"{statistics.fmean(self.ms):8.1f}"
        )


def _print_table(rows: list[Timings], title: str) -> None:
    print(f"\n{title}")
    print(f"{'':<48} {'p50':>8} {'p95':>8} {'max':>8} {'mean':>8}  (ms)")
    for row in rows:
        print(row.line())


def _mb(size: int) -> str:
    return f"{size / 1_000_000:,.0f} MB"


# -- setting up -----------------------------------------------------------


def _marker(data_dir: Path, db_url: str) -> Path:
    name = "sqlite" if not db_url or db_url.startswith("sqlite") else "pg"
    database = db_url.rsplit("/", 1)[-1] if name == "pg" else "default"
    return data_dir / f"bench-documents-{name}-{database}.json"


def _wipe_sqlite(data_dir: Path, db_url: str, marker: Path) -> None:
    """Without --keep, drop an earlier bench's own SQLite file: far faster
    than deleting a million rows through the search index's triggers."""
    if db_url or not marker.exists():
        return
    for suffix in ("", "-wal", "-shm"):
        (data_dir / f"tinhso.sqlite3{suffix}").unlink(missing_ok=True)
    marker.unlink()


def _setup_django(args: argparse.Namespace) -> None:
    data_dir = Path(args.data_dir).expanduser().resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["TINHSO_DATA_DIR"] = str(data_dir)
    if args.db_url:
        os.environ["DATABASE_URL"] = args.db_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    os.environ.setdefault("TINHSO_TASKS", "immediate")
    os.environ.setdefault("TINHSO_LOG_LEVEL", "WARNING")
    if not args.keep:
        _wipe_sqlite(data_dir, args.db_url, _marker(data_dir, args.db_url))
    import django

    django.setup()


# Receiving agencies: the province's departments and some communes, with how
# much each receives (the People's Committee office receives most).
AGENCY_NAMES = [
    ("Văn phòng Ủy ban nhân dân tỉnh Tuyên Quang", 3.0),
    ("Sở Nội vụ tỉnh Tuyên Quang", 1.2),
    ("Sở Tài chính tỉnh Tuyên Quang", 1.5),
    ("Sở Tư pháp tỉnh Tuyên Quang", 0.8),
    ("Sở Xây dựng tỉnh Tuyên Quang", 1.0),
    ("Sở Nông nghiệp và Môi trường tỉnh Tuyên Quang", 1.2),
    ("Sở Khoa học và Công nghệ tỉnh Tuyên Quang", 0.8),
    ("Sở Y tế tỉnh Tuyên Quang", 1.0),
    ("Sở Giáo dục và Đào tạo tỉnh Tuyên Quang", 1.0),
    ("Sở Văn hóa, Thể thao và Du lịch tỉnh Tuyên Quang", 0.8),
    ("Sở Công Thương tỉnh Tuyên Quang", 0.8),
    ("Thanh tra tỉnh Tuyên Quang", 0.5),
    ("Trung tâm Phục vụ hành chính công tỉnh Tuyên Quang", 0.5),
]
COMMUNES = 12
COMMUNE_WEIGHT = 0.4


class Setting:
    """The org tree, accounts and tokens the bench works with."""

    def __init__(self) -> None:
        from vietnam_provinces import Province, ProvinceCode, Ward

        from bench._corpus import PROVINCE_CODE
        from tinhso.accounts import services as accounts
        from tinhso.accounts.models import Role, User
        from tinhso.core import services as core
        from tinhso.core.models import OrgUnit, OrgUnitKind, StoredFile

        def unit(kind: str, code: str, name: str, parent: Any) -> OrgUnit:
            found = OrgUnit.objects.filter(kind=kind, code=code, legacy=False).first()
            return found or core.create_orgunit(
                kind=kind, code=code, name=name, parent=parent, audited=False
            )

        self.province = unit(
            OrgUnitKind.PROVINCE, f"{PROVINCE_CODE:02d}", "Tỉnh Tuyên Quang", None
        )
        self.agencies: list[OrgUnit] = []
        self.weights: list[float] = []
        for number, (name, weight) in enumerate(AGENCY_NAMES, start=1):
            code = f"000.{number:02d}.58.H58"
            self.agencies.append(unit(OrgUnitKind.AGENCY, code, name, self.province))
            self.weights.append(weight)
        wards = sorted(
            Ward.iter_by_province(Province.from_code(ProvinceCode(PROVINCE_CODE)).code),
            key=lambda w: w.code.value,
        )
        for ward in wards[:COMMUNES]:
            code = f"{ward.code.value:05d}"
            self.agencies.append(
                unit(OrgUnitKind.COMMUNE, code, ward.name, self.province)
            )
            self.weights.append(COMMUNE_WEIGHT)
        self.office = self.agencies[0]

        def official(username: str, full_name: str, role: str, at: Any) -> User:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = accounts.create_official(
                    username=username,
                    full_name=full_name,
                    password=PASSWORD,
                    org_unit=at,
                )
                accounts.assign_role(
                    user,
                    role=role,
                    org_unit=at,
                    include_subtree=at.kind == OrgUnitKind.PROVINCE,
                )
            return user

        self.clerk = official(
            "bench-vanthu", "Nguyễn Thị Thu Hà", Role.CLERK, self.office
        )
        self.agency_user = official(
            "bench-chuyenvien", "Trần Văn Minh", Role.SPECIALIST, self.office
        )
        self.leader = official(
            "bench-lanhdao", "Hoàng Văn Thắng", Role.LEADER, self.province
        )
        self.tokens = {
            user.pk: accounts.issue_token(user, "bench documents", days=1)[1]
            for user in (self.agency_user, self.leader)
        }
        # One shared dummy file row for every generated document: main_file is
        # required, and the bench measures search, not file storage.
        self.dummy_file, _ = StoredFile.objects.get_or_create(
            storage_name="bench/documents/dummy.pdf",
            defaults={
                "name": "van-ban.pdf",
                "size": 1,
                "sha256": "0" * 64,
                "content_type": "application/pdf",
            },
        )


# -- the corpus -----------------------------------------------------------

BATCH = 5_000


def _remove_corpus(setting: Setting) -> None:
    from django.db import connection, transaction

    from tinhso.core.models import SearchEntry
    from tinhso.documents.constants import INCOMING_SCOPE
    from tinhso.documents.models import IncomingDocument
    from tinhso.documents.selectors.incoming import INCOMING_ISSUER_SCOPE

    agencies = [a.pk for a in setting.agencies]
    if not IncomingDocument.objects.filter(agency__in=agencies).exists():
        return
    print("removing the earlier bench corpus (use --keep to reuse it) …", flush=True)
    table = IncomingDocument._meta.db_table
    marks = ", ".join(["%s"] * len(agencies))
    with transaction.atomic(), connection.cursor() as cursor:
        # Plain deletes: the bench's rows have no attachments, handling or
        # exchange rows, and the ORM would load a million objects to cascade.
        for scope in (INCOMING_SCOPE, INCOMING_ISSUER_SCOPE):
            cursor.execute(
                f"DELETE FROM {SearchEntry._meta.db_table} WHERE scope = %s "  # noqa: S608
                f"AND object_id IN (SELECT CAST(id AS TEXT) FROM {table} "
                f"WHERE agency_id IN ({marks}))",
                [scope, *agencies],
            )
        cursor.execute(
            f"DELETE FROM {table} WHERE agency_id IN ({marks})",  # noqa: S608
            agencies,
        )


def _generate(setting: Setting, n: int, seed: int) -> dict[str, float]:
    from django.conf import settings
    from django.db import transaction
    from django.utils import timezone

    from bench._corpus import Generator
    from tinhso.core import search
    from tinhso.documents.constants import INCOMING_SCOPE
    from tinhso.documents.models import IncomingDocument
    from tinhso.documents.selectors.incoming import INCOMING_ISSUER_SCOPE
    from tinhso.documents.services.incoming import indexed_text

    zone = ZoneInfo(settings.TIME_ZONE)
    start = dt.datetime(2022, 1, 3, 7, 30, tzinfo=zone)
    end = timezone.now().astimezone(zone) - dt.timedelta(hours=1)
    generator = Generator(seed, setting.weights, start, end, n)
    counters: dict[tuple[int, int], int] = {}
    spent = {"make": 0.0, "insert": 0.0, "index": 0.0}
    started = last_print = time.perf_counter()
    print(f"generating {n:,} documents …", flush=True)
    for first in range(0, n, BATCH):
        t0 = time.perf_counter()
        documents = [generator.document(i) for i in range(first, min(n, first + BATCH))]
        rows = []
        texts = []
        for doc in documents:
            agency = setting.agencies[doc.agency_index]
            year = doc.received_at.astimezone(zone).year
            key = (agency.pk, year)
            counters[key] = counters.get(key, 0) + 1
            rows.append(
                IncomingDocument(
                    agency=agency,
                    year=year,
                    incoming_number=counters[key],
                    received_at=doc.received_at,
                    number_symbol=doc.number_symbol,
                    issued_date=doc.issued_date,
                    issuer_name=doc.issuer_name,
                    doc_type=doc.doc_type,
                    subject=doc.subject,
                    signer_name=doc.signer_name,
                    urgency=doc.urgency,
                    secrecy=doc.secrecy,
                    page_count=doc.page_count,
                    main_file=setting.dummy_file,
                    registered_by=setting.clerk,
                    signature_summary="Tệp không có chữ ký số.",
                )
            )
            # What services.incoming.register_incoming indexes.
            texts.append(
                indexed_text(
                    number_symbol=doc.number_symbol,
                    doc_type=doc.doc_type,
                    subject=doc.subject,
                    issuer_name=doc.issuer_name,
                    signer_name=doc.signer_name,
                    pdf_text=doc.body,
                )
            )
        t1 = time.perf_counter()
        with transaction.atomic():
            IncomingDocument.objects.bulk_create(rows, batch_size=1_000)
            t2 = time.perf_counter()
            search.index_many(
                INCOMING_SCOPE,
                [
                    (row.pk, text, row.agency_id)
                    for row, text in zip(rows, texts, strict=True)
                ],
            )
            search.index_many(
                INCOMING_ISSUER_SCOPE, [(row.pk, row.issuer_name) for row in rows]
            )
        t3 = time.perf_counter()
        spent["make"] += t1 - t0
        spent["insert"] += t2 - t1
        spent["index"] += t3 - t2
        done = first + len(rows)
        if t3 - last_print > 10 or done == n:
            last_print = t3
            elapsed = t3 - started
            print(
                f"  {done:,}/{n:,} documents, {done / elapsed:,.0f} rows/s "
                f"(make {spent['make']:.0f} s, insert {spent['insert']:.0f} s, "
                f"index {spent['index']:.0f} s)",
                flush=True,
            )
    spent["total"] = time.perf_counter() - started
    return spent


def _analyze() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # What autovacuum does shortly after a bulk load in production.
            cursor.execute("ANALYZE")
        else:
            cursor.execute("PRAGMA optimize")


def _our_index_size() -> dict[str, int]:
    from django.db import connection

    sizes: dict[str, int] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("core_searchentry", "documents_incomingdocument"):
                cursor.execute("SELECT pg_total_relation_size(%s)", [table])
                sizes[table] = int(cursor.fetchone()[0])
            cursor.execute("SELECT pg_relation_size('core_searchentry_tsv_gin')")
            sizes["GIN index core_searchentry_tsv_gin"] = int(cursor.fetchone()[0])
            return sizes
        try:
            cursor.execute(
                "SELECT name, SUM(pgsize) FROM dbstat GROUP BY name "
                "HAVING name LIKE 'core_search%' OR name LIKE 'documents_incoming%' "
                "OR name LIKE 'sqlite_autoindex_core_search%' "
                "OR name LIKE 'search_documents_incoming%'"
            )
            for name, size in cursor.fetchall():
                sizes[name] = int(size)
        except Exception:  # dbstat is a compile-time option of SQLite
            path = Path(str(connection.settings_dict["NAME"]))
            sizes["whole database file"] = path.stat().st_size
    return sizes


def _peer_rows() -> Iterator[tuple[int, int, int, str]]:
    from tinhso.core.models import SearchEntry
    from tinhso.documents.constants import INCOMING_SCOPE
    from tinhso.documents.models import IncomingDocument

    facts = {
        pk: (agency, int(received.timestamp()))
        for pk, agency, received in IncomingDocument.objects.values_list(
            "pk", "agency_id", "received_at"
        ).iterator(chunk_size=20_000)
    }
    entries = (
        SearchEntry.objects.filter(scope=INCOMING_SCOPE)
        .values_list("object_id", "text")
        .iterator(chunk_size=20_000)
    )
    for object_id, text in entries:
        pk = int(object_id)
        if pk in facts:
            agency, received = facts[pk]
            yield pk, agency, received, text


# -- queries and measurements ----------------------------------------------


def _queries(setting: Setting, seed: int, count: int, n: int) -> list[Any]:
    from django.conf import settings
    from django.utils import timezone

    from bench._corpus import Generator, queries
    from tinhso.core.models import SearchEntry
    from tinhso.documents.constants import INCOMING_SCOPE
    from tinhso.documents.models import IncomingDocument

    zone = ZoneInfo(settings.TIME_ZONE)
    generator = Generator(
        seed,
        setting.weights,
        dt.datetime(2022, 1, 3, tzinfo=zone),
        timezone.now(),
        n,
    )
    documents = IncomingDocument.objects.filter(agency__in=setting.agencies)
    ids = list(documents.order_by("pk").values_list("pk", flat=True)[:1])
    last = documents.order_by("-pk").values_list("pk", flat=True).first()
    rng = random.Random(seed)
    picks = [rng.randint(ids[0], last) for _ in range(60)] if ids and last else []
    sampled = list(
        documents.filter(pk__in=picks).values_list("number_symbol", "signer_name")
    )
    rng.shuffle(sampled)
    number_symbols = [s for s, _ in sampled][:25]
    people = list(dict.fromkeys(p for _, p in sampled))[:10]
    # Rare words: phone numbers in the body text, each in one or a few.
    texts = SearchEntry.objects.filter(
        scope=INCOMING_SCOPE, object_id__in=[str(pk) for pk in sorted(set(picks))]
    ).values_list("text", flat=True)
    rare = sorted({m for text in texts for m in PHONE.findall(text)})
    rng.shuffle(rare)
    return queries(seed, generator, number_symbols, people, rare, count)


def _measure(
    label: str,
    queries: list[Any],
    run: Callable[[str], tuple[list[int], int]],
    *,
    warm: int = 10,
    repeat: int = REPEAT,
) -> Timings:
    timings = Timings(label)
    for query in queries[:warm]:
        run(query.text)
    for query in queries:
        # The median of a few runs: on a shared machine one run of a query
        # may meet another process's burst, which is noise, not latency.
        spent = []
        for _ in range(repeat):
            t0 = time.perf_counter()
            _, count = run(query.text)
            spent.append((time.perf_counter() - t0) * 1000)
        timings.ms.append(statistics.median(spent))
        timings.counts.append(count)
    return timings


def _ours(user: Any) -> Callable[[str], tuple[list[int], int]]:
    from tinhso.core.pagination import capped_page
    from tinhso.documents.selectors.incoming import search_incoming

    def run(query: str) -> tuple[list[int], int]:
        page, count, _capped = capped_page(search_incoming(user, query), 0, PAGE)
        return [d.pk for d in page], count

    return run


def _api(token: str) -> Callable[[str], tuple[list[int], int]] | None:
    from django.test import Client

    client = Client()
    headers = {"authorization": f"Bearer {token}"}

    def run(query: str) -> tuple[list[int], int]:
        params: dict[str, str | int] = {"q": query, "page_size": PAGE}
        response = client.get(API_PATH, params, headers=headers)
        if response.status_code != 200:
            raise RuntimeError(f"{API_PATH}?q={query!r}: {response.status_code}")
        body = response.json()
        return [item["id"] for item in body["items"]], int(body["count"])

    probe_params: dict[str, str | int] = {"q": "quyết định", "page_size": PAGE}
    probe = client.get(API_PATH, probe_params, headers=headers)
    if probe.status_code != 200 or "count" not in _json(probe):
        print(f"API: not available ({API_PATH} answered {probe.status_code})")
        return None
    return run


def _json(response: Any) -> dict[str, Any]:
    if "json" not in response.get("Content-Type", ""):
        return {}
    body: dict[str, Any] = response.json()
    return body


def _peer(engine: Any, agency: int | None) -> Callable[[str], tuple[list[int], int]]:
    from tinhso.core.text import words
    from tinhso.documents.selectors.incoming import search_query

    def run(query: str) -> tuple[list[int], int]:
        # The query as our search reads it: symbols as one word, then folded.
        terms = words(search_query(query))
        if not terms:
            return [], 0
        result: tuple[list[int], int] = engine.search(terms, agency)
        return result

    return run


def _by_kind(queries: list[Any], timings: Timings) -> None:
    kinds: dict[str, list[float]] = {}
    for query, ms in zip(queries, timings.ms, strict=True):
        kinds.setdefault(query.kind, []).append(ms)
    print(f"\n{timings.label}, by kind of query")
    for kind, values in sorted(kinds.items()):
        print(
            f"  {kind:<32} {len(values):3} queries  p50 {_percentile(values, 0.5):8.1f}"
            f"  p95 {_percentile(values, 0.95):8.1f}  max {max(values):8.1f} ms"
        )


def _slowest(queries: list[Any], timings: Timings, k: int = 5) -> list[Any]:
    ranked = sorted(
        zip(timings.ms, timings.counts, queries, strict=True),
        key=lambda t: t[0],
        reverse=True,
    )[:k]
    print(f"\n{timings.label}, slowest queries")
    for ms, count, query in ranked:
        print(f"  {ms:8.1f} ms  {count:>9,} hits  {query.text!r} ({query.kind})")
    return [query for _, _, query in ranked]


def _plan(sql: str, params: Any) -> str:
    from django.db import connection

    prefix = (
        "EXPLAIN (ANALYZE, BUFFERS)"
        if connection.vendor == "postgresql"
        else "EXPLAIN QUERY PLAN"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"{prefix} {sql}", params)
        return "\n".join(" | ".join(str(c) for c in row) for row in cursor.fetchall())


def _explain(user: Any, query: str) -> None:
    from tinhso.core.pagination import MAX_COUNT
    from tinhso.documents.selectors.incoming import search_incoming

    # What capped_page asks: the keys of up to MAX_COUNT + 1 matches in
    # register order (the page's rows are then read by key).
    documents = search_incoming(user, query)
    walk = documents.values_list("pk", flat=True)[: MAX_COUNT + 1]
    sql, params = walk.query.sql_with_params()
    print(f"\nwalk of keys for {query!r}:\n  {sql % tuple(repr(p) for p in params)}")
    print("  " + _plan(sql, params).replace("\n", "\n  "))


def _mismatches(queries: list[Any], ours: Timings, peer: Timings, label: str) -> None:
    from tinhso.core.pagination import MAX_COUNT

    # Ours counts no further than MAX_COUNT, as the API does; the peers count all.
    wrong = [
        (q.text, a, b)
        for q, a, b in zip(queries, ours.counts, peer.counts, strict=True)
        if a != min(b, MAX_COUNT)
    ]
    print(f"  {label}: {len(queries) - len(wrong)}/{len(queries)} queries same count")
    for text, a, b in wrong[:5]:
        print(f"    {text!r}: ours {a:,}, peer {b:,}")


# -- signing --------------------------------------------------------------


def _signing(n: int) -> tuple[float, float] | None:
    # bench/signing.py sets Django up on import: harmless here, already done.
    from bench.signing import compare
    from tinhso.accounts.models import User
    from tinhso.pki import selectors, services

    services.create_demo_root()
    user = User.objects.get(username="bench-lanhdao")
    certificate = selectors.certificate_of(user) or services.issue_demo_certificate(
        user
    )
    print("\nsigning, one-page PDF, demo key loaded once")
    ours, direct, _signed = compare(certificate, n)
    return ours, direct


# -- main -----------------------------------------------------------------


def main() -> None:
    args = _arguments()
    _setup_django(args)
    # Run as a script, bench/ is on the path but the folder holding it is not.
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))

    from django.core.management import call_command
    from django.db import connection

    from bench._peers import Tantivy, Whoosh, folder_size
    from tinhso.core import search
    from tinhso.documents.models import IncomingDocument

    call_command("migrate", verbosity=0)
    data_dir = Path(os.environ["TINHSO_DATA_DIR"])
    marker = _marker(data_dir, args.db_url)
    print(
        f"database: {connection.vendor} ({connection.settings_dict['NAME']}), "
        f"data folder {data_dir}, load average {os.getloadavg()[0]:.2f}"
    )
    setting = Setting()
    documents = IncomingDocument.objects.filter(agency__in=setting.agencies)
    facts: dict[str, Any] = {}
    if args.keep and marker.exists():
        facts = json.loads(marker.read_text())
    if (
        facts.get("n") == args.n
        and facts.get("seed") == args.seed
        and documents.count() == args.n
    ):
        print(f"reusing the corpus of {args.n:,} documents (--keep)")
    else:
        marker.unlink(missing_ok=True)
        _remove_corpus(setting)
        spent = _generate(setting, args.n, args.seed)
        _analyze()
        # As a deployment does nightly (README: tinhso search optimize).
        t0 = time.perf_counter()
        search.optimize()
        spent["optimize"] = time.perf_counter() - t0
        facts = {"n": args.n, "seed": args.seed, "generation": spent}
        marker.write_text(json.dumps(facts))
    spent = facts["generation"]
    print(
        f"corpus: {args.n:,} documents generated in {spent['total']:.0f} s "
        f"({args.n / spent['total']:,.0f} rows/s; rows {spent['insert']:.0f} s, "
        f"search index (index_many) {spent['index']:.0f} s, then "
        f"tinhso search optimize {spent.get('optimize', 0):.0f} s)"
    )
    for name, size in sorted(_our_index_size().items()):
        print(f"  ours: {name}: {_mb(size)}")

    peers_dir = marker.with_suffix("")
    engines: list[Any] = [Tantivy(peers_dir / "tantivy")]
    if not args.no_whoosh:
        engines.append(Whoosh(peers_dir / "whoosh"))
    for engine in engines:
        key = f"{engine.name.lower()}_build"
        if not (args.keep and engine.exists() and key in facts):
            print(f"building the {engine.name} index …", flush=True)
            t0 = time.perf_counter()
            engine.build(_peer_rows(), args.n)
            facts[key] = time.perf_counter() - t0
            marker.write_text(json.dumps(facts))
        engine.open()
        print(
            f"{engine.name}: built in {facts[key]:.0f} s "
            f"({args.n / facts[key]:,.0f} docs/s), "
            f"index {_mb(folder_size(engine.path))}"
        )

    queries = _queries(setting, args.seed, args.queries, args.n)
    agency = setting.office.pk
    visible = documents.filter(agency=agency).count()
    print(
        f"\n{len(queries)} queries; one-agency user sees {visible:,} documents, "
        f"province leader {args.n:,}"
    )

    results: dict[str, Timings] = {}
    for who, user in (("one agency", setting.agency_user), ("leader", setting.leader)):
        results[f"ours {who}"] = _measure(
            f"ours: search_incoming, {who}", queries, _ours(user)
        )
        api = _api(setting.tokens[user.pk])
        if api is not None:
            results[f"api {who}"] = _measure(f"API GET {API_PATH}, {who}", queries, api)
        for engine in engines:
            results[f"{engine.name} {who}"] = _measure(
                f"{engine.name}, {who}",
                queries,
                _peer(engine, agency if who == "one agency" else None),
            )

    _print_table(
        list(results.values()),
        f"search latency over {len(queries)} queries (median of {REPEAT} runs "
        f"each), {args.n:,} documents, {connection.vendor}: first {PAGE} in "
        "register order + total count",
    )
    print("\nsame hits as ours (counts compared per query):")
    for who in ("one agency", "leader"):
        for engine in engines:
            _mismatches(
                queries,
                results[f"ours {who}"],
                results[f"{engine.name} {who}"],
                f"{engine.name}, {who}",
            )

    print("\nratios of p95 (below 1 is faster than the peer):")
    for who in ("one agency", "leader"):
        for ours_key in (f"ours {who}", f"api {who}"):
            if ours_key not in results:
                continue
            for engine in engines:
                peer = results[f"{engine.name} {who}"]
                mine = results[ours_key]
                print(
                    f"  {mine.label} / {engine.name}: p50 {mine.p50 / peer.p50:6.1f}×,"
                    f" p95 {mine.p95 / peer.p95:6.1f}×"
                )
    for who in ("one agency", "leader"):
        _by_kind(queries, results[f"ours {who}"])
    slow = _slowest(queries, results["ours leader"])
    _slowest(queries, results["ours one agency"])
    if slow:
        _explain(setting.leader, slow[0].text)

    signing_rates = None
    if not args.no_signing:
        try:
            signing_rates = _signing(args.signatures)
        except Exception as exc:  # a bench reports and goes on to the aims
            print(f"\nsigning: failed ({type(exc).__name__}: {exc})")

    print("\naims:")
    for who in ("one agency", "leader"):
        api_result = results.get(f"api {who}")
        tantivy = results[f"Tantivy {who}"]
        if api_result is None:
            print(f"  API, {who}: not available; selector p95 stands in:")
            api_result = results[f"ours {who}"]
        print(
            f"  {api_result.label}: p95 {api_result.p95:.1f} ms "
            f"(aim < {AIM_API_P95_MS:.0f}: {'met' if api_result.p95 < AIM_API_P95_MS else 'MISSED'}); "
            f"Tantivy p95 {tantivy.p95:.1f} ms "
            f"(aim no slower: {'met' if api_result.p95 <= tantivy.p95 else 'MISSED'})"
        )
    if signing_rates is not None:
        a, b = signing_rates
        print(
            f"  signing: {a:.1f}/s vs pyHanko {b:.1f}/s = {a / b:.2f} "
            f"(aim ≥ {AIM_SIGNING_SHARE}: {'met' if a / b >= AIM_SIGNING_SHARE else 'MISSED'})"
        )
    print(f"load average at the end {os.getloadavg()[0]:.2f} (2 cores, shared)")


if __name__ == "__main__":
    main()
