from django.contrib import admin
from django.http import HttpRequest, HttpResponseRedirect
from django.templatetags.static import static
from django.urls import include, path
from drf_spectacular.views import SpectacularRedocView, SpectacularSwaggerSplitView

from reports.views import HomeView

from . import health
from .api_schema import CachedSchemaView

admin.site.site_header = "InfraReady administration"
admin.site.site_title = "InfraReady admin"


def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Pages without our <link rel="icon"> (the admin, the API docs) make browsers ask for /favicon.ico."""
    return HttpResponseRedirect(static("favicon.svg"))


urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", favicon),
    path("readyz", health.readyz, name="readyz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("accounts.urls")),
    path("inventory/", include("inventory.urls")),
    path("assessments/", include("assessments.urls")),
    path("reports/", include("reports.urls")),
    path("api/v1/", include(("config.api", "api"), namespace="api")),
    path("api/schema/", CachedSchemaView.as_view(), name="api-schema"),  # built once per process
    # Content-Security-Policy: Swagger UI's start-up script is a separate response (?script), not inline; Redoc
    # without drf-spectacular's Google Fonts.
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path(
        "api/redoc/",
        SpectacularRedocView.as_view(url_name="api-schema", template_name="api/redoc.html"),
        name="api-redoc",
    ),
    path("", HomeView.as_view(), name="home"),
]

# A server error under /api/ answers the API's one error shape; elsewhere the site's 500 page.
handler404 = "config.api_errors.not_found"
handler500 = "config.api_errors.server_error"
