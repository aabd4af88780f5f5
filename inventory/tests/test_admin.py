import io
import json

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from config.errors import ErrorItem
from inventory import services
from inventory.models import (
    AcceleratorType,
    DiscoveryRun,
    ExchangeRateOverride,
    GridRegion,
    ImportJob,
    ImportStatus,
    ModelProfile,
    NetboxConfig,
    Server,
    ServerGpu,
    ServerTelemetryDay,
    Site,
)
from inventory.tests.factories import (
    CloudCapacityFactory,
    NetworkFabricFactory,
    ServerFactory,
    SiteFactory,
    StorageSystemFactory,
    WorkloadFactory,
    h100,
)
from inventory.tests.hardware_factories import hardware_rows
from inventory.tests.telemetry_factories import telemetry_rows

pytestmark = pytest.mark.django_db

INVENTORY_MODELS = [model for model in admin.site._registry if model._meta.app_label == "inventory"]


def admin_url(model, action, *args):
    return reverse(f"admin:inventory_{model._meta.model_name}_{action}", args=args)


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def make_staff(user):
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="inventory"))
    return user


@pytest.fixture
def staff_owner(owner):
    """Olivia, owner of Acme AI, is staff with every inventory permission (but not a superuser)."""
    return make_staff(owner)


@pytest.fixture
def rows(organization, other_organization):
    """One row of every kind in each organization."""
    made = {}
    for org, prefix in ((organization, "acme"), (other_organization, "other")):
        site = SiteFactory(organization=org, name=f"{prefix}-site")
        made[prefix] = {
            "site": site,
            "server": ServerFactory(organization=org, site=site, hostname=f"{prefix}-gpu1"),
            "storage": StorageSystemFactory(organization=org, site=site, name=f"{prefix}-lustre"),
            "fabric": NetworkFabricFactory(organization=org, site=site, name=f"{prefix}-ib"),
            "cloud": CloudCapacityFactory(organization=org, region=f"{prefix}-region"),
            "workload": WorkloadFactory(organization=org, name=f"{prefix}-chat"),
        }
        made[prefix].update(telemetry_rows(org, made[prefix]["server"]))
        made[prefix].update(hardware_rows(org, made[prefix]["server"]))
    return made


def import_file(client, model, organization, text, name="rows.csv"):
    """Upload a file to the admin's import of `model` (the inventory's own import); returns the response."""
    upload = SimpleUploadedFile(name, text.encode(), content_type="text/csv")
    return client.post(admin_url(model, "import"), {"organization": organization.pk, "file": upload})


def import_and_confirm(client, model, organization, text):
    """Upload, then confirm on the job's admin page when the file is valid; returns the job."""
    response = import_file(client, model, organization, text)
    assert response.status_code == 302, response.content.decode()[-3000:]
    job = ImportJob.objects.latest("created")
    assert response["Location"] == admin_url(ImportJob, "change", job.pk)
    if job.status == ImportStatus.READY:
        page = client.get(response["Location"])
        assert "Confirm the import" in page.content.decode()
        client.post(reverse("admin:inventory_importjob_confirm", args=[job.pk]))
        job.refresh_from_db()
    return job


def export(client, model, file_format="csv", rows=None):
    """The admin's export action on the selected rows (all of the model's by default)."""
    ids = [obj.pk for obj in (rows if rows is not None else model.objects.all())]
    return client.post(admin_url(model, "changelist"), {"action": f"export_{file_format}", "_selected_action": ids})


