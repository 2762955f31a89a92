"""Vietnamese folding and full-text search over the org tree, alike on both databases."""

import io
import unicodedata

import pytest

from tinhso.core import search, selectors
from tinhso.core import services as core
from tinhso.core.models import OrgUnit, OrgUnitKind, SearchEntry
from tinhso.core.text import fold, nfc, words


def test_fold_lowers_strips_marks_and_d_stroke() -> None:
    """fold("Quyết định của ĐẢNG ủy") is "quyet dinh cua dang uy"."""
    assert fold("Quyết định của ĐẢNG ủy") == "quyet dinh cua dang uy"
    assert fold("  Ủy   ban\tnhân dân ") == "uy ban nhan dan"
    assert fold("Đặng Thị Hường; đường Đội Cấn") == "dang thi huong; duong doi can"


def test_decomposed_input_folds_like_precomposed() -> None:
    """Text typed or pasted in NFD (combining marks) folds the same as NFC."""
    text = "Quyết định của ĐẢNG ủy xã Hà Giang"
    decomposed = unicodedata.normalize("NFD", text)
    assert decomposed != text
    assert fold(decomposed) == fold(text) == "quyet dinh cua dang uy xa ha giang"
    assert nfc(decomposed) == text


def test_look_alikes_of_d_stroke_fold_to_d() -> None:
    """Ð (eth) and Ɖ, which look like Đ in old converted text, fold to d as well."""
    assert fold("\u00d0ảng ủy") == "dang uy"
    assert fold("\u0189ội \u00f0ồng") == "doi dong"
    assert words("\u00d0ảng ủy") == ["dang", "uy"]


def test_words_are_the_folded_letters_and_digits() -> None:
    """Punctuation separates words: an agency code splits into its parts."""
    assert words("Số 123/QĐ-UBND, ngày 02/9") == [
        "so",
        "123",
        "qd",
        "ubnd",
        "ngay",
        "02",
        "9",
    ]
    assert words("000.00.31.H56") == ["000", "00", "31", "h56"]
    assert words("!!! ...") == []


NAMES = {
    "province": "Tỉnh Hà Giang",
    "party": "Đảng ủy các cơ quan tỉnh",
    "decisions": "Tổ Quyết định giao đất",
    "finance": "Sở Tài chính",
    "justice": "Sở Tư pháp",
    "post": "Bưu điện tỉnh",
    "party_school": "Trường Chính trị tỉnh (Đảng bộ)",
}
CODES = {
    "province": "02",
    "party": "000.00.31.H56",
    "decisions": "123/QĐ-UBND",
    "finance": "000.00.05.H56",
    "justice": "000.00.06.H56",
    "post": "BD-HG.01",
    "party_school": "000.00.40.H56",
}


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    province = core.create_orgunit(
        kind=OrgUnitKind.PROVINCE, code=CODES["province"], name=NAMES["province"]
    )
    units = {"province": province}
    for key, name in NAMES.items():
        if key != "province":
            units[key] = core.create_orgunit(
                kind=OrgUnitKind.AGENCY, code=CODES[key], name=name, parent=province
            )
    return units


def found(query: str) -> set[str]:
    return {unit.name for unit in selectors.search_orgunits(query)}


@pytest.mark.django_db
def test_query_without_diacritics_finds_vietnamese_names(
    tree: dict[str, OrgUnit],
) -> None:
    """ "quyet dinh" finds "Quyết định…" and "dang" finds both "Đảng…" units."""
    assert found("quyet dinh") == {NAMES["decisions"]}
    assert found("dang") == {NAMES["party"], NAMES["party_school"]}
    assert found("dang uy") == {NAMES["party"]}
    # Typed with the look-alike Ð (U+00D0) instead of Đ.
    assert found("\u00d0ảng") == found("dang")


@pytest.mark.django_db
def test_query_with_diacritics_finds_the_same_rows(tree: dict[str, OrgUnit]) -> None:
    """Typing with marks, without, in capitals or in NFD gives the same results."""
    pairs = [
        ("Quyết định", "quyet dinh"),
        ("Đảng", "dang"),
        ("ĐẢNG ỦY", "dang uy"),
        ("Sở Tư pháp", "so tu phap"),
        ("Bưu điện", "buu dien"),
        (unicodedata.normalize("NFD", "Hà Giang"), "ha giang"),
    ]
    for marked, bare in pairs:
        assert found(marked) == found(bare), marked
        assert found(marked), marked


