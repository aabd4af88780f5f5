"""Serving evidence files: only through views that checked the organization's membership (the page's and the
API's), never from a public media URL."""

from __future__ import annotations

from django.http import FileResponse, Http404

from .models import Evidence, EvidenceKind


def evidence_download(evidence: Evidence) -> FileResponse:
    """The file as an attachment, with the type sniffed when it was uploaded (the browser must not guess one)."""
    if evidence.kind != EvidenceKind.FILE or not evidence.file:
        raise Http404("No file.")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        raise Http404("The file is no longer stored.") from error
    extension = evidence.file.name.rsplit(".", 1)[-1]
    safe_title = "".join(c if c.isalnum() or c in "-_ " else "_" for c in evidence.title)[:80].strip() or "evidence"
    response = FileResponse(
        handle, as_attachment=True, filename=f"{safe_title}.{extension}", content_type=evidence.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
