from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "reports"

    def ready(self) -> None:
        from assessments.views import provide_roadmap_chart
        from inventory.detail_context import provide_server_days_chart

        from . import dashboards, signals

        signals.connect()
        # The roadmap page (assessments) shows the timeline this app draws; assessments cannot import reports.
        provide_roadmap_chart(lambda assessment: dashboards.roadmap_chart(assessment=assessment))
        # So does a server's page (inventory) with the chart of its measured days.
        provide_server_days_chart(dashboards.server_days_chart)
