"""The dashboard pages: what they show, to whom, their CSV downloads, empty states, and plotly.js from our own static
files."""

from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from accounts.models import Role
from accounts.tests.factories import MembershipFactory, OrganizationFactory, UserFactory
from assessments.tests.factories import start_assessment
from inventory.tests.factories import WorkloadFactory
from reports import dashboards
from reports.staticfiles import PLOTLY_DIR

from .dashboard_data import scored_assessment, servers, site

pytestmark = pytest.mark.django_db

PLOTLY_URL = "/static/vendor/plotly/plotly.min.js"


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


def chart_ids(response) -> set[str]:
    return {name for name in response.context["charts"] if response.context["charts"][name].figure is not None}


def text(response) -> str:
    return response.content.decode()


class TestOverview:
    def test_a_new_organization_is_told_what_to_do_first_and_gets_no_empty_chart(self, owner_client):
        response = owner_client.get("/")
        page = text(response)
        assert response.status_code == 200
        assert "Submit an assessment to get a readiness index." in page
        assert f'href="{reverse("assessments:create")}">Start an assessment</a>' in page
        assert "No servers yet." in page
        assert f'href="{reverse("inventory:server_create")}">Add servers</a>' in page
        assert 'class="chart"' not in page
        assert "Next on the roadmap" not in page

    def test_a_draft_points_to_the_assessments_instead(self, owner_client, organization, owner):
        start_assessment(organization=organization, user=owner)
        page = text(owner_client.get("/"))
        assert f'href="{reverse("assessments:list")}">Go to your assessments</a>' in page
        assert "Start an assessment</a>" not in page

    def test_the_latest_scored_assessment_its_change_and_the_top_five_roadmap_items(
        self, owner_client, organization, owner
    ):
        servers(organization, 1)
        first = scored_assessment(organization, owner, title="Spring")
        latest = scored_assessment(organization, owner, previous=first)
        response = owner_client.get("/")
        page = text(response)
        summary = response.context["overview"]
        assert summary.headline.pk == latest.pk
        assert chart_ids(response) == {"indicator", "radar", "area_bars", "trend"}
        for name in ("readiness-index", "area-radar", "area-bars", "trend"):
            assert f'id="chart-{name}"' in page
            assert f'id="fig-{name}"' in page
            assert reverse("reports:chart_csv", args=["overview", name]) in page
        assert "points since Spring" in page
        assert page.count(f'href="/assessments/{latest.pk}/roadmap/#item-') == 5
        assert 'id="no-inventory"' not in page
        assert PLOTLY_URL in page
        assert "/static/js/charts.js" in page

    def test_only_pages_with_charts_load_plotly(self, owner_client):
        assert PLOTLY_URL not in text(owner_client.get(reverse("assessments:list")))
        assert PLOTLY_URL not in text(owner_client.get(reverse("inventory:overview")))


