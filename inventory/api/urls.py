from rest_framework.routers import DefaultRouter

app_name = "inventory"

router = DefaultRouter()

urlpatterns = router.urls