@pytest.mark.django_db
def test_unfinished_last_word_is_a_prefix(tree: dict[str, OrgUnit]) -> None:
    """Type-ahead: "ha gi" finds "Tỉnh Hà Giang"; "tai ch" finds "Sở Tài chính"."""
    assert found("ha gi") == {NAMES["province"]}
    assert found("tai ch") == {NAMES["finance"]}
    assert found("xyz") == set()
    assert found("   ") == set()


@pytest.mark.django_db
def test_units_are_found_by_their_code(tree: dict[str, OrgUnit]) -> None:
    """An agency code, typed whole or in part, finds the unit on both databases."""
    assert found("000.00.31.H56") == {NAMES["party"]}
    assert found("31") == {NAMES["party"]}
    assert found("h56") == {
        NAMES["party"],
        NAMES["finance"],
        NAMES["justice"],
        NAMES["party_school"],
    }
    assert found("qd ubnd") == {NAMES["decisions"]}
    assert found("BD-HG.01") == {NAMES["post"]}
    assert found("hg") == {NAMES["post"]}


@pytest.mark.django_db
def test_database_search_agrees_with_the_in_memory_rule(
    tree: dict[str, OrgUnit],
) -> None:
    """For many queries the index returns exactly the units text_matches accepts.

    This rule is the same on SQLite and PostgreSQL, so both give identical results.
    """
    queries = [
        "tinh",
        "tỉnh",
        "so",
        "sở t",
        "dang",
        "đ",
        "d",
        "ha giang",
        "giang ha",
        "chinh tri",
        "chinh",
        "ch",
        "truong chinh tri tinh dang bo",
        "00",
        "000 00",
        "05",
        "h5",
        "123",
        "qd",
        "ubnd 123",
        "02",
        "tu phap so",
        "phap tu",
        "(Đảng bộ)",
    ]
    units = list(OrgUnit.objects.all())
    for query in queries:
        expected = {
            unit.name
            for unit in units
            if search.text_matches(f"{unit.name} {unit.code}", query)
        }
        assert found(query) == expected, query


@pytest.mark.django_db
def test_renaming_reindexes(tree: dict[str, OrgUnit]) -> None:
    """After renaming "Sở Tư pháp", the old name is no longer found and the new one is."""
    core.update_orgunit(tree["justice"], name="Sở Nội vụ")
    assert found("tu phap") == set()
    assert found("noi vu") == {"Sở Nội vụ"}
    assert found("Sở Nội Vụ") == {"Sở Nội vụ"}


@pytest.mark.django_db
def test_recoding_reindexes(tree: dict[str, OrgUnit]) -> None:
    """After a new code, the unit is found by the new code and not the old one."""
    core.update_orgunit(tree["justice"], code="000.00.77.H56")
    assert found("06") == set()
    assert found("77") == {NAMES["justice"]}


@pytest.mark.django_db
def test_legacy_units_are_left_out_unless_asked(tree: dict[str, OrgUnit]) -> None:
    """A former district is found only when legacy units are included."""
    old = core.create_orgunit(
        kind=OrgUnitKind.DISTRICT,
        code="024",
        name="Huyện Đồng Văn",
        parent=tree["province"],
        legacy=True,
    )
    assert found("dong van") == set()
    assert list(selectors.search_orgunits("dong van", include_legacy=True)) == [old]


@pytest.mark.django_db
def test_index_many_replaces_earlier_entries() -> None:
    """Bulk indexing replaces the text of objects already indexed, keeps others."""
    search.index("test.scope", 1, "Quyết định cũ")
    search.index("test.scope", 2, "Công văn")
    search.index_many("test.scope", [(1, "Thông báo mới"), (3, "Đảng ủy")])
    assert SearchEntry.objects.filter(scope="test.scope").count() == 3

    def ids(query: str) -> set[int]:
        entries = search.matching_ids("test.scope", query)
        return set(entries.values_list("object_id", flat=True))

    assert ids("quyet dinh") == set()
    assert ids("thong bao") == {1}
    assert ids("cong van") == {2}
    assert ids("dang") == {3}
    search.remove("test.scope", 3)
    assert ids("dang") == set()


