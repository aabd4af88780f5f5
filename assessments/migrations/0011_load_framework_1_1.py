from django.db import migrations


def load_framework_1_1(apps, schema_editor):
    """Load version 1.1 of the shipped framework alongside 1.0, validated as `load_framework` validates any file."""
    from assessments.framework_files import FRAMEWORK_1_1_FILE, framework_fields, read_framework

    fields = framework_fields(read_framework(FRAMEWORK_1_1_FILE.read_bytes()))
    Framework = apps.get_model("assessments", "Framework")
    Framework.objects.get_or_create(
        organization=None, slug=fields.pop("slug"), version=fields.pop("version"), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0010_history_evidence")]

    operations = [migrations.RunPython(load_framework_1_1, migrations.RunPython.noop)]
