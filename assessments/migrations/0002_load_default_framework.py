from django.db import migrations


def forwards(apps, schema_editor):
    """Load the shipped framework, validated as `load_framework` validates any file."""
    from assessments.framework_files import DEFAULT_FRAMEWORK_FILE, framework_fields, read_framework

    fields = framework_fields(read_framework(DEFAULT_FRAMEWORK_FILE.read_bytes()))
    Framework = apps.get_model("assessments", "Framework")
    Framework.objects.get_or_create(
        organization=None, slug=fields.pop("slug"), version=fields.pop("version"), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0001_initial")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
