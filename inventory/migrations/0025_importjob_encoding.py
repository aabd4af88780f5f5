"""An import job records the encoding its upload was read in (a CSV file may be Windows-1252), so that its later
passes, perhaps in a worker, read it the same way. Existing jobs keep "" (their file's first bytes say, as before)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0024_server_ordering_whatever_case'),
    ]

    operations = [
        migrations.AddField(
            model_name='importjob',
            name='encoding',
            field=models.CharField(blank=True, help_text="The codec the file's text is read as, found at upload (utf-8-sig, utf-16, cp1252); empty for a workbook, or a job from before it was recorded (then the file's first bytes say).", max_length=16),
        ),
    ]
