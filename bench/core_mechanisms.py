"""Core mechanisms at province scale: search, numbering, audit appends.

    python3 -m uv run python bench/core_mechanisms.py [--rows 200000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench python3 -m uv run python bench/core_mechanisms.py

Uses a throwaway data folder (and, for PostgreSQL, the named database, whose
tables it creates and leaves). Prints figures; asserts nothing.
"""

import argparse
import os
import random
import statistics
import tempfile
import time


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000, help="search entries")
    parser.add_argument("--numbers", type=int, default=2_000, help="numbers to take")
    args = parser.parse_args()

    os.environ.setdefault("TINHSO_DATA_DIR", tempfile.mkdtemp(prefix="tinhso-bench-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tinhso.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from tinhso.core import audit, numbering, search
    from tinhso.core.models import SearchEntry

    call_command("migrate", verbosity=0)
    print(f"database: {connection.vendor}")

    syllables = [
        "quyết",
        "định",
        "kế",
        "hoạch",
        "báo",
        "cáo",
        "công",
        "văn",
        "tờ",
        "trình",
        "thông",
        "báo",
        "ủy",
        "ban",
        "nhân",
        "dân",
        "tỉnh",
        "tuyên",
        "quang",
        "hà",
        "giang",
        "đồng",
        "văn",
        "mèo",
        "vạc",
        "sở",
        "nội",
        "vụ",
        "tài",
        "chính",
        "đảng",
        "ủy",
        "xã",
        "phường",
        "thôn",
        "bản",
        "hướng",
        "dẫn",
        "triển",
        "khai",
        "chuyển",
        "đổi",
        "số",
        "năm",
        "2026",
        "về",
        "việc",
        "phê",
        "duyệt",
    ]
    rng = random.Random(7)
    SearchEntry.objects.filter(scope="bench").delete()
    started = time.perf_counter()
    batch = []
    for i in range(args.rows):
        batch.append((i, " ".join(rng.choices(syllables, k=14))))
        if len(batch) == 5000:
            search.index_many("bench", batch)
            batch = []
    if batch:
        search.index_many("bench", batch)
    elapsed = time.perf_counter() - started
    print(f"index {args.rows} entries: {elapsed:.1f} s ({args.rows / elapsed:,.0f}/s)")

    for query in (
        "quyet dinh",
        "Đảng ủy",
        "tuyen quang ke hoach",
        "chuyen doi so 2026",
    ):
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            hits = list(
                search.matching_ids("bench", query).values_list("object_id", flat=True)[
                    :50
                ]
            )
            times.append(time.perf_counter() - t0)
        count = search.matching_ids("bench", query).count()
        print(
            f"search {query!r}: first 50 of {count:,} in {statistics.median(times) * 1000:.1f} ms (median of 5)"
        )
        assert hits or count == 0

    started = time.perf_counter()
    for _ in range(args.numbers):
        numbering.next_number("bench", 2026)
    elapsed = time.perf_counter() - started
    print(f"take {args.numbers} numbers one by one: {args.numbers / elapsed:,.0f}/s")

    started = time.perf_counter()
    for i in range(args.numbers):
        audit.record(
            "bench.append", object_type="bench", object_id=str(i), detail={"i": i}
        )
    elapsed = time.perf_counter() - started
    print(f"append {args.numbers} audit rows: {args.numbers / elapsed:,.0f}/s")

    started = time.perf_counter()
    problem = audit.verify()
    print(
        f"verify audit chain: {time.perf_counter() - started:.2f} s, intact={problem is None}"
    )


if __name__ == "__main__":
    main()
