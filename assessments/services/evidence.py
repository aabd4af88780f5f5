"""Evidence behind answers: files and links, each with an effective date and an expiry.

Files are limited in size (`EVIDENCE_MAX_BYTES`) and type: the type is sniffed from the first bytes of the content
(`sniff_content_type`), never taken from the uploaded name or the client's Content-Type; the file is stored through
Django's storage API under a random name with the extension of the sniffed type. Expired evidence lowers its area's
confidence (`scoring`, docs/scoring.md) and becomes a "refresh evidence" roadmap item (`roadmaps`).
"""

from __future__ import annotations

import io
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date
from typing import IO

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction

from config.errors import ErrorItem, Invalid, TooLarge

from ..models import Assessment, Evidence, EvidenceKind
from .answers import locked_draft
from .frameworks import framework_parse

EVIDENCE_MAX_BYTES = 10 * 1024 * 1024
# type -> extension of the stored file; what people may upload.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "text/plain": "txt",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
}
ALLOWED_TEXT = "PDF, PNG, JPEG, plain text or CSV, XLSX or DOCX"

_LINK = Evidence._meta.get_field("url")
LINK_MAX_LENGTH = _LINK.max_length or 500


def _link_problem(url: str) -> ErrorItem | None:
    """A link follows its model field's rules (`config.validators.validate_web_address`: an http or https address;
    ``javascript:``, words or a file share are refused) and fits its column, whichever channel gave it."""
    try:
        _LINK.run_validators(url)
    except ValidationError:
        pass
    else:
        if len(url) <= LINK_MAX_LENGTH:
            return None
    return ErrorItem(
        f"The link must be a web address (https://…) of at most {LINK_MAX_LENGTH} characters.",
        "invalid_url",
        field="url",
    )


def sniff_content_type(head: bytes, opened: IO[bytes] | None = None) -> str | None:
    """The type of a file from its content (magic numbers), one of `ALLOWED_TYPES`, else ``None``.

    ``head`` is the start of the file (at least 8 KiB when there is that much); ``opened`` the whole file, read
    only for ZIP containers (XLSX and DOCX are ZIP files told apart by their parts).
    """
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"PK\x03\x04") and opened is not None:
        try:
            opened.seek(0)
            names = set(zipfile.ZipFile(opened).namelist())
        except (zipfile.BadZipFile, OSError):
            return None
        finally:
            opened.seek(0)
        if "[Content_Types].xml" in names and any(n.startswith("xl/") for n in names):
            return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        if "[Content_Types].xml" in names and any(n.startswith("word/") for n in names):
            return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        return None
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as error:
            if error.start < len(head) - 3:  # a multi-byte character cut at the end of the sample is fine
                return None
        return "text/plain"
    return None


@dataclass(frozen=True)
class EvidenceInput:
    """One piece of evidence as given: a link (``url``) or a file (``upload``: name, readable binary), not both."""

    question_id: str
    title: str
    effective_date: date
    expires_on: date | None = None
    url: str = ""
    upload: IO[bytes] | None = None
    upload_size: int | None = None


def _check(assessment: Assessment, item: EvidenceInput) -> None:
    problems: list[ErrorItem] = []
    if item.question_id not in {q.id for q in framework_parse(assessment.framework).questions()}:
        problems.append(ErrorItem(f"Unknown question {item.question_id!r}.", "unknown_question", field="question_id"))
    if not item.title.strip():
        problems.append(ErrorItem("Say what this evidence is.", "required", field="title"))
    if bool(item.url.strip()) == (item.upload is not None):
        problems.append(ErrorItem("Give either a link or a file.", "link_or_file", field="url"))
    elif item.url.strip() and (problem := _link_problem(item.url.strip())) is not None:
        problems.append(problem)
    if item.expires_on is not None and item.expires_on <= item.effective_date:
        problems.append(ErrorItem("The expiry must come after the effective date.", "expiry_order", field="expires_on"))
    if problems:
        raise Invalid(problems)


@transaction.atomic
def evidence_add(*, assessment: Assessment, item: EvidenceInput, user: AbstractBaseUser | None) -> Evidence:
    """Attach a link or a file to the answer of one question of a draft assessment.

    `Invalid` naming the field (unknown question, no title, neither or both of link and file, an expiry not after
    the effective date, a file type not allowed); `TooLarge` (413) past `EVIDENCE_MAX_BYTES`; `Conflict` once
    submitted (refresh evidence in the re-assessment, which carries it).
    """
    locked = locked_draft(assessment.pk)
    _check(locked, item)
    evidence = Evidence(
        organization_id=locked.organization_id,
        assessment=locked,
        question_id=item.question_id,
        title=item.title.strip(),
        effective_date=item.effective_date,
        expires_on=item.expires_on,
        added_by=user,
    )
    if item.upload is None:
        evidence.kind, evidence.url = EvidenceKind.LINK, item.url.strip()
    else:
        evidence.kind = EvidenceKind.FILE
        content = item.upload.read(EVIDENCE_MAX_BYTES + 1)
        if len(content) > EVIDENCE_MAX_BYTES:
            raise TooLarge(
                f"The file is larger than {EVIDENCE_MAX_BYTES // (1024 * 1024)} MB.", code="too_large", field="file"
            )
        kind = sniff_content_type(content[:8192], io.BytesIO(content))
        if kind is None:
            raise Invalid(
                f"This file's content is not one of the types accepted ({ALLOWED_TEXT}).",
                code="file_type",
                field="file",
            )
        evidence.content_type, evidence.size = kind, len(content)
        evidence.file.save(f"{secrets.token_hex(16)}.{ALLOWED_TYPES[kind]}", ContentFile(content), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, evidence: Evidence) -> None:
    """Remove a piece of evidence from a draft (its file is deleted from the storage once committed)."""
    locked_draft(evidence.assessment_id)
    name, storage = evidence.file.name, evidence.file.storage
    shared = bool(name) and Evidence.objects.filter(file=name).exclude(pk=evidence.pk).exists()
    evidence.delete()
    if name and not shared:
        transaction.on_commit(lambda: storage.delete(name))


def evidence_carry(*, previous: Assessment, assessment: Assessment, question_map: dict[str, str]) -> int:
    """Copy the evidence of ``previous`` onto the re-assessment (``question_map``: old question id -> new one);
    the files are shared, not copied. One statement."""
    rows = [
        Evidence(
            organization_id=assessment.organization_id,
            assessment=assessment,
            question_id=question_map[e.question_id],
            kind=e.kind,
            title=e.title,
            url=e.url,
            file=e.file.name,
            content_type=e.content_type,
            size=e.size,
            effective_date=e.effective_date,
            expires_on=e.expires_on,
            added_by_id=e.added_by_id,
        )
        for e in previous.evidence.all()
        if e.question_id in question_map
    ]
    Evidence.objects.bulk_create(rows)
    return len(rows)
