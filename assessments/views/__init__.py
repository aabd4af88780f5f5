"""Assessment pages, split by what they are about; `assessments.urls` routes to the names re-exported here.

- `assessments`: the list, starting one, its overview and results (read from the one typed result), the review,
  submitting, scoring again and re-assessing;
- `questionnaire`: one page per area to answer the questions (with and without JavaScript), and the area page
  itself (`AreaPage`), which the views of its other forms show again beside the form they refused;
- `collaboration`: an area's owner, its review and sign-off, comments per question (docs/collaboration.md);
- `roadmap`: the phased plan, tracking its items, the what-if, the CSV export;
- `lifecycle`: the answers' history, the preview of a re-assessment onto another framework version, evidence;
- `frameworks`: uploading an organization's own framework file;
- `base`: the assessment of the URL, scoped to the active organization (`AssessmentMixin`).

The views are thin: reads come from `selectors`, every rule is a service's (`assessments.services`).
"""

from .assessments import (
    AssessmentCreateView,
    AssessmentDeleteView,
    AssessmentDetailView,
    AssessmentListView,
    ReassessView,
    ReviewView,
    ScopeEditView,
    ScoringRetryView,
    SubmitView,
)
from .base import AssessmentMixin
from .collaboration import AreaOwnerView, AreaReviewView, CommentEditView, CommentView
from .frameworks import FrameworkUploadView
from .lifecycle import AnswerHistoryView, EvidenceAddView, EvidenceFileView, EvidenceRemoveView, ReassessPreviewView
from .questionnaire import AreaView, QuestionView, question_view
from .roadmap import RoadmapCsvView, RoadmapItemPushView, RoadmapItemTrackView, RoadmapView, provide_roadmap_chart

__all__ = [
    "AnswerHistoryView",
    "AreaOwnerView",
    "AreaReviewView",
    "AreaView",
    "CommentEditView",
    "CommentView",
    "EvidenceAddView",
    "EvidenceFileView",
    "EvidenceRemoveView",
    "ReassessPreviewView",
    "AssessmentCreateView",
    "AssessmentDetailView",
    "AssessmentListView",
    "AssessmentMixin",
    "FrameworkUploadView",
    "QuestionView",
    "ReassessView",
    "ScopeEditView",
    "ReviewView",
    "RoadmapCsvView",
    "RoadmapItemPushView",
    "RoadmapItemTrackView",
    "RoadmapView",
    "ScoringRetryView",
    "AssessmentDeleteView",
    "SubmitView",
    "provide_roadmap_chart",
    "question_view",
]
