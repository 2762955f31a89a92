"""The operations center's dashboard at province scale.

    .venv/bin/python bench/reporting.py [--years 5] [--indicators 100] [--keep]
    .venv/bin/python bench/reporting.py --db-url postgres://postgres@127.0.0.1:5432/bench

Loads the demo province's org tree (124 communes) and 20 agencies, then
writes five years of daily facts for every commune and agency and 100
indicators (90 flows, every day: counts, and ratios with their
denominators; 10 stocks reported at each quarter's end), with their monthly
roll-up, in bulk. Ten indicators are key ones with a target.

It then measures, in this process, the dashboard API (``GET
/api/v1/reporting/dashboard``: the whole Django stack, session auth,
selectors, JSON) for the province this year, a commune, and a past full
year, against its ceiling: hand-written SQL giving the same figures (each
unit's year and each month's total for the key indicators and the ranked
one) over the monthly facts the API reads, fetched into Python. The same
figures read from the daily facts are printed too, as what the monthly
roll-up saves; the ceiling also holds the other reads the dashboard makes
(key indicators, targets, units, alerts), in raw SQL. Median of repeated runs; prints milliseconds and the ratio
to the aims: under 300 ms, within 1.5× of the ceiling. Asserts nothing.
"""

import argparse
import datetime as dt
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
AIM_MS = 300.0
AIM_RATIO = 1.5
KEYS = 10
STOCKS = 10
BATCH = 20_000


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--indicators", type=int, default=100)
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument(
        "--data-dir", default=str(ROOT / "var" / "bench-reporting"), help="data folder"
    )
    parser.add_argument("--db-url", default="", help="default: SQLite in the folder")
    parser.add_argument("--keep", action="store_true", help="reuse the facts")
    parser.add_argument("--runs", type=int, default=15, help="timed runs per figure")
    parser.add_argument("--seed", type=int, default=6)
    return parser.parse_args()


def _catalog(n: int, admin: Any) -> list[Any]:
    from tinhso.reporting.constants import OverTime, Pillar, Rollup, Source
    from tinhso.reporting.models import Indicator

    pillars = list(Pillar.values)
    made = []
    for k in range(n):
        stock = k >= n - STOCKS
        ratio = k % 2 == 0
        made.append(
            Indicator(
                code=f"bench.{k:03d}",
                name=f"Chỉ tiêu thử {k + 1}",
                unit_of_measure="%" if ratio else "lượt",
                pillar=pillars[k % len(pillars)],
                source=Source.REPORTED,
                rollup=Rollup.RATIO if ratio else Rollup.SUM,
                over_time=OverTime.STOCK if stock else OverTime.FLOW,
                key=k < KEYS,
                order=k,
            )
        )
    return Indicator.objects.bulk_create(made)


def _days(years: int, today: dt.date) -> list[dt.date]:
    first = dt.date(today.year - years + 1, 1, 1)
    return [first + dt.timedelta(days=d) for d in range((today - first).days + 1)]


def _rows(
    indicators: list[Any], units: list[int], days: list[dt.date], seed: int
) -> Any:
    """(indicator, day, unit, value, total) in index order."""
    from tinhso.reporting.constants import OverTime, Rollup

    pick = random.Random(seed)
    quarter_ends = {
        d for d in days if (d + dt.timedelta(days=1)).day == 1 and d.month % 3 == 0
    }
    for ind in indicators:
        ratio = ind.rollup == Rollup.RATIO
        chosen = days if ind.over_time == OverTime.FLOW else sorted(quarter_ends)
        for day in chosen:
            for unit in units:
                if ratio:
                    total = pick.randint(5, 60)
                    yield ind.pk, day, unit, pick.randint(0, total), total
                else:
                    yield ind.pk, day, unit, pick.randint(0, 40), None


