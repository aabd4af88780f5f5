from django.db import migrations


def forwards(apps, schema_editor):
    from inventory.catalog import load_catalog

    load_catalog(apps.get_model("inventory", "AcceleratorType"), apps.get_model("inventory", "ModelProfile"),
                 apps.get_model("inventory", "GridRegion"))


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
