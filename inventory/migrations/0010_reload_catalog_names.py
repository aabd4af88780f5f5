"""The names tools print for the MI325X (amd-smi's market name): reload the shared catalog (an upsert)."""

from django.db import migrations

from inventory.catalog import reload_catalog  # the files of inventory/data/, read when the migration runs


class Migration(migrations.Migration):
    dependencies = [("inventory", "0009_gpus_mig_server_models_netbox")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
