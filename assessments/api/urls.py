from rest_framework.routers import SimpleRouter

from . import views

app_name = "assessments"

# The assessments themselves are the section's root (`/api/v1/assessments/`); frameworks are registered first
# so that `frameworks/` is never read as an assessment id.
router = SimpleRouter()
router.register("frameworks", views.FrameworkViewSet, basename="framework")
router.register("", views.AssessmentViewSet, basename="assessment")

urlpatterns = router.urls
