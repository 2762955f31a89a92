"""Tag indexed incoming documents with their agency and registering clerk.

Searches walk only the documents under a user's tags
(selectors.incoming.search_tags); entries indexed before tags existed get
theirs here.
"""

from django.db import migrations

SCOPE = "documents.incoming"
TAG_SQL = """
UPDATE core_searchentry SET tags = (
    SELECT 'a' || d.agency_id || ' r' || d.registered_by_id
    FROM documents_incomingdocument d WHERE d.id = core_searchentry.object_id
) WHERE scope = 'documents.incoming' AND object_id IN (
    SELECT id FROM documents_incomingdocument
)
"""


def tag_entries(apps, schema_editor):
    from tinhso.core import search

    connection = schema_editor.connection
    if connection.vendor == "sqlite":
        # Without the triggers the update is one pass over the entries; the
        # scope's FTS table is then rebuilt from them in one go.
        table = search.fts_table(SCOPE)
        for suffix in ("_ai", "_ad", "_au"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}{suffix}")
    schema_editor.execute(TAG_SQL)
    search.ensure_index(SCOPE, connection)


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_search_by_scope"),
        ("documents", "0003_secret_series"),
    ]

    operations = [migrations.RunPython(tag_entries, migrations.RunPython.noop)]