class TestSuperuser:
    @pytest.mark.parametrize("model", INVENTORY_MODELS, ids=lambda m: m.__name__)
    def test_every_changelist_and_change_page_opens(self, model, client, superuser, rows, organization):
        ImportJob.objects.create(organization=organization, filename="servers.csv", file_format="csv", kind="servers")
        ExchangeRateOverride.objects.create(organization=organization, currency="USD", rate_per_eur="1.2")
        client.force_login(superuser)
        assert client.get(admin_url(model, "changelist")).status_code == 200
        assert client.get(admin_url(model, "changelist"), {"q": "acme"}).status_code == 200
        obj = model.objects.first()
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
        if model not in (ImportJob, ServerTelemetryDay, ServerGpu, DiscoveryRun, NetboxConfig):  # written elsewhere
            assert client.get(admin_url(model, "add")).status_code == 200

    def test_the_server_changelist_runs_a_constant_number_of_queries(
        self, client, superuser, organization, django_assert_num_queries
    ):
        site = SiteFactory(organization=organization)
        ServerFactory(organization=organization, site=site)
        client.force_login(superuser)
        client.get(admin_url(Server, "changelist"))  # the first request of a session does a little more once
        with CaptureQueriesContext(connection) as one:
            client.get(admin_url(Server, "changelist"))
        ServerFactory.create_batch(49, organization=organization, site=site)
        with django_assert_num_queries(len(one)):  # exactly as many for 50 rows as for 1
            response = client.get(admin_url(Server, "changelist"))
        assert response.context["cl"].result_count == 50

    def test_export_to_csv_is_the_inventory_export(self, client, superuser, rows, organization):
        client.force_login(superuser)
        response = export(client, Server, rows=Server.objects.filter(organization=organization))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert response["Content-Disposition"] == 'attachment; filename="acme-ai-servers.csv"'
        content = b"".join(response.streaming_content).decode()
        expected = "".join(
            services.inventory_export(organization=organization, kind="servers", file_format="csv").chunks
        )
        assert content == expected  # the same file as the app's and the API's export
        assert "acme-gpu1" in content
        assert "other-gpu1" not in content
        assert ",acme-site," in content
        assert "H100 SXM" in content

    def test_export_of_the_selected_rows_only(self, client, superuser, rows, organization):
        client.force_login(superuser)
        ServerFactory(organization=organization, site=rows["acme"]["site"], hostname="acme-gpu2")
        response = export(client, Server, "json", rows=Server.objects.filter(hostname="acme-gpu2"))
        assert [row["hostname"] for row in json.loads(b"".join(response.streaming_content))] == ["acme-gpu2"]

    def test_export_of_several_organizations_at_once_is_refused_with_a_message(self, client, superuser, rows):
        client.force_login(superuser)
        response = export(client, Server)
        assert response.status_code == 302
        page = client.get(response["Location"])
        assert "Export the rows of one organization at a time" in page.content.decode()

    def test_catalog_entries_export_as_stored(self, client, superuser):
        client.force_login(superuser)
        response = client.post(
            admin_url(AcceleratorType, "changelist"),
            {"action": "export_records", "_selected_action": [h100().pk]},
        )
        content = b"".join(response.streaming_content).decode()
        header, line = content.lstrip("\ufeff").splitlines()[:2]
        assert header.startswith("organization,source,vendor,model,")
        assert ",NVIDIA,H100 SXM," in line

    def test_the_site_page_has_inlines_for_servers_storage_and_fabrics(self, client, superuser, rows):
        client.force_login(superuser)
        page = client.get(admin_url(Site, "change", rows["acme"]["site"].pk)).content.decode()
        for name in ("acme-gpu1", "acme-lustre", "acme-ib"):
            assert name in page


def test_the_admin_log_in_page_opens_for_visitors_and_members(client, owner):
    assert client.get(reverse("admin:login")).status_code == 200
    client.force_login(owner)  # a member, not staff
    assert client.get(reverse("admin:login")).status_code == 200
    assert client.get(reverse("admin:index")).status_code == 302


