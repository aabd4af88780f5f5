"""The Tesla P100 PCIe (16 and 12 GB), met in real nvidia-smi outputs: reload the shared catalog (an upsert)."""

from django.db import migrations

from inventory.catalog import reload_catalog  # the files of inventory/data/, read when the migration runs


class Migration(migrations.Migration):
    dependencies = [("inventory", "0018_catalog_v100")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
