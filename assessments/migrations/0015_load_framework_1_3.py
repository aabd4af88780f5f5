from django.db import migrations


def load_framework_1_3(apps, schema_editor):
    """Load version 1.3 of the shipped framework (1.2 with EN-COST-05's middle option worded for a fleet measured in
    part, as the inventory pre-fills it) beside the others, validated as `load_framework` validates any file. Loaded
    last, it is the default for new assessments (`selectors.default_framework`); assessments on 1.0-1.2 keep
    theirs, and a re-assessment onto 1.3 carries every answer."""
    from assessments.framework_files import FRAMEWORK_1_3_FILE, framework_fields, read_framework

    fields = framework_fields(read_framework(FRAMEWORK_1_3_FILE.read_bytes()))
    Framework = apps.get_model("assessments", "Framework")
    Framework.objects.get_or_create(
        organization=None, slug=fields.pop("slug"), version=fields.pop("version"), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0014_assessment_scope_key")]

    operations = [migrations.RunPython(load_framework_1_3, migrations.RunPython.noop)]
