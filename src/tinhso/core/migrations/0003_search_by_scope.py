"""Search by scope: integer object ids, tags, FTS5 tables per scope.

SQLite: the single FTS5 table of 0002 gives way to one per scope whose rowid
is the object id (core.search.ensure_index), built from the entries after
migrating (core.apps), in the format of the code that runs. PostgreSQL: a
stored tsvector column kept by a trigger, under a GIN index, instead of an
index over an expression parsed again on every read.
"""

import importlib

from django.db import migrations, models

import tinhso.core.models

POSTGRES_FORWARD = [
    """CREATE FUNCTION core_searchentry_tsv() RETURNS trigger AS $$
    BEGIN NEW.tsv := to_tsvector('simple', NEW.text); RETURN NEW; END
    $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER core_searchentry_tsv BEFORE INSERT OR UPDATE OF text
    ON core_searchentry FOR EACH ROW EXECUTE FUNCTION core_searchentry_tsv()""",
    "UPDATE core_searchentry SET tsv = to_tsvector('simple', text)",
    "CREATE INDEX core_searchentry_tsv_gin ON core_searchentry USING gin (tsv)",
]
POSTGRES_BACKWARD = [
    "DROP INDEX IF EXISTS core_searchentry_tsv_gin",
    "DROP TRIGGER IF EXISTS core_searchentry_tsv ON core_searchentry",
    "DROP FUNCTION IF EXISTS core_searchentry_tsv()",
]


def drop_single_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for trigger in ("core_search_ai", "core_search_ad", "core_search_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        schema_editor.execute("DROP TABLE IF EXISTS core_search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS core_searchentry_tsv")


def restore_single_index(apps, schema_editor):
    first = importlib.import_module("tinhso.core.migrations.0002_search_index")
    first.create_index(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            "INSERT INTO core_search_fts(core_search_fts) VALUES ('rebuild')"
        )


def build_scope_indexes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for sql in POSTGRES_FORWARD:
            schema_editor.execute(sql)


def drop_scope_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        for sql in POSTGRES_BACKWARD:
            schema_editor.execute(sql)
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE name LIKE 'search\\_%' ESCAPE '\\' "
            "AND type IN ('table', 'trigger') AND sql LIKE 'CREATE %'"
        )
        names = [row[0] for row in cursor.fetchall()]
    for name in names:
        kind = "TRIGGER" if name.endswith(("_ai", "_ad", "_au")) else "TABLE"
        schema_editor.execute(f"DROP {kind} IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("core", "0002_search_index")]

    operations = [
        migrations.RunPython(drop_single_index, restore_single_index),
        migrations.AddField(
            model_name="searchentry",
            name="tags",
            field=models.CharField(blank=True, default="", max_length=255),
        ),
        migrations.AddField(
            model_name="searchentry",
            name="tsv",
            field=tinhso.core.models.TsVectorField(editable=False, null=True),
        ),
        migrations.AlterField(
            model_name="searchentry",
            name="object_id",
            field=models.PositiveBigIntegerField(),
        ),
        migrations.RunPython(build_scope_indexes, drop_scope_indexes),
    ]