def _load(args: argparse.Namespace) -> dict[str, Any]:
    from django.db import connection, transaction
    from django.utils import timezone

    from tests import factories

    from tinhso.core import orgtree
    from tinhso.core.models import OrgUnit, OrgUnitKind
    from tinhso.reporting.models import Fact, Indicator, MonthlyFact, Target
    from tinhso.reporting.services import catalog as catalog_services
    from tinhso.reporting.services import facts

    if Indicator.objects.filter(code__startswith="bench.").exists():
        province = OrgUnit.objects.get(kind=OrgUnitKind.PROVINCE, legacy=False)
        return {"province": province, "loaded": 0.0}
    began = time.monotonic()
    province = orgtree.load_province(8, with_legacy=False).province
    for n in range(args.agencies):
        factories.orgunit(
            name=f"Sở thử {n + 1}", parent=province, code=f"000.00.{n + 1:02d}.H08"
        )
    admin = factories.administrator(province, username="quantri-bench")
    indicators = _catalog(args.indicators, admin)
    units = list(
        OrgUnit.objects.filter(
            legacy=False, kind__in=[OrgUnitKind.COMMUNE, OrgUnitKind.AGENCY]
        ).values_list("pk", flat=True)
    )
    today = timezone.localdate()
    days = _days(args.years, today)
    table = Fact._meta.db_table
    written = 0
    rows = _rows(indicators, units, days, args.seed)
    raw = connection.cursor()
    if connection.vendor == "postgresql":
        with (
            raw.connection.cursor() as cur,
            cur.copy(
                f"COPY {table} (indicator_id, day, unit_id, value, total) FROM STDIN"
            ) as copy,
        ):
            for row in rows:
                copy.write_row(row)
                written += 1
                if written % 2_000_000 == 0:
                    print(f"  facts: {written:,}", flush=True)
    else:
        sql = f"INSERT INTO {table} (indicator_id, day, unit_id, value, total) VALUES (?, ?, ?, ?, ?)"  # noqa: S608
        batch: list[Any] = []
        # sqlite3 itself: Django's cursor wrapper reworks every row's
        # parameters, five times slower for millions of rows.
        with transaction.atomic():
            raw_sqlite = connection.connection
            for row in rows:
                batch.append((row[0], row[1].isoformat(), *row[2:]))
                if len(batch) == BATCH:
                    raw_sqlite.executemany(sql, batch)
                    written += len(batch)
                    batch.clear()
                    if written % 2_000_000 < BATCH:
                        print(f"  facts: {written:,}", flush=True)
            raw_sqlite.executemany(sql, batch)
            written += len(batch)
    print(f"  facts: {written:,} in {time.monotonic() - began:.0f} s", flush=True)
    # The monthly roll-up: flows in one statement, stocks as the app rolls them.
    month = (
        "date_trunc('month', day)::date"
        if connection.vendor == "postgresql"
        else "strftime('%Y-%m-01', day)"
    )
    flows = [i.pk for i in indicators if i.over_time == "flow"]
    with connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {MonthlyFact._meta.db_table} (indicator_id, unit_id, month, value, total) "  # noqa: S608
            f"SELECT indicator_id, unit_id, {month}, SUM(value), SUM(total) FROM {table} "
            f"WHERE indicator_id IN ({','.join(map(str, flows))}) "
            f"GROUP BY indicator_id, unit_id, {month}"
        )
    for ind in indicators:
        if ind.over_time == "stock":
            facts.roll_months(ind, days[0], days[-1])
    for ind in indicators[:KEYS]:
        for year in range(days[0].year, today.year + 1):
            catalog_services.set_target(
                admin,
                Target(
                    indicator=ind,
                    unit=province,
                    year=year,
                    value=60 if ind.rollup == "ratio" else 50_000,
                    direction="higher",
                ),
            )
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute(f"ANALYZE {table}; ANALYZE {MonthlyFact._meta.db_table}")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
    return {"province": province, "loaded": time.monotonic() - began}


def _ceiling(
    table: str,
    column: str,
    keys: list[int],
    first: dt.date,
    last: dt.date,
    scope: Any,
) -> int:
    """Every read the dashboard needs, in hand-written SQL with its rows
    fetched: the key indicators and the scope's targets, the units one
    level down and the communes, the open alerts, and the figures (each
    unit's period and each month's total of the key indicators in the
    scope). Returns the rows read."""
    from django.db import connection

    from tinhso.core.models import OrgUnit
    from tinhso.reporting.models import Alert, Indicator, Target

    ids = ",".join(map(str, keys))
    units = OrgUnit._meta.db_table
    month = (
        "f.month"
        if column == "month"
        else (
            "date_trunc('month', f.day)::date"
            if connection.vendor == "postgresql"
            else "strftime('%Y-%m-01', f.day)"
        )
    )
    # The province's subtree is every unit: no prefix test, as the API.
    whole = scope.parent_id is None
    scoped = "" if whole else " AND o.path LIKE %s"
    join = "" if whole else f" JOIN {units} o ON o.id = f.unit_id"
    where = f"f.indicator_id IN ({ids}) AND f.{column} >= %s AND f.{column} <= %s"
    first_key = first.replace(day=1) if column == "month" else first
    last_key = last.replace(day=1) if column == "month" else last
    params: list[Any] = [first_key, last_key] + ([] if whole else [scope.path + "%"])
    reads = [
        (f"SELECT * FROM {Indicator._meta.db_table} WHERE active AND key", []),  # noqa: S608
        (
            f"SELECT * FROM {Target._meta.db_table} WHERE unit_id = %s AND year = %s "  # noqa: S608
            f"AND indicator_id IN ({ids})",
            [scope.pk, first.year],
        ),
        (
            f"SELECT id, code, name, kind, path, depth, parent_id FROM {units} "  # noqa: S608
            "WHERE NOT legacy AND (parent_id = %s OR (kind = 'commune' AND path LIKE %s)) "
            "ORDER BY name_folded",
            [scope.pk, scope.path + "%"],
        ),
        (
            f"SELECT a.* FROM {Alert._meta.db_table} a JOIN {units} o ON o.id = a.unit_id "  # noqa: S608
            "WHERE a.cleared_at IS NULL AND o.path LIKE %s ORDER BY a.raised_at DESC LIMIT 20",
            [scope.path + "%"],
        ),
        (
            f"SELECT f.indicator_id, o.path, SUM(f.value), SUM(f.total) FROM {table} f "  # noqa: S608
            f"JOIN {units} o ON o.id = f.unit_id WHERE {where}{scoped} "
            "GROUP BY f.indicator_id, f.unit_id, o.path",
            params,
        ),
        (
            f"SELECT f.indicator_id, {month}, SUM(f.value), SUM(f.total), COUNT(*) "  # noqa: S608
            f"FROM {table} f{join} WHERE {where}{scoped} GROUP BY f.indicator_id, {month}",
            params,
        ),
    ]
    found = 0
    with connection.cursor() as cur:
        for sql, values in reads:
            cur.execute(sql, values)
            found += len(cur.fetchall())
    return found


