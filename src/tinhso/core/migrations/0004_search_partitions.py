"""Search partitions instead of tags.

An entry may belong to one partition (an agency, say) whose words the FTS5
table of its scope holds a second time behind the partition's key, so a
search within a few partitions reads only their lists (core.search). The
tables also drop positions (detail=none). SQLite: they are dropped here and
rebuilt from the entries after migrating (core.apps). Apps fill the new
column in migrations of their own (documents 0005).
"""

import importlib

from django.db import migrations, models


def drop_scope_indexes(apps, schema_editor):
    earlier = importlib.import_module("tinhso.core.migrations.0003_search_by_scope")
    if schema_editor.connection.vendor == "sqlite":
        earlier.drop_scope_indexes(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [("core", "0003_search_by_scope")]

    # The triggers name the columns: they go first either way.
    operations = [
        migrations.RunPython(drop_scope_indexes, migrations.RunPython.noop),
        migrations.RemoveField(model_name="searchentry", name="tags"),
        migrations.AddField(
            model_name="searchentry",
            name="partition",
            field=models.CharField(blank=True, default="", max_length=4),
        ),
        migrations.RunPython(migrations.RunPython.noop, drop_scope_indexes),
    ]
