"""Storing uploaded evidence: sniffed type, size limits, content-addressed files on disk."""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import magic
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.attachments import repository
from lifeline.attachments.models import Attachment
from lifeline.config import Settings
from lifeline.errors import InvalidRequest, LifelineError
from lifeline.security.antivirus import scan_upload
from lifeline.security.audit import Actor

MB = 1024 * 1024


@dataclass(frozen=True)
class AllowedType:
    extension: str
    max_bytes: int


ALLOWED_TYPES: dict[str, AllowedType] = {
    "image/png": AllowedType("png", 10 * MB),
    "image/jpeg": AllowedType("jpg", 10 * MB),
    "image/gif": AllowedType("gif", 10 * MB),
    "image/webp": AllowedType("webp", 10 * MB),
    "application/pdf": AllowedType("pdf", 10 * MB),
    "video/mp4": AllowedType("mp4", 50 * MB),
    "video/webm": AllowedType("webm", 50 * MB),
    "text/plain": AllowedType("txt", 10 * MB),
}
MAX_UPLOAD_BYTES = max(allowed.max_bytes for allowed in ALLOWED_TYPES.values())
MAX_ATTACHMENTS_PER_MESSAGE = 10
_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 * MB


class AttachmentTooLarge(LifelineError):
    status_code = 413
    code = "attachment_too_large"
    message = "The file is too large."


class AttachmentTypeNotAllowed(LifelineError):
    status_code = 415
    code = "attachment_type_not_allowed"
    message = (
        "This kind of file is not accepted. Send a screenshot (PNG, JPEG, GIF, WebP), a PDF, "
        "a video (MP4, WebM) or plain text."
    )


class Readable(Protocol):
    async def read(self, size: int = -1) -> bytes: ...


def sniff_type(head: bytes) -> str:
    """The MIME type the content really has, whatever its name says."""
    return str(magic.from_buffer(head, mime=True))


def _video_brand_mime(head: bytes, sniffed: str) -> str:
    # libmagic names some MP4 brands differently (e.g. video/quicktime for 'qt  ' is refused,
    # but 'isom'/'mp4x' sometimes come back as application/octet-stream on old databases).
    if sniffed == "application/octet-stream" and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in {b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"dash"}:
            return "video/mp4"
    return sniffed


_UNSAFE = re.compile(r"[^\w.\- ]+", re.UNICODE)


def sanitize_filename(name: str | None, extension: str) -> str:
    """A display name that is safe in a header and on any disk, ending in the real extension."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKC", base)
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = _UNSAFE.sub("_", stem).strip(" ._")[:100] or "file"
    return f"{stem}.{extension}"


def storage_root(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


def path_for(settings: Settings, sha256: str) -> Path:
    return storage_root(settings) / sha256[:2] / sha256[2:4] / sha256


async def store_upload(
    session: AsyncSession,
    settings: Settings,
    upload: Readable,
    *,
    filename: str | None,
    owner: Actor,
) -> Attachment:
    """Read, limit, sniff and store one upload; refuses anything not on the allowed list."""
    root = storage_root(settings)
    (root / "tmp").mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    head = b""
    handle, temp_name = tempfile.mkstemp(dir=root / "tmp")
    temp_path = Path(temp_name)
    try:
        with os.fdopen(handle, "wb") as out:
            while True:
                chunk = await upload.read(_CHUNK)
                if not chunk:
                    break
                size += len(chunk)
                if size > MAX_UPLOAD_BYTES:
                    raise AttachmentTooLarge(max_bytes=MAX_UPLOAD_BYTES)
                if len(head) < _SNIFF_BYTES:
                    head += chunk[: _SNIFF_BYTES - len(head)]
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise InvalidRequest("The file is empty.")
        content_type = _video_brand_mime(head, sniff_type(head))
        allowed = ALLOWED_TYPES.get(content_type)
        if allowed is None:
            raise AttachmentTypeNotAllowed(detected_type=content_type)
        if content_type == "text/plain" and not _is_utf8_text(temp_path):
            raise AttachmentTypeNotAllowed(detected_type="text/plain (not UTF-8)")
        if size > allowed.max_bytes:
            raise AttachmentTooLarge(max_bytes=allowed.max_bytes, content_type=content_type)
        # Before the file reaches its shared, content-addressed place.
        await scan_upload(
            settings.clamd_url,
            temp_path,
            fail_open=settings.clamd_fail_open,
            timeout_seconds=settings.clamd_timeout_seconds,
        )
        sha256 = digest.hexdigest()
        final = path_for(settings, sha256)
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():
            temp_path.unlink()
        else:
            temp_path.replace(final)
    except BaseException:
        temp_path.unlink(missing_ok=True)
        raise
    attachment = Attachment(
        sha256=sha256,
        size=size,
        content_type=content_type,
        filename=sanitize_filename(filename, allowed.extension),
        owner_type=owner.type,
        owner_id=owner.id or "",
    )
    session.add(attachment)
    await session.flush()
    return attachment


def _is_utf8_text(path: Path) -> bool:
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


async def owned_attachments(
    session: AsyncSession, public_ids: Sequence[str], owner: Actor
) -> list[Attachment]:
    """The uploads named by ``public_ids``, which the caller must have uploaded."""
    if not public_ids:
        return []
    if len(public_ids) > MAX_ATTACHMENTS_PER_MESSAGE:
        raise InvalidRequest(
            f"At most {MAX_ATTACHMENTS_PER_MESSAGE} attachments per message.",
            max=MAX_ATTACHMENTS_PER_MESSAGE,
        )
    found = {item.public_id: item for item in await repository.by_public_ids(session, public_ids)}
    missing = [
        public_id
        for public_id in public_ids
        if public_id not in found
        or found[public_id].owner_type != owner.type
        or found[public_id].owner_id != (owner.id or "")
    ]
    if missing:
        raise InvalidRequest("Unknown attachments.", attachments=missing)
    return [found[public_id] for public_id in dict.fromkeys(public_ids)]


def file_path(settings: Settings, attachment: Attachment) -> Path:
    return path_for(settings, attachment.sha256)
