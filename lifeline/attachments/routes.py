"""Uploading evidence files. Downloads go through the owning object (a ticket), which
decides who may see them."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, UploadFile
from fastapi.responses import FileResponse

from lifeline.accounts.deps import CurrentCustomer, Staff, require_permission
from lifeline.attachments import service
from lifeline.attachments.models import Attachment
from lifeline.attachments.schemas import AttachmentRead
from lifeline.deps import Context, Session
from lifeline.security.permissions import Permission

router = APIRouter(prefix="/api/v1", tags=["attachments"])


@router.post("/customer/attachments", response_model=AttachmentRead, status_code=201)
async def upload_as_customer(
    file: UploadFile, identity: CurrentCustomer, session: Session, context: Context
) -> AttachmentRead:
    attachment = await service.store_upload(
        session, context.settings, file, filename=file.filename, owner=identity.actor
    )
    return AttachmentRead.model_validate(attachment)


@router.post("/attachments", response_model=AttachmentRead, status_code=201)
async def upload_as_staff(
    file: UploadFile,
    session: Session,
    context: Context,
    staff: Staff = require_permission(Permission.TICKETS_HANDLE),
) -> AttachmentRead:
    attachment = await service.store_upload(
        session, context.settings, file, filename=file.filename, owner=staff.actor
    )
    return AttachmentRead.model_validate(attachment)


def download_response(path: Path, attachment: Attachment) -> FileResponse:
    """Always a download, never rendered inline, and never re-sniffed by the browser."""
    media_type = attachment.content_type
    if media_type == "text/plain":
        media_type = "text/plain; charset=utf-8"
    return FileResponse(
        path,
        media_type=media_type,
        filename=attachment.filename,
        content_disposition_type="attachment",
        headers={
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; sandbox",
            "Cache-Control": "private, no-store",
        },
    )