class TestAssessmentDashboard:
    def test_every_chart_of_a_scored_assessment_and_its_risks(self, owner_client, organization, owner):
        assessment = scored_assessment(organization, owner)
        response = owner_client.get(reverse("reports:dashboard_assessment", args=[assessment.pk]))
        page = text(response)
        assert response.status_code == 200
        assert set(response.context["charts"]) == set(dashboards.ASSESSMENT_CHARTS)
        # no inventory: no evidence to compare with, so that chart says what to do instead
        assert chart_ids(response) == set(dashboards.ASSESSMENT_CHARTS) - {"self_vs_evidence"}
        assert "Add sites, servers and workloads in Inventory" in page
        risks = response.context["dashboard"].risks
        assert risks
        assert page.count('<tr>\n          <td data-label="Risk">') == len(risks)
        assert risks[0].recommendation in page
        assert reverse("reports:assessment_chart_csv", args=[assessment.pk, "roadmap-gantt"]) in page

    def test_a_draft_says_it_fills_in_once_scored(self, owner_client, organization, owner):
        draft = start_assessment(organization=organization, user=owner)
        page = text(owner_client.get(reverse("reports:dashboard_assessment", args=[draft.pk])))
        assert "The dashboard fills in once the assessment is scored." in page
        assert 'class="chart"' not in page

    def test_another_organizations_assessment_is_not_found(self, client, organization, other_organization, outsider):
        theirs = scored_assessment(other_organization, outsider)
        member = MembershipFactory(organization=organization, role=Role.OWNER).user
        client.force_login(member)
        assert client.get(reverse("reports:dashboard_assessment", args=[theirs.pk])).status_code == 404
        url = reverse("reports:assessment_chart_csv", args=[theirs.pk, "area-radar"])
        assert client.get(url).status_code == 404

    def test_a_viewer_reads_and_an_anonymous_visitor_is_sent_to_log_in(self, client, organization, owner, viewer):
        assessment = scored_assessment(organization, owner)
        url = reverse("reports:dashboard_assessment", args=[assessment.pk])
        assert client.get(url).status_code == 302
        client.force_login(viewer)
        assert client.get(url).status_code == 200
        for page in ("dashboard_inventory", "dashboard_energy", "dashboard_trend"):
            assert client.get(reverse(f"reports:{page}")).status_code == 200

    def test_linked_from_the_results_and_the_roadmap_shows_the_timeline(self, owner_client, organization, owner):
        assessment = scored_assessment(organization, owner)
        detail = text(owner_client.get(reverse("assessments:detail", args=[assessment.pk])))
        assert f'href="{reverse("reports:dashboard_assessment", args=[assessment.pk])}">Dashboard</a>' in detail
        roadmap = owner_client.get(reverse("assessments:roadmap", args=[assessment.pk]))
        assert 'id="chart-roadmap-gantt"' in text(roadmap)
        assert PLOTLY_URL in text(roadmap)
        rows = roadmap.context["gantt"].table.rows
        assert [row[0] for row in rows] == list(range(1, len(rows) + 1))


class TestInventoryAndEnergy:
    def test_empty_inventory_shows_what_to_add(self, owner_client):
        page = text(owner_client.get(reverse("reports:dashboard_inventory")))
        assert "Add servers with accelerators in Inventory" in page
        assert "Add a workload in Inventory" in page
        assert f'href="{reverse("inventory:server_create")}">Add servers</a>' in page
        assert 'class="chart"' not in page
        # nothing recorded is not "0 accelerators" measured, nor "the 0 declared workloads"
        assert "0 accelerator" not in page
        assert "the 0 declared" not in page
        assert "Nothing is recorded yet: each chart below says what to add." in page
        energy = text(owner_client.get(reverse("reports:dashboard_energy")))
        assert 'class="chart"' not in energy
        assert 'id="energy-totals"' not in energy

    def test_fleet_charts_and_energy_totals(self, owner_client, organization):
        servers(organization, 2)
        WorkloadFactory(organization=organization, name="Assistant")
        response = owner_client.get(reverse("reports:dashboard_inventory"))
        assert chart_ids(response) == set(dashboards.INVENTORY_CHARTS)
        rows = response.context["charts"]["accelerators"].table.rows
        assert rows == (("Frankfurt", "NVIDIA H100 SXM", 16, 1280.0),)
        energy = owner_client.get(reverse("reports:dashboard_energy"))
        page = text(energy)
        assert 'id="chart-energy-cost-carbon"' in page
        assert "18,615" in page  # 2 x 10.2 kW x PUE 1.25 x 730 h
        assert "€3,723</span>/month" in page  # at 0.20 EUR/kWh, formatted by its currency

    def test_costs_in_several_currencies_are_also_totalled_in_the_reporting_currency(self, owner_client, organization):
        from inventory.models import ExchangeRateOverride

        servers(organization, 1, at=site(organization, name="Frankfurt", currency="EUR"))
        servers(organization, 1, at=site(organization, name="Ashburn", currency="USD"))
        ExchangeRateOverride.objects.create(organization=organization, currency="USD", rate_per_eur="1.25")
        page = text(owner_client.get(reverse("reports:dashboard_energy")))
        # 10.2 kW x PUE 1.25 x 730 h x 0.20 = 1,861.5 a month at each site: €1,862 and $1,862 each on its own line,
        # then €1,861.5 + $1,861.5 / 1.25 = €3,351 in the reporting currency, with the rate it used.
        assert "€1,862</span>/month" in page
        assert "$1,862</span>/month" in page
        total = page[page.index('id="energy-cost-total"') :]
        assert total.startswith('id="energy-cost-total">= <strong class="fs-5">€3,351</strong>/month<br>')
        rates = total[total.index('<span class="small text-body-secondary">at ') :]
        assert "1.25" in rates[: rates.index("</span>")]

    def test_user_text_stays_text_in_the_figure_and_the_table(self, owner_client, organization):
        name = '</script><script>alert("x")</script>'
        servers(organization, 1, at=site(organization, name=name))
        page = text(owner_client.get(reverse("reports:dashboard_inventory")))
        assert name not in page
        assert "\\u003C/script\\u003E\\u003Cscript\\u003Ealert" in page  # in the figure's JSON
        assert "&lt;/script&gt;&lt;script&gt;alert" in page  # in the data table


