"""A server's hostname is unique in its organization whatever its case (DNS names are case-insensitive).

Existing data may hold case-duplicates (``FRA-H100-01`` and ``fra-h100-01`` of one organization), which the new
constraint would refuse. Decision: nothing is deleted or merged (each row may have GPUs, telemetry, history and
NetBox links of its own, and which is right is for people to say). In each group, the oldest row (lowest id) keeps
its hostname; every other one is renamed ``<hostname>-duplicate-<id>`` (shortened to fit 253 characters), a
valid hostname that shows in the server list, where the owner merges or deletes it. Each rename is printed.
Reversing leaves the names as they are and restores the case-sensitive constraint.
"""

from django.db import migrations, models
from django.db.models.functions import Lower

MAX = 253


def rename_case_duplicates(apps, schema_editor):
    Server = apps.get_model("inventory", "Server")
    rows = Server.objects.annotate(folded=Lower("hostname")).order_by("organization_id", "folded", "id")
    seen: set[tuple[int, str]] = set()
    renamed = []
    for server in rows.only("id", "organization_id", "hostname").iterator():
        key = (server.organization_id, server.hostname.lower())
        if key not in seen:
            seen.add(key)
            continue
        suffix = f"-duplicate-{server.pk}"
        old = server.hostname
        server.hostname = old[: MAX - len(suffix)].rstrip("-.") + suffix
        renamed.append(server)
        print(f"\n  server {server.pk} of organization {server.organization_id}: {old!r} -> {server.hostname!r}")
    Server.objects.bulk_update(renamed, ["hostname"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_iso_code_validators"),
        ("inventory", "0021_server_hostname_rfc1123"),
    ]

    operations = [
        migrations.RunPython(rename_case_duplicates, migrations.RunPython.noop, elidable=True),
        migrations.RemoveConstraint(
            model_name="server",
            name="server_unique_hostname_per_organization",
        ),
        migrations.AddConstraint(
            model_name="server",
            constraint=models.UniqueConstraint(
                models.F("organization"),
                Lower("hostname"),
                name="server_unique_hostname_per_organization",
                violation_error_code="unique",
                violation_error_message="A server with this hostname exists already in this organization.",
            ),
        ),
    ]