def _median_ms(work: Any, runs: int) -> float:
    work()  # warm caches and connections
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        work()
        times.append(time.perf_counter() - began)
    return 1000 * statistics.median(times)


def main() -> None:
    args = _arguments()
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "src"))
    from bench._load import setup_django

    setup_django(args)
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from tests import factories

    from tinhso.accounts.models import Role
    from tinhso.core.models import OrgUnit, OrgUnitKind
    from tinhso.reporting.constants import OverTime
    from tinhso.reporting.models import Fact, Indicator, MonthlyFact

    loaded = _load(args)
    province = loaded["province"]
    print(
        f"{connection.vendor}: {Fact.objects.count():,} daily facts, "
        f"{MonthlyFact.objects.count():,} monthly, "
        f"{Indicator.objects.count()} indicators, "
        f"{OrgUnit.objects.filter(legacy=False, kind__in=['commune', 'agency']).count()} units"
        + (f" (loaded in {loaded['loaded']:.0f} s)" if loaded["loaded"] else " (kept)")
    )
    leader = factories.official(
        unit=province, role=Role.LEADER, username=f"lanhdao-bench-{time.time_ns()}"
    )
    client = Client()
    client.force_login(leader)
    keys = list(
        Indicator.objects.filter(key=True)
        .order_by("order")
        .values_list("pk", flat=True)
    )
    flows = set(
        Indicator.objects.filter(over_time=OverTime.FLOW).values_list("pk", flat=True)
    )
    wanted = [k for k in keys if k in flows]
    commune = (
        OrgUnit.objects.filter(kind=OrgUnitKind.COMMUNE, legacy=False)
        .order_by("code")
        .first()
    )
    assert commune is not None
    today = timezone.localdate()
    cases = [
        ("province, this year", province, today.year, dt.date(today.year, 1, 1), today),
        ("commune, this year", commune, today.year, dt.date(today.year, 1, 1), today),
        (
            "province, last full year",
            province,
            today.year - 1,
            dt.date(today.year - 1, 1, 1),
            dt.date(today.year - 1, 12, 31),
        ),
    ]
    print(
        f"\n  {'dashboard':<26} {'API':>9} {'ceiling':>9} {'ratio':>6} {'daily SQL':>10}"
    )
    for label, scope, year, first, last in cases:
        url = f"/api/v1/reporting/dashboard?year={year}&unit={scope.pk}"
        response = client.get(url)
        assert response.status_code == 200, response.content[:300]
        api = _median_ms(lambda url=url: client.get(url), args.runs)
        ceiling = _median_ms(
            lambda s=scope, f=first, la=last: _ceiling(
                MonthlyFact._meta.db_table, "month", wanted, f, la, s
            ),
            args.runs,
        )
        daily = _median_ms(
            lambda s=scope, f=first, la=last: _ceiling(
                Fact._meta.db_table, "day", wanted, f, la, s
            ),
            max(3, args.runs // 3),
        )
        print(
            f"  {label:<26} {api:>7.1f}ms {ceiling:>7.1f}ms {api / ceiling:>5.2f}× {daily:>8.1f}ms"
        )
    print(
        f"\n  aims: API under {AIM_MS:.0f} ms and within {AIM_RATIO}× of the ceiling "
        "(ceiling: the dashboard's reads in hand-written SQL, figures from the "
        "monthly facts; daily SQL: the same with figures from the daily facts)"
    )


if __name__ == "__main__":
    main()