@pytest.mark.django_db
def test_scopes_do_not_mix() -> None:
    """The same text in another scope is not returned."""
    search.index("test.a", 1, "Hà Giang")
    search.index("test.b", 1, "Hà Giang")
    assert list(
        search.matching_ids("test.a", "ha giang").values_list("scope", flat=True)
    ) == ["test.a"]


@pytest.mark.django_db
def test_a_lost_index_is_rebuilt_after_migrations() -> None:
    """SQLite drops the index triggers whenever a migration remakes the
    entries table; what was indexed meanwhile is found again after migrate."""
    from django.db import connection

    from tinhso.core.apps import _repair_search_index

    search.index("test.scope", 1, "Quyết định cũ")
    if connection.vendor == "sqlite":
        table = search.fts_table("test.scope")
        with connection.cursor() as cursor:
            for suffix in ("_ai", "_ad", "_au"):
                cursor.execute(f"DROP TRIGGER {table}{suffix}")
    SearchEntry.objects.create(scope="test.scope", object_id=2, text="quyet dinh moi")
    SearchEntry.objects.filter(object_id=1).update(text="cong van")
    _repair_search_index(using="default")

    def ids(query: str) -> set[int]:
        return set(
            search.matching_ids("test.scope", query).values_list("object_id", flat=True)
        )

    assert ids("quyet dinh") == {2}
    assert ids("cong van") == {1}


@pytest.mark.django_db
def test_optimize_keeps_every_entry_findable() -> None:
    """`tinhso search optimize` merges the index; searches find the same."""
    from django.core.management import call_command
    from django.db import connection

    for number in range(1, 30):
        search.index("test.scope", number, f"Công văn số {number}")
    before = set(
        search.matching_ids("test.scope", "cong van").values_list(
            "object_id", flat=True
        )
    )
    out = io.StringIO()
    call_command("search", "optimize", stdout=out)
    if connection.vendor == "sqlite":
        assert f"{search.fts_table('test.scope')}: merged in" in out.getvalue()
    after = set(
        search.matching_ids("test.scope", "cong van").values_list(
            "object_id", flat=True
        )
    )
    assert before == after == set(range(1, 30))
    assert set(
        search.matching_ids("test.scope", "so 7").values_list("object_id", flat=True)
    ) == {7}
    # The worker task does the same, for a nightly schedule.
    from tinhso.core.tasks import optimize_search

    merged = optimize_search.call()
    if connection.vendor == "sqlite":
        assert search.fts_table("test.scope") in merged
    else:
        assert merged == {}


@pytest.mark.django_db
def test_an_entry_moved_to_another_scope_is_found_there_only() -> None:
    """Changing an entry's scope takes it out of one index and into the other."""
    search.index("test.one", 5, "Kế hoạch chuyển đổi số")
    search.index("test.two", 6, "Báo cáo")
    SearchEntry.objects.filter(scope="test.one", object_id=5).update(scope="test.two")

    def ids(scope: str, query: str) -> set[int]:
        entries = search.matching_ids(scope, query)
        return set(entries.values_list("object_id", flat=True))

    assert ids("test.one", "ke hoach") == set()
    assert ids("test.two", "ke hoach") == {5}
    SearchEntry.objects.filter(object_id=5).delete()
    assert ids("test.two", "ke hoach") == set()
    assert ids("test.two", "bao cao") == {6}


@pytest.mark.django_db
def test_pages_go_on_past_the_capped_count() -> None:
    """Past MAX_COUNT the register still pages on, one row looked ahead."""
    from tinhso.core.pagination import CappedPaginator, capped_count

    for number in range(1, 8):
        core.create_orgunit(
            kind=OrgUnitKind.AGENCY, name=f"Sở số {number}", code=f"S{number}"
        )
    units = OrgUnit.objects.order_by("pk")
    paginator = CappedPaginator(units, 2, cap=3)
    assert (paginator.count, paginator.capped) == (3, True)
    assert paginator.get_page(3).has_next()
    last = paginator.get_page(4)
    assert list(last) == [units[6]] and not last.has_next()
    assert paginator.get_page(9).number == paginator.num_pages
    assert capped_count(units[:2]) == (2, False)


