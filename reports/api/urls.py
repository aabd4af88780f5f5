from rest_framework.routers import DefaultRouter

app_name = "reports"

router = DefaultRouter()

urlpatterns = router.urls
