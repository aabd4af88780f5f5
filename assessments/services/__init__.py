"""Writes of the assessments app, one service function per business rule, split along its seams:

- `frameworks`: loading a framework version; the target levels' rules;
- `assessments`: starting (or re-assessing, also onto a newer framework version: `reassess_plan`), correcting a
  draft, submitting;
- `scoring_jobs`: the scoring job (``config.jobs``): queuing it after commit, the task's claim, failing, retrying,
  the deadline reaper;
- `evidence`: files and links behind answers, with their effective date and expiry (type sniffed, size limited);
- `answers`: every answer rule, saving answers (API), applying a page of answers (the questionnaire without
  JavaScript), clearing one, pre-filling from the inventory;
- `scores`: scoring a submitted assessment and storing its typed result (`assessments.results`);
- `roadmaps`: building the roadmap from the stored result, and tracking its items;
- `trackers`: pushing roadmap items to the organization's issue tracker and reading their state back.
- `owners`, `reviews`, `comments` (docs/collaboration.md): owners per area with due dates and reminders (carried
  by a re-assessment), review and sign-off of each area (and an owner's recorded override), threaded comments
  with @mentions; `notify` emails.

Views, serializers, forms, tasks and the admin call these names (re-exported here), so the web and the API
cannot disagree: a refusal is a `config.errors.DomainError` whichever channel asked.
"""

from .answers import (
    AnswerInput,
    AnswersApplied,
    answer_clear,
    answer_current,
    answers_apply,
    answers_prefill_from_inventory,
    answers_save,
    facts_by_question,
)
from .assessments import (
    assessment_create,
    assessment_deletable,
    assessment_delete,
    assessment_reassess,
    assessment_submit,
    assessment_update,
    reassess_owners,
    reassess_plan,
    reassess_target,
)
from .comments import comment_add, comment_edit, mentioned_names
from .evidence import (
    ALLOWED_TEXT,
    EVIDENCE_MAX_BYTES,
    EvidenceInput,
    evidence_add,
    evidence_remove,
    sniff_content_type,
)
from .frameworks import (
    default_target_levels,
    framework_for_scoring,
    framework_load,
    framework_or_default,
    framework_parse,
    validate_target_levels,
)
from .owners import OwnerCarried, assignment_remove, assignment_set, assignments_carry, assignments_remind_due
from .reviews import (
    area_answerers,
    area_review_approve,
    area_review_reopen,
    area_review_request,
    areas_not_approved,
    sign_off_check,
)
from .roadmaps import CAPACITY_AREA, ROADMAP_TRACKED_FIELDS, roadmap_build, roadmap_item_check, roadmap_item_update
from .scores import assessment_score
from .scoring_jobs import (
    assessment_mark_failed,
    assessment_scored_by,
    assessment_scoring_claim,
    assessment_scoring_reap,
    assessment_scoring_retry,
)
from .trackers import roadmap_item_issue_text, roadmap_item_push, roadmap_trackers_sync

__all__ = [
    "answer_current",
    "area_answerers",
    "area_review_approve",
    "area_review_reopen",
    "area_review_request",
    "areas_not_approved",
    "assignment_remove",
    "assignment_set",
    "assignments_carry",
    "assignments_remind_due",
    "OwnerCarried",
    "comment_add",
    "comment_edit",
    "mentioned_names",
    "sign_off_check",
    "ALLOWED_TEXT",
    "EVIDENCE_MAX_BYTES",
    "EvidenceInput",
    "evidence_add",
    "evidence_remove",
    "reassess_owners",
    "reassess_plan",
    "reassess_target",
    "sniff_content_type",
    "CAPACITY_AREA",
    "ROADMAP_TRACKED_FIELDS",
    "AnswerInput",
    "AnswersApplied",
    "answer_clear",
    "answers_apply",
    "answers_prefill_from_inventory",
    "answers_save",
    "assessment_create",
    "assessment_mark_failed",
    "assessment_reassess",
    "assessment_score",
    "assessment_scored_by",
    "assessment_scoring_claim",
    "assessment_scoring_reap",
    "assessment_scoring_retry",
    "assessment_deletable",
    "assessment_delete",
    "assessment_submit",
    "assessment_update",
    "default_target_levels",
    "facts_by_question",
    "framework_load",
    "framework_or_default",
    "framework_for_scoring",
    "framework_parse",
    "roadmap_build",
    "roadmap_item_check",
    "roadmap_item_issue_text",
    "roadmap_item_push",
    "roadmap_item_update",
    "roadmap_trackers_sync",
    "validate_target_levels",
]