def test_partition_keys_are_fixed_width() -> None:
    """Every partition number is four letters, so prefixes line up."""
    assert search.partition_key(0) == "0000"
    assert search.partition_key(36) == "0010"
    assert search.partition_key(search.MAX_PARTITION) == "zzzz"
    for outside in (-1, search.MAX_PARTITION + 1):
        with pytest.raises(ValueError, match="search partition"):
            search.partition_key(outside)


@pytest.mark.django_db
def test_a_search_within_partitions_finds_their_entries_newest_first() -> None:
    """Within its partitions a search finds every match, whole words and a
    word still being typed alike; an object moved to another partition is
    found there; re-indexing without a partition keeps the one it has."""
    from django.db import connection

    units = [
        core.create_orgunit(kind=OrgUnitKind.AGENCY, name=f"Sở {n}", code=f"P{n}")
        for n in range(4)
    ]
    first, second, other, loose = units
    text = "Kế hoạch chuyển đổi số năm 2026"
    for unit, partition in ((first, 7), (second, 7), (other, 40_000)):
        search.index("test.part", unit.pk, text, partition=partition)
    search.index("test.part", loose.pk, text)

    def found(units: list[OrgUnit], query: str, partitions: list[int]) -> list[int]:
        queryset = OrgUnit.objects.filter(pk__in=[u.pk for u in units])
        return [
            u.pk
            for u in search.filter_queryset(
                queryset,
                "test.part",
                query,
                partitions=partitions,
                newest_first=True,
                min_prefix=2,
            )
        ]

    for query in ("ke hoach", "chuyen doi s", "ke ho", "chuyen doi so nam 2026"):
        assert found([first, second], query, [7]) == [second.pk, first.pk], query
    assert found([other], "chuyển đổi", [40_000]) == [other.pk]
    assert found([first, second, other], "ke hoach", [7, 40_000]) == [
        other.pk,
        second.pk,
        first.pk,
    ]
    assert found([first], "ke hoach", []) == []
    if connection.vendor == "sqlite":
        # The partitions narrow the index itself: outside them nothing is read.
        assert found(units, "ke hoach", [7]) == [second.pk, first.pk]

    search.index("test.part", first.pk, text, partition=40_000)
    assert found([second], "ke hoach", [7]) == [second.pk]
    assert found([first, other], "ke hoach", [40_000]) == [other.pk, first.pk]
    search.index("test.part", first.pk, "Báo cáo tháng")
    assert found([first, other], "bao cao", [40_000]) == [first.pk]
    assert found(units, "ke hoach", []) == []


@pytest.mark.django_db
def test_a_bare_prefix_never_matches_partitioned_words() -> None:
    """Typing "00" or "000a" finds only entries that hold such words, not
    every entry of a partition (whose words carry its key)."""
    search.index("test.part", 1, "Quyết định phê duyệt", partition=10)
    search.index("test.part", 2, "Mã 0001.23 của đơn vị")

    def ids(query: str) -> set[int]:
        entries = search.matching_ids("test.part", query)
        return set(entries.values_list("object_id", flat=True))

    assert ids("00") == {2}
    assert ids("000a") == set()
    assert ids("quyet 00") == set()
    assert ids("quyet dinh") == {1}


@pytest.mark.django_db
def test_an_index_of_an_older_format_is_rebuilt() -> None:
    """An FTS table written by another release is made anew from the
    entries the next time the index is ensured (after migrating, say)."""
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("the FTS5 tables are SQLite's; PostgreSQL has one GIN index")
    search.index("test.scope", 1, "Quyết định cũ")
    table = search.fts_table("test.scope")
    with connection.cursor() as cursor:
        for suffix in ("_ai", "_ad", "_au"):
            cursor.execute(f"DROP TRIGGER {table}{suffix}")
        cursor.execute(f"DROP TABLE {table}")
        cursor.execute(f"CREATE VIRTUAL TABLE {table} USING fts5(text, tags)")
    search.ensure_all()
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
        assert "detail=none" in cursor.fetchone()[0]
    found = search.matching_ids("test.scope", "quyet dinh")
    assert list(found.values_list("object_id", flat=True)) == [1]
