"""Inbound email: parsing a customer's message into masked text and attachments.

Nothing of a message is stored or logged before it is masked: the subject, the text (the plain
part, or the HTML part reduced to text, without the quoted earlier messages) and the names of
the attached files. The SMTP server that receives mail is in ``email_server``; what a message
becomes (a ticket, or a reply on one) is in ``email_service``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from email import policy
from email.headerregistry import Address
from email.message import EmailMessage, Message
from email.parser import BytesParser
from html.parser import HTMLParser

from lifeline.security.masking import mask_secrets

MAX_TEXT_CHARS = 50_000
_TICKET_REFERENCE = re.compile(r"\[#(\d{1,9})\]")
_REPLY_PREFIX = re.compile(
    r"^\s*(?:(?:re|fw|fwd|aw|sv|回复|答复|转发)\s*(?:\[\d+\])?\s*[:：]\s*)+", re.IGNORECASE
)
# Where the quoted earlier message starts, in the forms common mail programs write.
_QUOTE_HEADERS = (
    re.compile(r"^\s*On .{1,300} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^\s*在.{1,300}写道[:：]\s*$"),
    re.compile(r"^\s*-{2,}\s*(?:Original Message|原始邮件|原始郵件)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),
    re.compile(r"^\s*(?:From|发件人|寄件者)\s*[:：].+$"),
)


class MalformedEmail(ValueError):
    """The message cannot be read (no usable sender, broken structure)."""


@dataclass(frozen=True)
class InboundAttachment:
    filename: str  # masked
    content: bytes


@dataclass(frozen=True)
class ParsedEmail:
    sender: str
    sender_name: str
    subject: str  # masked, without reply prefixes and ticket reference
    text: str  # masked, without quoted replies
    ticket_number: int | None
    attachments: list[InboundAttachment] = field(default_factory=list)
    masked_kinds: list[str] = field(default_factory=list)
    automatic: bool = False
    # A digest of the Message-ID header (the header itself is the sender's free text).
    message_key: str | None = None
    # Whether DKIM or the trusted mail server proved the From address (None: not checked).
    sender_verified: bool | None = None


class _TextExtractor(HTMLParser):
    _BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre"}
    )
    _SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skipping = 0
        self._quoted = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self._skipping += 1
        if tag == "blockquote":
            self._quoted += 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self._skipping:
            self._skipping -= 1
        if tag == "blockquote" and self._quoted:
            self._quoted -= 1
        if tag in self._BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._skipping and not self._quoted:
            self.parts.append(data)


def html_to_text(html: str) -> str:
    """The readable text of an HTML body; scripts, styles and quoted blocks dropped."""
    extractor = _TextExtractor()
    extractor.feed(html)
    extractor.close()
    text = "".join(extractor.parts).replace("\xa0", " ")
    lines = [re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_quoted(text: str) -> str:
    """The new part of a reply: stops at the quoted earlier message or the signature, and
    drops '>' lines."""
    kept: list[str] = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line == "-- " or any(pattern.match(line) for pattern in _QUOTE_HEADERS):
            # The quoted earlier message, or the signature (RFC 3676 "-- " separator).
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line.rstrip())
    return "\n".join(kept).strip()


def clean_subject(subject: str) -> tuple[str, int | None]:
    """The subject without reply prefixes and ``[#123]``, and the ticket number it named."""
    match = _TICKET_REFERENCE.search(subject)
    number = int(match.group(1)) if match else None
    without = _TICKET_REFERENCE.sub(" ", subject)
    without = _REPLY_PREFIX.sub("", without)
    return re.sub(r"\s+", " ", without).strip(), number


def _part_text(part: Message) -> str:
    try:
        content = part.get_content()  # type: ignore[attr-defined]  # EmailMessage under policy.default
    except (LookupError, ValueError, AssertionError):
        payload = part.get_payload(decode=True)
        content = payload.decode("utf-8", "replace") if isinstance(payload, bytes) else ""
    return content if isinstance(content, str) else ""


def _body_text(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    text = _part_text(body)
    if body.get_content_type() == "text/html":
        text = html_to_text(text)
    return strip_quoted(text)[:MAX_TEXT_CHARS]


def _sender(message: EmailMessage, envelope_from: str | None) -> tuple[str, str]:
    try:
        header = message["From"]
        addresses: tuple[Address, ...] = getattr(header, "addresses", ()) if header else ()
    except (ValueError, IndexError, TypeError) as error:
        raise MalformedEmail("unreadable From header") from error
    if addresses and addresses[0].addr_spec and "@" in addresses[0].addr_spec:
        return addresses[0].addr_spec.strip().lower(), addresses[0].display_name or ""
    if envelope_from and "@" in envelope_from:
        return envelope_from.strip().lower(), ""
    raise MalformedEmail("no sender address")


def _attachments(message: EmailMessage) -> list[tuple[str, bytes]]:
    found: list[tuple[str, bytes]] = []
    for part in message.iter_attachments():
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        found.append((part.get_filename() or "attachment", payload))
    return found


def _message_key(message: EmailMessage) -> str | None:
    value = str(message.get("Message-ID", "") or "").strip()
    if not value:
        return None
    return hashlib.sha256(value.encode("utf-8", "replace")).hexdigest()[:32]


def _is_automatic(message: EmailMessage) -> bool:
    auto = str(message.get("Auto-Submitted", "no")).strip().lower()
    precedence = str(message.get("Precedence", "")).strip().lower()
    return auto != "no" or precedence in {"bulk", "junk", "list", "auto_reply"}


def parse_email(raw: bytes, envelope_from: str | None = None) -> ParsedEmail:
    """Parse and mask one message. Raises ``MalformedEmail`` if it cannot be read."""
    if not raw.strip():
        raise MalformedEmail("empty message")
    try:
        parsed = BytesParser(policy=policy.default).parsebytes(raw)
    except Exception as error:  # the stdlib parser is lenient; this is a last resort
        raise MalformedEmail("unparseable message") from error
    if not isinstance(parsed, EmailMessage):
        raise MalformedEmail("unparseable message")
    sender, sender_name = _sender(parsed, envelope_from)
    try:
        raw_subject = str(parsed.get("Subject", "") or "")
        text = _body_text(parsed)
        raw_attachments = _attachments(parsed)
    except (ValueError, LookupError, TypeError) as error:
        raise MalformedEmail("unreadable message part") from error
    subject, number = clean_subject(raw_subject)
    kinds: set[str] = set()
    masked_subject = mask_secrets(subject)
    masked_text = mask_secrets(text)
    masked_name = mask_secrets(sender_name)
    kinds.update(masked_subject.kinds, masked_text.kinds, masked_name.kinds)
    attachments: list[InboundAttachment] = []
    for filename, content in raw_attachments:
        masked_filename = mask_secrets(filename)
        kinds.update(masked_filename.kinds)
        attachments.append(InboundAttachment(masked_filename.masked, content))
    return ParsedEmail(
        sender=sender,
        sender_name=masked_name.masked[:200],
        subject=masked_subject.masked,
        text=masked_text.masked,
        ticket_number=number,
        attachments=attachments,
        masked_kinds=sorted(kinds),
        automatic=_is_automatic(parsed),
        message_key=_message_key(parsed),
    )
