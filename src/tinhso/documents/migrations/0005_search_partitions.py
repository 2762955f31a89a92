"""Put indexed incoming documents in their agency's search partition.

Searches of one agency's register then read only that agency's words
(selectors.incoming.search_partitions). Also an index for the agencies
where a clerk registered secret documents, which the search reads too.
"""

from django.db import migrations, models

SCOPE = "documents.incoming"


def partition_key(agency_id):
    # As core.search.partition_key wrote it when this migration was made:
    # four base-36 digits.
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    key = ""
    for _ in range(4):
        agency_id, digit = divmod(agency_id, 36)
        key = digits[digit] + key
    return key


def fill_partitions(apps, schema_editor):
    entries = apps.get_model("core", "SearchEntry").objects
    documents = apps.get_model("documents", "IncomingDocument").objects
    agencies = documents.order_by().values_list("agency_id", flat=True).distinct()
    # One update per agency: the FTS tables are rebuilt after migrating.
    for agency_id in agencies:
        entries.filter(
            scope=SCOPE,
            object_id__in=documents.filter(agency_id=agency_id).values("pk"),
        ).update(partition=partition_key(agency_id))


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0004_search_partitions"),
        ("documents", "0004_search_tags"),
    ]

    operations = [
        migrations.RunPython(fill_partitions, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="incomingdocument",
            index=models.Index(
                fields=["registered_by", "secrecy", "agency"],
                name="incoming_registrar_secrecy",
            ),
        ),
    ]
