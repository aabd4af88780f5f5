"""The Tesla V100 (SXM2 and PCIe, 16 and 32 GB), met in real nvidia-smi outputs: reload the shared catalog (an
upsert)."""

from django.db import migrations


def reload_catalog(apps, schema_editor):
    from inventory.catalog import load_catalog

    load_catalog(
        apps.get_model("inventory", "AcceleratorType"),
        apps.get_model("inventory", "ModelProfile"),
        apps.get_model("inventory", "GridRegion"),
    )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0017_unindexed_history_relations")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
