from django.urls import include, path
from rest_framework.routers import DefaultRouter

from . import views

app_name = "inventory"

router = DefaultRouter()
router.register("sites", views.SiteViewSet, basename="site")
router.register("servers", views.ServerViewSet, basename="server")
router.register("storage", views.StorageSystemViewSet, basename="storage")
router.register("networks", views.NetworkFabricViewSet, basename="network")
router.register("cloud", views.CloudCapacityViewSet, basename="cloud")
router.register("workloads", views.WorkloadViewSet, basename="workload")
router.register("accelerator-types", views.AcceleratorTypeViewSet, basename="acceleratortype")
router.register("model-profiles", views.ModelProfileViewSet, basename="modelprofile")
router.register("grid-regions", views.GridRegionViewSet, basename="gridregion")

urlpatterns = [
    *router.urls,
    # Bulk import, export and nvidia-smi discovery.
    path("", include("inventory.api.import_urls")),
]
