"""The "Power measured" box explains itself to people (its help text): state only, no SQL (sqlmigrate: no-op)."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('inventory', '0022_server_hostname_unique_whatever_case'),
    ]

    operations = [
        migrations.AlterField(
            model_name='historicalserver',
            name='power_measured',
            field=models.BooleanField(default=False, help_text='Tick if the power figure was measured (a meter, the BMC); leave unticked for a rated or nameplate figure.', verbose_name='power measured'),
        ),
        migrations.AlterField(
            model_name='server',
            name='power_measured',
            field=models.BooleanField(default=False, help_text='Tick if the power figure was measured (a meter, the BMC); leave unticked for a rated or nameplate figure.', verbose_name='power measured'),
        ),
    ]
