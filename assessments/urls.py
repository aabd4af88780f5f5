from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.AssessmentListView.as_view(), name="list"),
    path("new/", views.AssessmentCreateView.as_view(), name="create"),
    path("frameworks/upload/", views.FrameworkUploadView.as_view(), name="framework_upload"),
    path("<int:pk>/", views.AssessmentDetailView.as_view(), name="detail"),
    path("<int:pk>/areas/<slug:area_id>/", views.AreaView.as_view(), name="area"),
    path("<int:pk>/areas/<slug:area_id>/review/", views.AreaReviewView.as_view(), name="area_review"),
    path("<int:pk>/areas/<slug:area_id>/owner/", views.AreaOwnerView.as_view(), name="area_owner"),
    path("<int:pk>/areas/<slug:area_id>/evidence/", views.EvidenceAddView.as_view(), name="area_evidence"),
    path("<int:pk>/areas/<slug:area_id>/comments/", views.CommentView.as_view(), name="area_comment"),
    path(
        "<int:pk>/areas/<slug:area_id>/comments/<int:comment_id>/",
        views.CommentEditView.as_view(),
        name="area_comment_edit",
    ),
    path("<int:pk>/scope/", views.ScopeEditView.as_view(), name="scope"),
    path("<int:pk>/review/", views.ReviewView.as_view(), name="review"),
    path("<int:pk>/submit/", views.SubmitView.as_view(), name="submit"),
    path("<int:pk>/retry/", views.ScoringRetryView.as_view(), name="retry"),
    path("<int:pk>/delete/", views.AssessmentDeleteView.as_view(), name="delete"),
    path("<int:pk>/reassess/", views.ReassessView.as_view(), name="reassess"),
    path("<int:pk>/reassess/preview/", views.ReassessPreviewView.as_view(), name="reassess_preview"),
    path("<int:pk>/history/", views.AnswerHistoryView.as_view(), name="history"),
    path("<int:pk>/evidence/<int:evidence_id>/remove/", views.EvidenceRemoveView.as_view(), name="evidence_remove"),
    path("<int:pk>/evidence/<int:evidence_id>/file/", views.EvidenceFileView.as_view(), name="evidence_file"),
    path("<int:pk>/roadmap/", views.RoadmapView.as_view(), name="roadmap"),
    path("<int:pk>/roadmap.csv", views.RoadmapCsvView.as_view(), name="roadmap_csv"),
    path("<int:pk>/roadmap/<str:item_id>/track/", views.RoadmapItemTrackView.as_view(), name="roadmap_track"),
    path("<int:pk>/roadmap/<str:item_id>/push/", views.RoadmapItemPushView.as_view(), name="roadmap_push"),
]
