from django.db import migrations


def load_framework_1_2(apps, schema_editor):
    """Load version 1.2 of the shipped framework (1.1 and the questions answered by measured telemetry) alongside
    1.0 and 1.1, validated as `load_framework` validates any file. Loaded last, it is the default for new
    assessments (`selectors.default_framework`); the assessments on 1.0 and 1.1 keep theirs."""
    from assessments.framework_files import FRAMEWORK_1_2_FILE, framework_fields, read_framework

    fields = framework_fields(read_framework(FRAMEWORK_1_2_FILE.read_bytes()))
    Framework = apps.get_model("assessments", "Framework")
    Framework.objects.get_or_create(
        organization=None, slug=fields.pop("slug"), version=fields.pop("version"), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0011_load_framework_1_1")]

    operations = [migrations.RunPython(load_framework_1_2, migrations.RunPython.noop)]
