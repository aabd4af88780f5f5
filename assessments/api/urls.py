from rest_framework.routers import DefaultRouter

app_name = "assessments"

router = DefaultRouter()

urlpatterns = router.urls
