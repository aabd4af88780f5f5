import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, UserFactory
from inventory.models import (
    AcceleratorType,
    GridRegion,
    ImportJob,
    ModelProfile,
    Server,
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
    return made


def import_csv(client, model, organization, text):
    """Upload a CSV to the admin import, then confirm it when it is valid; returns the last response."""
    upload = SimpleUploadedFile("rows.csv", text.encode(), content_type="text/csv")
    response = client.post(
        admin_url(model, "import"),
        {"organization": organization.pk, "resource": "0", "format": "0", "import_file": upload},
    )
    confirm = response.context and response.context.get("confirm_form")
    if response.status_code != 200 or not confirm:
        return response
    data = {name: confirm.initial.get(name, "") for name in confirm.fields}
    return client.post(admin_url(model, "process_import"), data)


def export(client, model, **params):
    page = client.get(admin_url(model, "export"), params)
    form = page.context["form"]
    data = {"format": "0", "resource": "0"}
    data.update({name: "on" for name, field in form.fields.items() if getattr(field, "is_selectable_field", False)})
    url = admin_url(model, "export") + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")
    return client.post(url, data)


class TestSuperuser:
    @pytest.mark.parametrize("model", INVENTORY_MODELS, ids=lambda m: m.__name__)
    def test_every_changelist_and_change_page_opens(self, model, client, superuser, rows, organization):
        ImportJob.objects.create(organization=organization, filename="servers.csv", file_format="csv", kind="servers")
        client.force_login(superuser)
        assert client.get(admin_url(model, "changelist")).status_code == 200
        assert client.get(admin_url(model, "changelist"), {"q": "acme"}).status_code == 200
        obj = model.objects.first()
        assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
        if model is not ImportJob:
            assert client.get(admin_url(model, "add")).status_code == 200

    def test_the_server_changelist_runs_a_constant_number_of_queries(
        self, client, superuser, organization, django_assert_max_num_queries
    ):
        site = SiteFactory(organization=organization)
        ServerFactory.create_batch(5, organization=organization, site=site)
        client.force_login(superuser)
        with CaptureQueriesContext(connection) as five:
            client.get(admin_url(Server, "changelist"))
        ServerFactory.create_batch(45, organization=organization, site=site)
        with django_assert_max_num_queries(len(five)):
            response = client.get(admin_url(Server, "changelist"))
        assert response.context["cl"].result_count == 50

    def test_export_to_csv(self, client, superuser, rows):
        client.force_login(superuser)
        response = export(client, Server)
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        content = response.content.decode()
        header = content.splitlines()[0].split(",")
        assert {"organization", "site", "hostname", "accelerator_type"} <= set(header)
        assert "acme-gpu1" in content
        assert "other-gpu1" in content
        assert "acme-ai,acme-site,acme-gpu1" in content.replace("\r", "")
        assert "H100 SXM" in content

    def test_export_to_xlsx(self, client, superuser, rows):
        client.force_login(superuser)
        page = client.get(admin_url(Site, "export"))
        data = {"format": "1", "resource": "0"}
        data.update({n: "on" for n, f in page.context["form"].fields.items() if getattr(f, "is_selectable_field", 0)})
        response = client.post(admin_url(Site, "export"), data)
        assert response.status_code == 200
        assert response.content[:2] == b"PK"  # a zip: an XLSX workbook

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

    def test_reference_data_is_read_only(self, client, staff_owner):
        client.force_login(staff_owner)
        region = GridRegion.objects.first()
        assert client.get(admin_url(GridRegion, "changelist")).status_code == 200
        assert not client.get(admin_url(GridRegion, "change", region.pk)).context["has_change_permission"]
        assert client.get(admin_url(ModelProfile, "changelist")).status_code == 200

    def test_export_holds_only_their_rows(self, client, staff_owner, rows):
        client.force_login(staff_owner)
        content = export(client, Server).content.decode()
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
        assert "Hostname already exists" in errors
        assert Server.objects.filter(organization=organization, hostname="acme-gpu1").count() == 1


class TestImport:
    CSV = (
        "site,hostname,status,accelerator_type,accelerator_count,power_w\n"
        "acme-site,imported-1,active,H100 SXM,8,10200\n"
        "acme-site,acme-gpu1,retired,H100 SXM,8,10200\n"
    )

    def test_staff_import_servers_into_their_organization(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        response = import_csv(client, Server, organization, self.CSV)
        assert response.status_code == 302, response.content.decode()[-3000:]
        imported = Server.objects.get(organization=organization, hostname="imported-1")
        assert imported.site == rows["acme"]["site"]
        assert imported.accelerator_type == h100()
        rows["acme"]["server"].refresh_from_db()
        assert rows["acme"]["server"].status == "retired"  # matched by hostname, updated
        assert Server.objects.get(hostname="other-gpu1").status == "active"

    def test_sites_are_matched_by_name_and_country_codes_uppercased(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        text = (
            "name,country,pue,renewable_share_pct,currency,cooling\n"
            "acme-site,fr,1.2,50,eur,liquid\n"
            "new-site,de,1.5,0,EUR,air\n"
        )
        assert import_csv(client, Site, organization, text).status_code == 302
        rows["acme"]["site"].refresh_from_db()
        assert (rows["acme"]["site"].country, rows["acme"]["site"].pue) == ("FR", 1.2)
        assert Site.objects.get(organization=organization, name="new-site").country == "DE"

    def test_cannot_import_into_another_organization(self, client, staff_owner, rows, other_organization):
        client.force_login(staff_owner)
        response = import_csv(client, Server, other_organization, self.CSV)
        assert response.status_code == 200
        assert "organization" in response.context["form"].errors
        assert not Server.objects.filter(hostname="imported-1").exists()

    def test_rows_naming_another_organization_are_refused(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        text = "organization,site,hostname,accelerator_count\nother-corp,other-site,stolen,0\n"
        response = import_csv(client, Server, organization, text)
        assert response.status_code == 200
        assert response.context["result"].has_validation_errors()
        assert not Server.objects.filter(hostname="stolen").exists()

    def test_another_organizations_site_is_not_found(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        text = "site,hostname,accelerator_count\nother-site,sneaky,0\n"
        response = import_csv(client, Server, organization, text)
        assert response.context["result"].has_validation_errors()
        assert "No site “other-site” in acme-ai." in response.content.decode()
        assert not Server.objects.filter(hostname="sneaky").exists()

    def test_a_tampered_confirmation_cannot_switch_organization(self, client, staff_owner, rows, organization):
        client.force_login(staff_owner)
        upload = SimpleUploadedFile("rows.csv", self.CSV.encode(), content_type="text/csv")
        response = client.post(
            admin_url(Server, "import"),
            {"organization": organization.pk, "resource": "0", "format": "0", "import_file": upload},
        )
        confirm = response.context["confirm_form"]
        data = {name: confirm.initial.get(name, "") for name in confirm.fields}
        data["organization"] = rows["other"]["site"].organization_id
        response = client.post(admin_url(Server, "process_import"), data)
        assert response.status_code == 200
        assert not Server.objects.filter(hostname="imported-1").exists()
