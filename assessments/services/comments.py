"""Comments per question of an assessment, threaded (a reply belongs to its thread's first comment), with
@mentions of members: each member mentioned is emailed. Its author may edit a comment (marked as edited); members
it newly mentions are emailed then."""

from __future__ import annotations

import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from config.errors import Forbidden, Invalid

from ..models import Assessment, Comment
from .frameworks import framework_parse
from .notify import area_link, notify

MENTION = re.compile(r"(?<![\w@.])@([\w.+-]*[\w+-])")
"""``@username`` (letters, digits, ``. + - _``; an ending full stop is punctuation, not part of the name)."""
MAX_LENGTH = 5000


def mentioned_names(body: str) -> list[str]:
    """The usernames a comment mentions, in order, each once."""
    return list(dict.fromkeys(MENTION.findall(body)))


@transaction.atomic
def comment_add(
    *, assessment: Assessment, question_ref: str, body: str, user: AbstractBaseUser, parent_id: int | None = None
) -> Comment:
    """Comment on a question (or reply to a comment of it: the reply joins the thread of its first comment).

    Members mentioned as ``@username`` are linked to the comment and emailed (not the author). `Invalid` for an
    unknown question, an empty or too long body, or a parent that is not a comment on the same question.
    """
    framework = framework_parse(assessment.framework)
    area = next((a for a in framework.areas if any(q.id == question_ref for q in a.questions())), None)
    if area is None:
        raise Invalid(f"Unknown question {question_ref!r}.", code="unknown_question", field="question_id")
    body = _body(body)
    parent = None
    if parent_id is not None:
        parent = Comment.objects.filter(assessment=assessment, question_ref=question_ref, pk=parent_id).first()
        if parent is None:
            raise Invalid("Reply to a comment on the same question.", code="unknown_parent", field="parent_id")
        if parent.parent_id is not None:
            parent = Comment(pk=parent.parent_id)  # one level of threads: the reply joins its thread
    comment = Comment.objects.create(
        organization_id=assessment.organization_id,
        assessment=assessment,
        question_ref=question_ref,
        area_ref=area.id,
        parent=parent,
        author=user,
        body=body,
    )
    _mention(comment, assessment=assessment, user=user, already=set())
    return comment


def _body(body: str) -> str:
    """The comment's text, stripped; `Invalid` when empty or longer than `MAX_LENGTH`."""
    body = body.strip()
    if not body:
        raise Invalid("Write something to comment.", code="required", field="body")
    if len(body) > MAX_LENGTH:
        raise Invalid(f"A comment has at most {MAX_LENGTH} characters.", code="max_length", field="body")
    try:  # the field's own rules (no control or text-direction character), as the admin's form runs them
        Comment._meta.get_field("body").run_validators(body)
    except ValidationError as error:
        first = error.error_list[0]
        raise Invalid(first.messages[0], code=first.code or "invalid", field="body") from None
    return body


def _mention(comment: Comment, *, assessment: Assessment, user: AbstractBaseUser, already: set[int]) -> None:
    """Link the members the comment mentions (active members of the organization) and email those not in
    ``already`` (the ids it mentioned before an edit), never its author."""
    names = mentioned_names(comment.body)
    if not names and not already:
        return
    mentioned = list(
        get_user_model()
        .objects.filter(memberships__organization_id=assessment.organization_id, username__in=names, is_active=True)
        .distinct()
    )
    comment.mentions.set(mentioned)
    notify(
        users=[member for member in mentioned if member.pk != user.pk and member.pk not in already],
        subject=f"{user.get_username()} mentioned you on {comment.question_ref} in {assessment.title}",
        template="mentioned",
        context={
            "author": user.get_username(),
            "comment": comment,
            "assessment": assessment,
            "link": area_link(assessment.pk, comment.area_ref, comment.question_ref),
        },
    )


@transaction.atomic
def comment_edit(*, comment: Comment, body: str, user: AbstractBaseUser) -> Comment:
    """Change a comment's text: its author only (`Forbidden` for anyone else), the same rules as a new comment.
    It is marked as edited; the members it mentions now and did not before are emailed."""
    if comment.author_id != user.pk:
        raise Forbidden("Only its author can edit a comment.", field="body")
    comment.body = _body(body)
    comment.edited = timezone.now()
    comment.save(update_fields=["body", "edited"])
    already = {member.pk for member in comment.mentions.all()}  # prefetched by `selectors.comments_of`
    _mention(comment, assessment=comment.assessment, user=user, already=already)
    return comment
