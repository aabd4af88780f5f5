"""Forms of the assessment pages: starting an assessment, uploading a framework file, an area's owner, review,
comments and evidence, and reading the answers of one area page posted without JavaScript.

Forms parse what is posted (strings into values, field by field); the rules an answer obeys (bounds, options,
reasons, what may be kept without an answer) are the services' (`services.answers_apply`), the API's too."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet

from accounts.models import Organization
from inventory.models import CloudCapacity, Site, Workload
from inventory.selectors import cloud_capacity_for, sites_for, workloads_for

from . import scoring
from .models import Answer, Framework, RoadmapStatus
from .selectors import framework_of
from .services import AnswerInput, EvidenceInput
from .services.answers import page_state

LEVEL_CHOICES = [(level.value, f"{level.value} {level.label}") for level in scoring.MaturityLevel]


def target_field_name(area_id: str) -> str:
    return f"target_{area_id}"


class FrameworkChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Framework) -> str:
        own = "" if obj.organization_id is None else " (your organization's)"
        return f"{obj.title} {obj.version}{own}"


class ScopeChoiceField(forms.ModelMultipleChoiceField):
    """Rows of the organization (the queryset the form sets), chosen by id. An id beyond the column's range is not
    one of them either (SQLite's driver raised OverflowError while the choices were checked: a 500)."""

    def _check_values(self, value: Any) -> QuerySet[Any]:
        try:
            return super()._check_values(value)
        except OverflowError:
            too_large = next((v for v in value if str(v).lstrip("-").isdigit() and abs(int(v)) >= 2**63), "")
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": too_large}
            ) from None


class ScopeFields(forms.Form):
    """What an assessment's inventory evidence covers: sites, workloads and cloud capacity of the organization
    (none chosen: the whole organization). Shown by name."""

    sites = ScopeChoiceField(
        queryset=Site.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: the whole organization (every site and the cloud capacity).",
    )
    workloads = ScopeChoiceField(
        queryset=Workload.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every workload.",
    )
    cloud_capacity = ScopeChoiceField(
        queryset=CloudCapacity.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Cloud capacity",
        help_text="None chosen: all of it when no site is chosen, none when sites are.",
    )

    def set_scope_choices(self, organization: Organization) -> None:
        self.fields["sites"].queryset = sites_for(organization=organization).order_by("name")
        self.fields["workloads"].queryset = workloads_for(organization=organization).order_by("name")
        self.fields["cloud_capacity"].queryset = cloud_capacity_for(organization=organization).order_by("provider")

    def scope_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("sites", "workloads", "cloud_capacity") if self.fields[name].queryset.exists()]

    def scope_choices(self) -> dict[str, Any]:
        return {name: list(self.cleaned_data.get(name) or ()) for name in ("sites", "workloads", "cloud_capacity")}


