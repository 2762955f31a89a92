"""Once tagged indexed incoming documents with their agency and clerk.

Superseded by 0005: the tags gave way to search partitions (core 0004), so
this step is left empty for databases that have not run it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_search_by_scope"),
        ("documents", "0003_secret_series"),
    ]

    operations: list[migrations.operations.base.Operation] = []
