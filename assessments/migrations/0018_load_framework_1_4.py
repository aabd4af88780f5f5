from django.db import migrations


def load_framework_1_4(apps, schema_editor):
    """Load version 1.4 of the shipped framework (1.3 with EN-COST-03 asking about the headroom left after the
    fleet's draw as its inventory fact measures it: measured where metered, else rated) beside the others, validated
    as `load_framework` validates any file. Loaded last, it is the default for new assessments
    (`selectors.default_framework`); assessments on 1.0-1.3 keep theirs, and a re-assessment onto 1.4 carries every
    answer."""
    from assessments.framework_files import FRAMEWORK_1_4_FILE, framework_fields, read_framework

    fields = framework_fields(read_framework(FRAMEWORK_1_4_FILE.read_bytes()))
    Framework = apps.get_model("assessments", "Framework")
    Framework.objects.get_or_create(
        organization=None, slug=fields.pop("slug"), version=fields.pop("version"), defaults=fields
    )


class Migration(migrations.Migration):
    dependencies = [("assessments", "0017_evidence_links_are_web_addresses")]

    operations = [migrations.RunPython(load_framework_1_4, migrations.RunPython.noop)]
