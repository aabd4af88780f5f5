"""The names tools print for the MI325X (amd-smi's market name): reload the shared catalog (an upsert)."""

from django.db import migrations


def reload_catalog(apps, schema_editor):
    from inventory.catalog import load_catalog

    load_catalog(
        apps.get_model("inventory", "AcceleratorType"),
        apps.get_model("inventory", "ModelProfile"),
        apps.get_model("inventory", "GridRegion"),
    )


class Migration(migrations.Migration):
    dependencies = [("inventory", "0009_gpus_mig_server_models_netbox")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
