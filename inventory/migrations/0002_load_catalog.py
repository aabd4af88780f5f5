from django.db import migrations

from inventory.catalog import reload_catalog  # the files of inventory/data/, read when the migration runs


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(reload_catalog, migrations.RunPython.noop)]
