"""Uploaded files kept outside any public path: stored by the hash of their content under the
data directory, and served only as downloads through views that check permission first."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.http import FileResponse


def store_dir(name: str) -> Path:
    """A folder of the data directory for stored files, made on first use."""
    path = Path(settings.DATA_DIR) / name
    path.mkdir(parents=True, exist_ok=True)
    return path


def store(directory: Path, stored_name: str, data: bytes) -> Path:
    """Write the file once: the same content always has the same name."""
    target = directory / stored_name
    if not target.exists():
        target.write_bytes(data)
    return target


def download(path: Path, *, filename: str, content_type: str) -> FileResponse:
    """The file as a download the browser will neither sniff nor run."""
    response = FileResponse(
        path.open("rb"), as_attachment=True, filename=filename, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


def accept_upload(
    name: str,
    data: bytes,
    *,
    field: str,
    folder: str = "attachments",
    allowed=None,
    max_bytes: int | None = None,
):
    """The one upload store: check an uploaded file (type, size, zip and document bombs, a
    plain name) and keep it under the data directory by the hash of its content. Returns the
    `uploads.CheckedFile` to record; refuses with a ValidationError naming `field`. Call it
    inside the service's transaction, after the service has checked its rule."""
    from django.core.exceptions import ValidationError

    from . import uploads

    options: dict = {}
    if allowed:
        options["allowed"] = allowed
    if max_bytes is not None:
        options["max_bytes"] = max_bytes
    try:
        checked = uploads.check_upload(name, data, **options)
    except uploads.AttachmentRejected as exc:
        raise ValidationError({field: str(exc)}) from exc
    store(store_dir(folder), checked.safe_name, data)
    return checked
