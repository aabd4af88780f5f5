"""``/api/v1/webhooks/``: the organization's webhook endpoints (``accounts.api.integrations``)."""

from rest_framework.routers import SimpleRouter

from .integrations import WebhookEndpointViewSet

app_name = "webhooks"

router = SimpleRouter()
router.register("", WebhookEndpointViewSet, basename="webhook")

urlpatterns = router.urls
