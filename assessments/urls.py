from django.urls import path

from . import roadmap_views, views

app_name = "assessments"

urlpatterns = [
    path("", views.AssessmentListView.as_view(), name="list"),
    path("new/", views.AssessmentCreateView.as_view(), name="create"),
    path("frameworks/upload/", views.FrameworkUploadView.as_view(), name="framework_upload"),
    path("<int:pk>/", views.AssessmentDetailView.as_view(), name="detail"),
    path("<int:pk>/areas/<slug:area_id>/", views.AreaView.as_view(), name="area"),
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("<int:pk>/reassess/", views.ReassessView.as_view(), name="reassess"),
    path("<int:pk>/roadmap/", roadmap_views.RoadmapView.as_view(), name="roadmap"),
    path("<int:pk>/roadmap.csv", roadmap_views.RoadmapCsvView.as_view(), name="roadmap_csv"),
    path("<int:pk>/roadmap/<str:item_id>/track/", roadmap_views.RoadmapItemTrackView.as_view(), name="roadmap_track"),
]