class TestScopedStaff:
    def test_sees_only_their_organizations_rows(self, client, staff_owner, rows):
        client.force_login(staff_owner)
        for model, acme, other in [
            (Server, "acme-gpu1", "other-gpu1"),
            (Site, "acme-site", "other-site"),
        ]:
            page = client.get(admin_url(model, "changelist")).content.decode()
            assert acme in page
            assert other not in page
            assert "Other Corp" not in page  # not even as a filter choice

    def test_cannot_open_another_organizations_row(self, client, staff_owner, rows):
        client.force_login(staff_owner)
        theirs = rows["other"]["server"]
        response = client.get(admin_url(Server, "change", theirs.pk))
        assert response.status_code in (302, 404)
        if response.status_code == 302:
            assert response.url == reverse("admin:index")
        response = client.post(admin_url(Server, "delete", theirs.pk), {"post": "yes"})
        assert response.status_code in (302, 404)
        assert Server.objects.filter(pk=theirs.pk).exists()
        assert client.get(admin_url(Server, "change", rows["acme"]["server"].pk)).status_code == 200

    def test_choices_are_limited_to_their_organizations(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        form = client.get(admin_url(Server, "add")).context["adminform"].form
        assert list(form.fields["organization"].queryset) == [organization]
        assert list(form.fields["site"].queryset) == [rows["acme"]["site"]]

    def test_cannot_point_at_another_organizations_site(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        data = {
            "organization": organization.pk,
            "site": rows["other"]["site"].pk,
            "hostname": "sneaky",
            "status": "active",
            "accelerator_count": "0",
        }
        response = client.post(admin_url(Server, "add"), data)
        assert response.status_code == 200
        assert "site" in response.context["adminform"].form.errors
        assert not Server.objects.filter(hostname="sneaky").exists()

    def test_a_staff_member_of_two_organizations_cannot_mix_them(self, client, staff_owner, rows, other_organization):
        MembershipFactory(user=staff_owner, organization=other_organization, role=Role.ASSESSOR)
        client.force_login(staff_owner)
        data = {
            "organization": other_organization.pk,
            "site": rows["acme"]["site"].pk,
            "hostname": "mixed",
            "status": "active",
            "accelerator_count": "0",
        }
        response = client.post(admin_url(Server, "add"), data)
        assert response.context["adminform"].form.errors["site"] == [
            "“acme-site” belongs to another organization than this row."
        ]

    def test_a_viewer_sees_no_rows(self, client, viewer, rows):
        make_staff(viewer)
        client.force_login(viewer)
        assert client.get(admin_url(Server, "changelist")).status_code == 403

    def test_shared_catalog_rows_are_read_only_private_ones_editable(self, client, staff_owner, organization):
        client.force_login(staff_owner)
        shared = h100()
        page = client.get(admin_url(AcceleratorType, "change", shared.pk))
        assert page.status_code == 200
        assert not page.context["has_change_permission"]
        response = client.post(admin_url(AcceleratorType, "change", shared.pk), {"model": "renamed"})
        assert response.status_code == 403
        shared.refresh_from_db()
        assert shared.model == "H100 SXM"

        data = {
            "organization": organization.pk,
            "source": "our lab's benchmark",
            "vendor": "NVIDIA",
            "model": "H100 SXM (derated)",
            "memory_gb": "80",
            "mem_bandwidth_gbps": "3000",
            "bf16_tflops": "800",
            "release_year": "2022",
            "nvidia_smi_names": "[]",
        }
        response = client.post(admin_url(AcceleratorType, "add"), data)
        assert response.status_code == 302, response.context["adminform"].form.errors
        private = AcceleratorType.objects.get(model="H100 SXM (derated)")
        assert private.organization == organization
        assert client.get(admin_url(AcceleratorType, "change", private.pk)).context["has_change_permission"]

    def test_the_catalog_list_shows_an_integrated_systems_power_and_reserved_memory(self, client, staff_owner):
        client.force_login(staff_owner)
        response = client.get(admin_url(AcceleratorType, "changelist"), {"q": "GB10"})
        page = response.content.decode()
        assert "System power (W)" in page
        assert "Memory kept for the host (GB)" in page
        (row,) = response.context["cl"].result_list
        assert (row.model, row.system_power_w, row.host_reserved_gb) == ("GB10", 240, 16)
        assert '<td class="field-system_power_w">240</td>' in page

    def test_reference_data_is_read_only(self, client, staff_owner):
        client.force_login(staff_owner)
        region = GridRegion.objects.first()
        assert client.get(admin_url(GridRegion, "changelist")).status_code == 200
        assert not client.get(admin_url(GridRegion, "change", region.pk)).context["has_change_permission"]
        assert client.get(admin_url(ModelProfile, "changelist")).status_code == 200

    def test_export_holds_only_their_rows(self, client, staff_owner, rows):
        client.force_login(staff_owner)
        everything = [rows["acme"]["server"], rows["other"]["server"]]  # a forged selection
        content = b"".join(export(client, Server, rows=everything).streaming_content).decode()
        assert "acme-gpu1" in content
        assert "other-gpu1" not in content

    def test_an_inline_duplicate_hostname_is_a_form_error(self, client, staff_owner, rows, organization):
        site = rows["acme"]["site"]
        client.force_login(staff_owner)
        page = client.get(admin_url(Site, "change", site.pk))
        data = {}
        for formset in page.context["inline_admin_formsets"]:
            management = formset.formset.management_form
            data.update({management.add_prefix(name): value for name, value in management.initial.items()})
            for form in formset.formset.forms:
                data.update({form.add_prefix(n): form.initial.get(n) or "" for n in form.fields if n != "DELETE"})
        site_form = page.context["adminform"].form
        data.update({n: site_form.initial.get(n) or "" for n in site_form.fields})
        data["cooling"] = site.cooling
        prefix = page.context["inline_admin_formsets"][0].formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "2"
        data.update(
            {
                f"{prefix}-1-hostname": "acme-gpu1",
                f"{prefix}-1-status": "active",
                f"{prefix}-1-accelerator_count": "0",
                f"{prefix}-1-site": site.pk,
            }
        )
        response = client.post(admin_url(Site, "change", site.pk), data)
        assert response.status_code == 200
        errors = str(response.context["inline_admin_formsets"][0].formset.errors)
        assert "A server with this hostname exists already in this organization." in errors
        assert Server.objects.filter(organization=organization, hostname="acme-gpu1").count() == 1


class TestImport:
    """The admin's import is the inventory's own: the same checks, problems, preview and all-or-nothing write."""

    CSV = (
        "site,hostname,status,accelerator_type,accelerator_count,power_w\n"
        "acme-site,imported-1,active,H100 SXM,8,10200\n"
        "acme-site,acme-gpu1,retired,H100 SXM,8,10200\n"
    )

    def test_staff_import_servers_into_their_organization(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        page = client.get(admin_url(Server, "changelist"))
        assert admin_url(Server, "import") in page.content.decode()
        job = import_and_confirm(client, Server, organization, self.CSV)
        assert (job.status, job.kind, job.organization, job.created_by) == (
            ImportStatus.DONE,
            "servers",
            organization,
            staff_owner,
        )
        assert (job.created_count, job.updated_count) == (1, 1)
        imported = Server.objects.get(organization=organization, hostname="imported-1")
        assert imported.site == rows["acme"]["site"]
        assert imported.accelerator_type == h100()
        rows["acme"]["server"].refresh_from_db()
        assert rows["acme"]["server"].status == "retired"  # matched by hostname, updated
        assert Server.objects.get(hostname="other-gpu1").status == "active"
        assert "Imported: 1 new, 1 updated." in client.get(admin_url(ImportJob, "change", job.pk)).content.decode()

    def test_nothing_is_written_before_the_confirmation(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        import_file(client, Server, organization, self.CSV)
        job = ImportJob.objects.get()
        assert job.status == ImportStatus.READY
        assert not Server.objects.filter(hostname="imported-1").exists()
        page = client.get(admin_url(ImportJob, "change", job.pk)).content.decode()
        assert 'id="count-new">1<' in page
        assert "imported-1" in page  # the preview

    def test_sites_are_matched_by_name_and_country_codes_uppercased(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        text = (
            "name,country,pue,renewable_share_pct,currency,cooling\n"
            "acme-site,fr,1.2,50,eur,liquid\n"
            "new-site,de,1.5,0,EUR,air\n"
        )
        assert import_and_confirm(client, Site, organization, text).status == ImportStatus.DONE
        rows["acme"]["site"].refresh_from_db()
        assert (rows["acme"]["site"].country, rows["acme"]["site"].pue, rows["acme"]["site"].currency) == (
            "FR",
            1.2,
            "EUR",
        )
        assert Site.objects.get(organization=organization, name="new-site").country == "DE"

    def test_cannot_import_into_another_organization(self, client, staff_owner, rows, other_organization):
        client.force_login(staff_owner)
        response = import_file(client, Server, other_organization, self.CSV)
        assert response.status_code == 200
        assert "organization" in response.context["form"].errors
        assert not ImportJob.objects.exists()

    def test_the_problems_are_the_import_services_own(self, client, staff_owner, rows, organization):
        """Another organization's site is unknown, a column the kind does not have is refused: the same items the
        app, the API and the command line list, and nothing is written."""
        client.force_login(staff_owner)
        text = "organization,site,hostname,accelerator_count\nother-corp,other-site,stolen,0\n"
        response = import_file(client, Server, organization, text)
        job = ImportJob.objects.get()
        assert job.status == ImportStatus.INVALID
        data = text.encode()
        result = services.inventory_import(
            organization=organization, handle=io.BytesIO(data), filename="servers.csv", size=len(data)
        )
        assert not result.ok
        assert services.job_errors(job) == (result.errors, result.error_count)
        page = client.get(response["Location"]).content.decode()
        assert "unknown column; the columns of servers are" in page
        assert "Confirm the import" not in page
        assert not Server.objects.filter(hostname="stolen").exists()

    def test_another_organizations_site_is_not_found(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        response = import_file(client, Server, organization, "site,hostname,accelerator_count\nother-site,sneaky,0\n")
        job = ImportJob.objects.get()
        assert services.job_errors(job) == (
            [ErrorItem("unknown site 'other-site'.", "unknown", row=2, column="site")],
            1,
        )
        assert "unknown site &#x27;other-site&#x27;." in client.get(response["Location"]).content.decode()
        assert not Server.objects.filter(hostname="sneaky").exists()

    def test_a_windows_1252_file_says_how_it_was_read(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        content = "site,hostname,os\nacme-site,acme-gpu2,Débian – 12\n".encode("cp1252")
        response = client.post(
            admin_url(Server, "import"),
            {"organization": organization.pk, "file": SimpleUploadedFile("rows.csv", content)},
        )
        assert response.status_code == 302
        page = client.get(response["Location"]).content.decode()
        assert "Read as Windows-1252 text: the file is not UTF-8." in page
        assert "Débian – 12" in page  # the preview

    def test_an_unreadable_file_is_a_form_error(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        response = client.post(
            admin_url(Server, "import"),
            {"organization": organization.pk, "file": SimpleUploadedFile("rows.csv", "a,b\n".encode("utf-32"))},
        )
        assert response.status_code == 200
        assert response.context["form"].errors["file"] == [
            "The file is UTF-32 text; save it as UTF-8 (in Excel: CSV UTF-8) and upload it again."
        ]
        assert not ImportJob.objects.exists()

    def test_another_organizations_job_cannot_be_confirmed(
        self, client, staff_owner, superuser, rows, other_organization
    ):
        client.force_login(superuser)
        import_file(client, Server, other_organization, "site,hostname\nother-site,theirs-2\n")
        job = ImportJob.objects.get()
        assert job.status == ImportStatus.READY
        client.force_login(staff_owner)
        assert client.post(reverse("admin:inventory_importjob_confirm", args=[job.pk])).status_code == 404
        job.refresh_from_db()
        assert job.status == ImportStatus.READY
        assert not Server.objects.filter(hostname="theirs-2").exists()

    def test_staff_without_the_add_permission_cannot_import(self, client, staff_owner, rows, organization):
        staff_owner.user_permissions.remove(Permission.objects.get(codename="add_server"))
        client.force_login(staff_owner)
        assert client.get(admin_url(Server, "import")).status_code == 403
        assert admin_url(Server, "import") not in client.get(admin_url(Server, "changelist")).content.decode()
