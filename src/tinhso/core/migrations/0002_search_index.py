from django.db import migrations

# The first form of the index, one FTS5 table for every scope; 0003 replaces
# it. Spelled out here so later changes to core.search leave this as it was.
FTS_TABLE = "core_search_fts"
FTS_SQLITE_SQL = [
    "CREATE VIRTUAL TABLE core_search_fts USING fts5(text, content='core_searchentry', "
    "content_rowid='id', tokenize='unicode61 remove_diacritics 2', prefix='2 3')",
    """CREATE TRIGGER core_search_ai AFTER INSERT ON core_searchentry BEGIN
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
    """CREATE TRIGGER core_search_ad AFTER DELETE ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text); END""",
    """CREATE TRIGGER core_search_au AFTER UPDATE ON core_searchentry BEGIN
        INSERT INTO core_search_fts(core_search_fts, rowid, text)
        VALUES ('delete', old.id, old.text);
        INSERT INTO core_search_fts(rowid, text) VALUES (new.id, new.text); END""",
]
FTS_POSTGRES_SQL = [
    "CREATE INDEX core_searchentry_tsv ON core_searchentry "
    "USING gin (to_tsvector('simple', text))",
]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": FTS_SQLITE_SQL, "postgresql": FTS_POSTGRES_SQL}.get(vendor, [])
    for sql in statements:
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for trigger in ("core_search_ai", "core_search_ad", "core_search_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS_TABLE}")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS core_searchentry_tsv")


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
