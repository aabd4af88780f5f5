"""Integrated systems (docs/capacity.md, "Integrated systems"): an accelerator type may carry its whole system's
power per accelerator (`system_power_w`, used by the power ladder instead of TDP x 1.821), the part of a unified
memory its host keeps (`host_reserved_gb`, not counted for models) and where both come from (`system_source`).

Data: the shared catalog is reloaded from inventory/data/ (an upsert), which sets the NVIDIA GB10's figures: system
power 240 W (a DGX Spark's power supply; TDP x 1.821 gave 255 W, more than it), 16 GB of its 128 GB unified memory
kept for the operating system and CPU (112 GB counted for models), and their sources. Every other row's new fields
stay empty, so its figures do not change."""

import config.validators
import inventory.validators
from django.db import migrations, models

from inventory.catalog import reload_catalog  # the files of inventory/data/, read when the migration runs


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0006_iso_code_validators'),
        ('inventory', '0026_catalog_gb10_k80'),
    ]

    operations = [
        migrations.AddField(
            model_name='acceleratortype',
            name='host_reserved_gb',
            field=models.FloatField(blank=True, help_text='Unified memory only (shared with the CPU and the operating system): the part of the memory the host keeps, GB. The capacity model counts the rest for models.', null=True, validators=[inventory.validators.Bounds('Enter a value between 0 and 100,000 GB.', at_least=0, at_most=100000, code='out_of_range')], verbose_name='memory kept for the host (GB)'),
        ),
        migrations.AddField(
            model_name='acceleratortype',
            name='system_power_w',
            field=models.PositiveIntegerField(blank=True, help_text="Integrated systems only (CPU and accelerator in one package, e.g. NVIDIA GB10): the whole system's power per accelerator, W. A server without recorded power is then estimated at accelerators x this, instead of accelerators x TDP x 1.821.", null=True, validators=[inventory.validators.Bounds('Enter a value above 0 and at most 100,000 W.', above=0, at_most=100000, code='out_of_range')], verbose_name='system power (W)'),
        ),
        migrations.AddField(
            model_name='acceleratortype',
            name='system_source',
            field=models.TextField(blank=True, help_text='Where the system power and the memory kept for the host come from.', validators=[config.validators.TextLength(5000), config.validators.validate_text], verbose_name='source of the system figures'),
        ),
        migrations.AddField(
            model_name='historicalacceleratortype',
            name='host_reserved_gb',
            field=models.FloatField(blank=True, help_text='Unified memory only (shared with the CPU and the operating system): the part of the memory the host keeps, GB. The capacity model counts the rest for models.', null=True, validators=[inventory.validators.Bounds('Enter a value between 0 and 100,000 GB.', at_least=0, at_most=100000, code='out_of_range')], verbose_name='memory kept for the host (GB)'),
        ),
        migrations.AddField(
            model_name='historicalacceleratortype',
            name='system_power_w',
            field=models.PositiveIntegerField(blank=True, help_text="Integrated systems only (CPU and accelerator in one package, e.g. NVIDIA GB10): the whole system's power per accelerator, W. A server without recorded power is then estimated at accelerators x this, instead of accelerators x TDP x 1.821.", null=True, validators=[inventory.validators.Bounds('Enter a value above 0 and at most 100,000 W.', above=0, at_most=100000, code='out_of_range')], verbose_name='system power (W)'),
        ),
        migrations.AddField(
            model_name='historicalacceleratortype',
            name='system_source',
            field=models.TextField(blank=True, help_text='Where the system power and the memory kept for the host come from.', validators=[config.validators.TextLength(5000), config.validators.validate_text], verbose_name='source of the system figures'),
        ),
        migrations.AddConstraint(
            model_name='acceleratortype',
            constraint=models.CheckConstraint(condition=models.Q(('host_reserved_gb__isnull', True), models.Q(('host_reserved_gb__gte', 0), ('host_reserved_gb__lt', models.F('memory_gb'))), _connector='OR'), name='acceleratortype_host_reserved_below_memory'),
        ),
        migrations.AddConstraint(
            model_name='acceleratortype',
            constraint=models.CheckConstraint(condition=models.Q(('system_power_w__isnull', True), models.Q(('system_power_w__gt', 0), models.Q(('tdp_w__isnull', True), ('system_power_w__gte', models.F('tdp_w')), _connector='OR')), _connector='OR'), name='acceleratortype_system_power_covers_tdp'),
        ),
        migrations.RunPython(reload_catalog, migrations.RunPython.noop),
    ]
