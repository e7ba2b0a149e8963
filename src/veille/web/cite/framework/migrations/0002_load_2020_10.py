"""Ship the 2020 référentiel (vade-mecum, partie 2). A later text gets its own migration and data file."""

from types import SimpleNamespace

from django.db import migrations


def load(apps, schema_editor):
    from veille.web.cite.framework.loading import load_version, read_version

    models = SimpleNamespace(
        Framework=apps.get_model("framework", "Framework"),
        Objective=apps.get_model("framework", "Objective"),
        SubObjective=apps.get_model("framework", "SubObjective"),
    )
    load_version(read_version("2020-10"), models=models)


class Migration(migrations.Migration):
    dependencies = [("framework", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