class AssessmentScopeForm(ScopeFields):
    """Change a draft's scope: its notes and what its evidence covers."""

    scope = forms.CharField(
        required=False,
        label="Scope notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Business units, teams or anything else it covers, in words.",
    )

    def __init__(self, *args: Any, organization: Organization, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.set_scope_choices(organization)


class AssessmentCreateForm(ScopeFields, forms.Form):
    """Title, scope, framework, and a target maturity level per area of `framework` (the one whose areas are shown).

    When the posted framework is another one than the framework whose targets were shown, the form is invalid:
    the page is shown again with the targets of the chosen framework.
    """

    title = forms.CharField(max_length=200, help_text="For example “GenAI readiness 2025, Frankfurt”.")
    scope = forms.CharField(
        required=False,
        label="Scope notes",
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Business units, teams or anything else it covers, in words.",
    )
    framework = FrameworkChoiceField(queryset=Framework.objects.none(), empty_label=None)
    targets_for = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(
        self,
        *args: Any,
        frameworks: QuerySet[Framework],
        targets_framework: Framework,
        organization: Organization | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if organization is not None:
            self.set_scope_choices(organization)
        self.fields["framework"].queryset = frameworks
        self.targets_framework = targets_framework
        self.initial.setdefault("framework", targets_framework.pk)
        self.initial["targets_for"] = targets_framework.pk
        self.areas = framework_of(targets_framework).areas
        for area in self.areas:
            self.fields[target_field_name(area.id)] = forms.TypedChoiceField(
                label=area.name,
                choices=LEVEL_CHOICES,
                coerce=int,
                initial=area.default_target_level,
                required=False,
                empty_value=area.default_target_level,
            )

    def target_fields(self) -> list[forms.BoundField]:
        return [self[target_field_name(area.id)] for area in self.areas]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        framework = cleaned.get("framework")
        if framework is not None and cleaned.get("targets_for") not in (None, framework.pk):
            raise forms.ValidationError(
                f"Check the target levels for the areas of {framework.title} {framework.version}, then start.",
                code="targets",
            )
        return cleaned

    def target_levels(self) -> dict[str, int]:
        return {area.id: self.cleaned_data[target_field_name(area.id)] for area in self.areas}


class FrameworkUploadForm(forms.Form):
    file = forms.FileField(
        required=False,
        label="Framework file",
        help_text="A YAML (or JSON) file in the framework format.",
        widget=forms.ClearableFileInput(attrs={"accept": ".yaml,.yml,.json,application/json,text/yaml"}),
    )
    content = forms.CharField(
        required=False,
        label="Or paste its text",
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false", "class": "font-monospace"}),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("file"):
            cleaned["text"] = cleaned["file"].read()
        elif cleaned.get("content", "").strip():
            cleaned["text"] = cleaned["content"]
        elif not self.errors:
            raise forms.ValidationError("Choose a framework file, or paste its text.")
        return cleaned


# --- the area page's other forms: an owner, evidence, its review, comments -----------------------------------------


class AreaOwnerForm(forms.Form):
    """The owner of an area, or of one of its questions (the form that posts ``question_id``), and a due date.

    Parsing only; `services.assignment_set` checks the rest (a member, a question of the area, a date not past). A
    refused form is shown again, bound, beside the card that posted it (`views.questionnaire.AreaPage`)."""

    question_id = forms.CharField(required=False)
    assignee = forms.CharField(required=False)
    due_date = forms.DateField(required=False, error_messages={"invalid": "Enter the due date as a date."})

    @property
    def for_question(self) -> bool:
        """Posted by the form of one question's owner (which always names a question)."""
        return "question_id" in self.data

    @property
    def assignee_id(self) -> int | None:
        assignee = self.cleaned_data.get("assignee", "")
        return int(assignee) if assignee.isdigit() else None


class EvidenceForm(forms.Form):
    """A link or a file behind the answer to one question of the area, with its effective date and expiry.

    Parsing only, as the API's input does (`api.serializers.EvidenceInputSerializer`); `services.evidence_add`
    checks the rest (a question of the framework, a title, a link or a file, the expiry after the effective date,
    the file's type and size)."""

    question_id = forms.CharField(required=False, label="Question")
    title = forms.CharField(required=False, max_length=200, label="What it is")
    url = forms.CharField(required=False, label="Link")
    file = forms.FileField(required=False, allow_empty_file=True, label="File")
    effective_date = forms.DateField(
        label="Effective", error_messages={"required": "Give a date.", "invalid": "A date as YYYY-MM-DD."}
    )
    expires_on = forms.DateField(required=False, label="Expires", error_messages={"invalid": "A date as YYYY-MM-DD."})

    def as_input(self) -> EvidenceInput:
        data = self.cleaned_data
        return EvidenceInput(
            question_id=data["question_id"],
            title=data["title"],
            effective_date=data["effective_date"],
            expires_on=data["expires_on"],
            url=data["url"],
            upload=data["file"],
        )


class AreaReviewForm(forms.Form):
    """Ask for the area's review, approve it, or send it back to draft (``action``, the button pressed) with a note.

    Parsing only, as the API's input does (`api.collaboration`: a note of at most 500 characters); the review
    services check the rest (the area's state, who may approve)."""

    ACTIONS = ("request", "approve", "reopen")

    action = forms.ChoiceField(choices=[(action, action) for action in ACTIONS])
    note = forms.CharField(
        required=False,
        max_length=500,
        label="What to change",
        error_messages={"max_length": "Say it in at most %(limit_value)d characters (it has %(show_value)d)."},
    )


class CommentForm(forms.Form):
    """A comment on a question of the area, a reply to one (``parent_id``), or, given ``comment``, a new text for
    that comment (its edit form).

    Parsing only; `services.comment_add` and `services.comment_edit` check the rest (a question of the framework,
    a body that is not empty nor too long, a parent on the same question, its author only). Which box of the page
    posted it (``place``: ``comment``, ``reply`` or ``edit``) is where a refusal is shown again."""

    body = forms.CharField(required=False, strip=False, label="Comment")

    def __init__(self, *args: Any, comment: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.comment = comment
        parent = str(self.data.get("parent_id", ""))
        self.reply_to: int | None = None if comment is not None or not parent.isdigit() else int(parent)
        """The comment replied to (the top comment of its thread, whose reply box posted it); None otherwise."""
        self.fields["body"].label = "Your comment" if comment is not None else "Reply" if self.reply_to else "Comment"

    @property
    def question_id(self) -> str:
        """The question commented on (the edited comment's)."""
        return self.comment.question_ref if self.comment is not None else str(self.data.get("question_id", ""))

    @property
    def comment_id(self) -> int | None:
        return self.comment.pk if self.comment is not None else None

    @property
    def place(self) -> str:
        return "edit" if self.comment is not None else "reply" if self.reply_to else "comment"


# --- the answers of one area page, posted as a plain form ---------------------------------------------------------

YES, NO = "yes", "no"
ANSWER_PARTS = ("value", "na", "na_reason", "note", "evidence_url")


def field_name(question_id: str, part: str) -> str:
    """The form field of one part of a question's answer: `HW-PP-01-value`, `HW-PP-01-na`, ..."""
    return f"{question_id}-{part}"


@dataclass
class PostedAnswer:
    """What the form says about one question: the raw strings (to show again) and the parsed answer."""

    question: scoring.Question
    raw_value: str
    not_applicable: bool
    na_reason: str
    note: str
    evidence_url: str
    value: Any = None
    errors: list[str] | None = None
    version: int | None = None

    def as_input(self) -> AnswerInput:
        """The answer the page now gives, for `services.answers_apply` (no value and not N/A: no answer)."""
        return AnswerInput(
            question_id=self.question.id,
            value=None if self.not_applicable else self.value,
            not_applicable=self.not_applicable,
            na_reason=self.na_reason,
            note=self.note,
            evidence_url=self.evidence_url,
            version=self.version,
        )


def value_to_raw(question: scoring.Question, value: Any) -> str:
    """A stored answer value as the form shows it."""
    if value is None:
        return ""
    if question.type == "yes_no":
        return YES if value else NO
    if question.type == "numeric" and isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def parse_number(raw: str) -> int | float:
    """A finite number from a form string; whole numbers become ints (stored as `90`, not `90.0`)."""
    number = float(raw)
    if not math.isfinite(number):
        raise ValueError(raw)
    return int(number) if number.is_integer() and abs(number) < 1e15 else number


def parse_value(question: scoring.Question, raw: str) -> tuple[Any, str | None]:
    """The value of a raw form string as its question's type reads it, or an error naming the question.

    Parsing only (a level is a whole number, yes/no is a bool, a number is a number); whether the question takes
    that value (a level 0-4, one of its options, within its bounds) is checked by the service.
    """
    raw = raw.strip()
    if not raw:
        return None, None
    if question.type == "maturity":
        if not raw.isdigit():
            return None, f"{question.id}: choose a level from 0 to 4."
        return int(raw), None
    if question.type == "yes_no":
        if raw not in (YES, NO):
            return None, f"{question.id}: answer yes or no."
        return raw == YES, None
    if question.type == "choice":
        return raw, None
    try:
        return parse_number(raw), None
    except ValueError:
        return None, f"{question.id}: “{raw}” is not a number."


# The answer's evidence link: its model field's rules (an http(s) address within its column), a bare host taken as
# https (``example.com/report`` -> ``https://example.com/report``).
_URL_FIELD = forms.URLField(
    max_length=Answer._meta.get_field("evidence_url").max_length,
    required=False,
    assume_scheme="https",
    validators=Answer._meta.get_field("evidence_url").validators,
)


def read_posted_answer(question: scoring.Question, data: Any) -> PostedAnswer:
    """Read one question's fields of a posted area form: the raw strings, the parsed value, and parse errors."""
    posted = PostedAnswer(
        question=question,
        raw_value=str(data.get(field_name(question.id, "value"), "")),
        not_applicable=question.allow_na and data.get(field_name(question.id, "na")) in ("on", "1", "true"),
        na_reason=str(data.get(field_name(question.id, "na_reason"), "")).strip(),
        note=str(data.get(field_name(question.id, "note"), "")).replace("\r\n", "\n").strip(),
        evidence_url=str(data.get(field_name(question.id, "evidence_url"), "")).strip(),
        errors=[],
    )
    version = str(data.get(field_name(question.id, "version"), "")).strip()
    posted.version = int(version) if version.isdigit() else None  # the version the page showed (no lost updates)
    errors: list[str] = []
    if not posted.not_applicable:
        posted.value, error = parse_value(question, posted.raw_value)
        if error:
            errors.append(error)
    if len(posted.na_reason) > 500:
        errors.append(f"{question.id}: the reason takes at most 500 characters.")
    if posted.evidence_url:
        try:
            posted.evidence_url = _URL_FIELD.clean(posted.evidence_url)
        except forms.ValidationError:
            errors.append(f"{question.id}: the evidence link must be a web address (https://…).")
    posted.errors = errors
    return posted


def stored_state(question: scoring.Question, answer: Answer | None) -> tuple[str, bool, str, str, str]:
    """What the form shows for a stored answer (`services.answers.page_state`, its value as the field's text)."""
    value, not_applicable, na_reason, note, evidence_url = page_state(answer)
    return (value_to_raw(question, value), not_applicable, na_reason, note, evidence_url)


class RoadmapTrackForm(forms.Form):
    """Track one roadmap item: status, why it is dismissed, owner (a member of the organization), due date."""

    status = forms.ChoiceField(choices=RoadmapStatus.choices)
    status_reason = forms.CharField(
        label="Reason (to dismiss)", required=False, max_length=500, help_text="Required to dismiss an item."
    )
    owner = forms.TypedChoiceField(required=False, coerce=int, empty_value=None)
    due_date = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: Sequence[Any], **kwargs: Any) -> None:
        """``members``: the organization's users, evaluated once (a page renders one form per item)."""
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "No owner"), *((user.pk, user.get_username()) for user in members)]

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "status": data["status"],
            "status_reason": data.get("status_reason", ""),
            "owner_id": data.get("owner"),
            "due_date": data.get("due_date"),
        }