class TestCsv:
    def test_a_charts_table_as_csv_formula_cells_neutralized(self, owner_client, organization):
        servers(organization, 1, at=site(organization, name="=HYPERLINK()"))
        response = owner_client.get(reverse("reports:chart_csv", args=["inventory", "accelerators-by-site"]))
        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="inventory-accelerators-by-site.csv"'
        lines = response.content.decode().splitlines()
        assert lines == ["Site,Accelerator,Accelerators (count),Memory (GB)", "'=HYPERLINK(),NVIDIA H100 SXM,8,640.0"]

    def test_assessment_charts_as_csv(self, owner_client, organization, owner):
        assessment = scored_assessment(organization, owner)
        response = owner_client.get(reverse("reports:assessment_chart_csv", args=[assessment.pk, "area-bars"]))
        lines = response.content.decode().splitlines()
        assert lines[0].startswith("Area,Score (0-100),Level (1-5),Target (0-100)")
        assert len(lines) == 11  # ten areas

    @pytest.mark.parametrize(("page", "chart"), [("nowhere", "trend"), ("trend", "area-radar"), ("overview", "x")])
    def test_unknown_pages_and_charts_are_not_found(self, owner_client, page, chart):
        assert owner_client.get(reverse("reports:chart_csv", args=[page, chart])).status_code == 404

    def test_csv_is_of_the_active_organization_only(self, client, organization, owner, other_organization, outsider):
        servers(other_organization, 1, at=site(other_organization, name="Theirs"))
        servers(organization, 1, at=site(organization, name="Ours"))
        client.force_login(owner)
        body = client.get(reverse("reports:chart_csv", args=["inventory", "accelerators-by-site"])).content.decode()
        assert "Ours" in body
        assert "Theirs" not in body


class TestPlotlyStaticFile:
    def test_found_in_the_installed_plotly_package_and_nothing_else(self):
        path = finders.find("vendor/plotly/plotly.min.js")
        assert path == f"{PLOTLY_DIR}/plotly.min.js"
        assert finders.find("vendor/plotly/widgetbundle.js") is None
        assert finders.find("vendor/plotly/plotly.min.js", find_all=True) == [path]

    def test_served_by_whitenoise(self, client):
        response = client.get(PLOTLY_URL)
        assert response.status_code == 200
        assert b"".join(response.streaming_content).startswith(b"/**\n* plotly.js v")

    def test_collectstatic_copies_it_under_its_prefix_with_a_hashed_name(self, tmp_path, settings):
        from django.core.management import call_command

        settings.STATIC_ROOT = tmp_path
        settings.STORAGES = {
            **settings.STORAGES,
            "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
        }
        call_command("collectstatic", "--noinput", "-v", "0")
        copied = tmp_path / "vendor" / "plotly" / "plotly.min.js"
        assert copied.read_bytes() == (Path(PLOTLY_DIR) / "plotly.min.js").read_bytes()
        (hashed,) = (tmp_path / "vendor" / "plotly").glob("plotly.min.*.js")
        assert hashed.name in (tmp_path / "staticfiles.json").read_text()


def test_a_user_without_organization_is_sent_to_create_one(client):
    client.force_login(UserFactory(username="lonely"))
    response = client.get(reverse("reports:dashboard_inventory"))
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:organization_create")


def test_another_organization_is_never_shown(client, organization, owner, other_organization, outsider):
    scored_assessment(other_organization, outsider, title="Their secret review")
    servers(other_organization, 1, at=site(other_organization, name="Their site"))
    OrganizationFactory()  # and one more, empty
    client.force_login(owner)
    for url in ("/", reverse("reports:dashboard_inventory"), reverse("reports:dashboard_trend")):
        page = text(client.get(url))
        assert "Their secret review" not in page
        assert "Their site" not in page
