"""The NVIDIA GB10 (a DGX Spark's superchip, unified memory) and the Tesla K80 (per GK210 GPU, two per board), met in
real nvidia-smi outputs: reload the shared catalog (an upsert)."""

from django.db import migrations

from inventory.catalog import reload_catalog  # the files of inventory/data/, read when the migration runs


class Migration(migrations.Migration):
    dependencies = [("inventory", "0025_importjob_encoding")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
