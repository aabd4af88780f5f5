from django.urls import include, path

from config.parameters import Router

from . import telemetry, views

app_name = "inventory"

router = Router()
router.register("sites", views.SiteViewSet, basename="site")
router.register("servers", views.ServerViewSet, basename="server")
router.register("storage", views.StorageSystemViewSet, basename="storage")
router.register("networks", views.NetworkFabricViewSet, basename="network")
router.register("cloud", views.CloudCapacityViewSet, basename="cloud")
router.register("workloads", views.WorkloadViewSet, basename="workload")
router.register("accelerator-types", views.AcceleratorTypeViewSet, basename="acceleratortype")
router.register("model-profiles", views.ModelProfileViewSet, basename="modelprofile")
router.register("grid-regions", views.GridRegionViewSet, basename="gridregion")
router.register("bmc-endpoints", telemetry.BmcEndpointViewSet, basename="bmcendpoint")

urlpatterns = [
    # Measured telemetry (inventory.api.telemetry); before the router so that bmc-endpoints/read/ is not an id.
    path("telemetry/", telemetry.TelemetryUploadView.as_view(), name="telemetry-upload"),
    path("servers/<int:pk>/telemetry/", telemetry.ServerTelemetryView.as_view(), name="server-telemetry"),
    path("prometheus/", telemetry.PrometheusConfigView.as_view(), name="prometheus"),
    path("prometheus/pull/", telemetry.PrometheusPullView.as_view(), name="prometheus-pull"),
    path("prometheus/pull/retry/", telemetry.PrometheusPullRetryView.as_view(), name="prometheus-pull-retry"),
    path("bmc-endpoints/read/", telemetry.BmcReadView.as_view(), name="bmc-read"),
    *router.urls,
    # Bulk import, export and nvidia-smi discovery.
    path("", include("inventory.api.import_urls")),
]
