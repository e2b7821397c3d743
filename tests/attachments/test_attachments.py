"""Evidence uploads: sniffed types, size limits, safe names and downloads, and who may see."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest

from lifeline.attachments.service import sanitize_filename
from tests.attachments import samples
from tests.tickets.conftest import Desk, new_ticket


async def _upload(
    client: httpx.AsyncClient,
    content: bytes,
    name: str = "evidence.png",
    declared: str = "image/png",
    path: str = "/api/v1/customer/attachments",
) -> httpx.Response:
    return await client.post(path, files={"file": (name, content, declared)})


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (samples.png(), "image/png"),
        (samples.JPEG, "image/jpeg"),
        (samples.GIF, "image/gif"),
        (samples.WEBP, "image/webp"),
        (samples.PDF, "application/pdf"),
        (samples.MP4, "video/mp4"),
        (samples.WEBM, "video/webm"),
        (samples.TEXT, "text/plain"),
    ],
    ids=["png", "jpeg", "gif", "webp", "pdf", "mp4", "webm", "text"],
)
async def test_allowed_types_are_stored_with_their_real_type(
    desk: Desk, make_client: Any, content: bytes, expected: str
) -> None:
    alice = await make_client(customer="U1001")
    response = await _upload(alice, content, name="upload.bin", declared="application/x-whatever")
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["content_type"] == expected
    assert body["size"] == len(content)
    # The stored name carries the real extension, not the claimed one.
    assert body["filename"].rsplit(".", 1)[1] in {
        "png",
        "jpg",
        "gif",
        "webp",
        "pdf",
        "mp4",
        "webm",
        "txt",
    }


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (samples.HTML, "screenshot.png"),
        (samples.SVG, "chart.svg"),
        (samples.EXE, "wallet.pdf"),
        ("caf\xe9".encode("latin-1") + b"\xff\xfe\x00bad", "notes.txt"),
    ],
    ids=["html-as-png", "svg", "exe-as-pdf", "binary-as-text"],
)
async def test_content_that_is_not_allowed_is_refused_whatever_the_name(
    desk: Desk, make_client: Any, content: bytes, name: str
) -> None:
    alice = await make_client(customer="U1001")
    response = await _upload(alice, content, name=name)
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "attachment_type_not_allowed"
    assert "PNG" in error["message"]


async def test_size_limits_depend_on_the_type(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    too_big_image = samples.png(extra=10 * 1024 * 1024)
    response = await _upload(alice, too_big_image)
    assert response.status_code == 413
    assert response.json()["error"]["details"]["max_bytes"] == 10 * 1024 * 1024
    video = samples.MP4 + b"\x00" * (11 * 1024 * 1024)
    assert (await _upload(alice, video, name="clip.mp4")).status_code == 201
    empty = await _upload(alice, b"")
    assert empty.status_code == 422


def test_filenames_are_sanitised() -> None:
    assert sanitize_filename("../../etc/passwd", "txt") == "passwd.txt"
    assert sanitize_filename('C:\\Users\\x\\evil"; name=.png', "png") == "evil_ name.png"
    assert sanitize_filename("\u202egnp.exe", "png") == "gnp.png"
    assert sanitize_filename("截图 1.jpeg", "jpg") == "截图 1.jpg"
    assert sanitize_filename("", "pdf") == "file.pdf"
    assert sanitize_filename(None, "pdf") == "file.pdf"


async def _ticket_with_attachment(make_client: Any) -> tuple[Any, int, str]:
    alice = await make_client(customer="U1001")
    uploaded = (await _upload(alice, samples.png(), name="deposit.png")).json()
    created = await alice.post(
        "/api/v1/customer/tickets", json=new_ticket(attachment_ids=[uploaded["public_id"]])
    )
    assert created.status_code == 201, created.text
    return alice, created.json()["ticket"]["number"], uploaded["public_id"]


async def test_downloads_are_attachments_and_never_sniffed(desk: Desk, make_client: Any) -> None:
    alice, number, public_id = await _ticket_with_attachment(make_client)
    detail = (await alice.get(f"/api/v1/customer/tickets/{number}")).json()
    assert [a["public_id"] for a in detail["attachments"]] == [public_id]
    response = await alice.get(f"/api/v1/customer/tickets/{number}/attachments/{public_id}")
    assert response.status_code == 200
    assert response.content == samples.png()
    assert response.headers["content-type"] == "image/png"
    assert response.headers["content-disposition"].startswith("attachment;")
    assert 'filename="deposit.png"' in response.headers["content-disposition"]
    assert response.headers["x-content-type-options"] == "nosniff"
    emma = await make_client(agent="emma@example.com")
    staff = await emma.get(f"/api/v1/tickets/{number}/attachments/{public_id}")
    assert staff.status_code == 200


async def test_only_whoever_may_see_the_ticket_downloads(desk: Desk, make_client: Any) -> None:
    _alice, number, public_id = await _ticket_with_attachment(make_client)
    wei = await make_client(customer="U1002")
    response = await wei.get(f"/api/v1/customer/tickets/{number}/attachments/{public_id}")
    assert response.status_code == 404
    # Nor through one of their own tickets.
    own = await wei.post("/api/v1/customer/tickets", json=new_ticket(fields={"txid": "f" * 64}))
    own_number = own.json()["ticket"]["number"]
    via_own = await wei.get(f"/api/v1/customer/tickets/{own_number}/attachments/{public_id}")
    assert via_own.status_code == 404


async def test_someone_elses_upload_cannot_be_attached(desk: Desk, make_client: Any) -> None:
    alice = await make_client(customer="U1001")
    uploaded = (await _upload(alice, samples.png())).json()
    wei = await make_client(customer="U1002")
    response = await wei.post(
        "/api/v1/customer/tickets", json=new_ticket(attachment_ids=[uploaded["public_id"]])
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["attachments"] == [uploaded["public_id"]]


async def test_internal_note_attachments_stay_internal(desk: Desk, make_client: Any) -> None:
    alice, number, _ = await _ticket_with_attachment(make_client)
    emma = await make_client(agent="emma@example.com")
    uploaded = await _upload(emma, samples.PDF, name="risk-report.pdf", path="/api/v1/attachments")
    assert uploaded.status_code == 201, uploaded.text
    internal_id = uploaded.json()["public_id"]
    note = await emma.post(
        f"/api/v1/tickets/{number}/notes",
        json={"body": "risk report attached", "attachment_ids": [internal_id]},
    )
    assert note.status_code == 200
    assert internal_id in [a["public_id"] for a in note.json()["attachments"]]
    detail = await alice.get(f"/api/v1/customer/tickets/{number}")
    assert internal_id not in detail.text
    blocked = await alice.get(f"/api/v1/customer/tickets/{number}/attachments/{internal_id}")
    assert blocked.status_code == 404


async def test_identical_files_are_stored_once(desk: Desk, make_client: Any, settings: Any) -> None:
    alice = await make_client(customer="U1001")
    first = (await _upload(alice, samples.PDF, name="a.pdf")).json()
    second = (await _upload(alice, samples.PDF, name="b.pdf")).json()
    assert first["public_id"] != second["public_id"]
    digest = hashlib.sha256(samples.PDF).hexdigest()
    root = settings.data_dir / "attachments"
    assert [p.name for p in root.rglob(digest)] == [digest]
    assert (root / digest[:2] / digest[2:4] / digest).read_bytes() == samples.PDF
    # Refused and duplicate uploads leave no temporary files behind.
    await _upload(alice, samples.HTML)
    assert list((root / "tmp").iterdir()) == []
