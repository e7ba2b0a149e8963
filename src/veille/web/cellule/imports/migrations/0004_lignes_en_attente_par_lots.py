"""The pending rows of an import move from one JSON list on the import to one row per batch."""

from django.db import migrations, models

BATCH_ROWS = 2000


def split(apps, schema_editor):
    Import = apps.get_model("imports", "Import")
    PendingRows = apps.get_model("imports", "PendingRows")
    for imported in Import.objects.exclude(pending_rows=None).iterator():
        rows = imported.pending_rows
        for position, start in enumerate(range(0, len(rows), BATCH_ROWS)):
            PendingRows.objects.create(imported=imported, position=position, rows=rows[start : start + BATCH_ROWS])
        Import.objects.filter(pk=imported.pk).update(rows_waiting=True)


def join(apps, schema_editor):
    Import = apps.get_model("imports", "Import")
    for imported in Import.objects.filter(rows_waiting=True).iterator():
        batches = imported.pending_batches.order_by("position").values_list("rows", flat=True)
        imported.pending_rows = [row for rows in batches for row in rows]
        imported.save(update_fields=["pending_rows"])


class Migration(migrations.Migration):
    dependencies = [("imports", "0003_fusion_mensuel_et_reprise")]

    operations = [
        migrations.CreateModel(
            name="PendingRows",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveIntegerField()),
                ("rows", models.JSONField()),
                (
                    "imported",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="pending_batches", to="imports.import"
                    ),
                ),
            ],
            options={"ordering": ["position"]},
        ),
        migrations.AddConstraint(
            model_name="pendingrows",
            constraint=models.UniqueConstraint(fields=("imported", "position"), name="pending_rows_one_position"),
        ),
        migrations.AddField(model_name="import", name="rows_waiting", field=models.BooleanField(default=False)),
        migrations.RunPython(split, join),
        migrations.RemoveField(model_name="import", name="pending_rows"),
    ]
