"""Telegram: a bot that long-polls the Bot API, one conversation per private chat.

Each update is handled in one transaction that stores the (masked) message, the assistant's
answer, the outbox items that send it, and the update id in the conversation's state; the next
``getUpdates`` offset is the highest stored update id plus one, so a restart neither loses an
update nor handles one twice (a redelivered update is also recognised by its message id).
Replies from agents are relayed by the same loop: every public, non-customer message of a
Telegram conversation is sent once, marked in its ``meta`` in the transaction that queues it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.models import Customer
from lifeline.channels.inbound import warm_up_understanding
from lifeline.channels.telegram_link import redeem
from lifeline.config import Settings, get_settings
from lifeline.context import AppContext
from lifeline.conversations.answering import answer_customer_message
from lifeline.conversations.models import (
    Channel,
    Conversation,
    ConversationStatus,
    Message,
    SenderType,
)
from lifeline.conversations.service import add_message
from lifeline.db import transaction, utcnow
from lifeline.outbox.service import OutboxContext, enqueue, outbox_handler
from lifeline.security.audit import Actor, record_audit

log = logging.getLogger(__name__)

TELEGRAM_TOPIC = "telegram.send"
MAX_TEXT = 4096
CHAT_KEY = "telegram_chat_id"
UPDATE_KEY = "telegram_update_id"
# Update ids and chats belong to one bot: a new token starts afresh, never skips updates.
BOT_KEY = "telegram_bot_id"
SENT_KEY = "telegram_outbox_id"
# Agent replies older than this are not relayed (they predate the bot, or the chat is stale).
RELAY_WINDOW = timedelta(days=2)

WELCOME = {
    "en": "Hello! I am the support assistant. Describe your problem and I will help or bring "
    "in a person. Never send your password, codes or recovery phrase to anyone.",
    "zh": "您好！我是客服助手。请描述您遇到的问题，我会帮助您或转接人工客服。"
    "请勿向任何人发送密码、验证码或助记词。",
}
LINKED = {
    "en": "This chat is now linked to your account, so I can check your deposits, withdrawals "
    "and orders. Send /unlink to undo it. We will never ask for your password or codes here.",
    "zh": "此对话已关联您的账户，我可以为您查询充值、提现和订单。发送 /unlink 可取消关联。"
    "我们绝不会在这里索要您的密码或验证码。",
}
LINK_FAILED = {
    "en": "That link has expired or was already used. Please ask for a new one in your account "
    "on our website or app.",
    "zh": "该关联链接已过期或已被使用，请在官网或App的账户页面重新获取。",
}
UNLINKED = {
    "en": "This chat is no longer linked to your account.",
    "zh": "此对话已取消与您账户的关联。",
}
TEXT_ONLY = {
    "en": "I can only read text messages here. Please describe your problem in words.",
    "zh": "这里只能读取文字消息，请用文字描述您的问题。",
}


class TelegramError(Exception):
    def __init__(self, description: str, *, status: int, retry_after: float | None = None):
        super().__init__(description)
        self.status = status
        self.retry_after = retry_after


class _RedactToken(logging.Filter):
    """The Bot API puts the token in the URL, which httpx logs with every request."""

    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if self.token in message:
            record.msg = message.replace(self.token, "<telegram-token>")
            record.args = ()
        return True


_redacted_tokens: set[str] = set()


def _redact_token_in_logs(token: str) -> None:
    if token and token not in _redacted_tokens:
        _redacted_tokens.add(token)
        logging.getLogger("httpx").addFilter(_RedactToken(token))


class TelegramApi:
    """The two Bot API methods the channel needs, over JSON POSTs."""

    def __init__(self, settings: Settings, client: httpx.AsyncClient | None = None) -> None:
        _redact_token_in_logs(settings.telegram_bot_token)
        self.base = f"{settings.telegram_api_base.rstrip('/')}/bot{settings.telegram_bot_token}"
        self.poll_timeout = settings.telegram_poll_timeout_seconds
        self._client = client or httpx.AsyncClient(timeout=self.poll_timeout + 15)
        self._own_client = client is None

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()

    async def call(self, method: str, payload: dict[str, Any]) -> Any:
        response = await self._client.post(f"{self.base}/{method}", json=payload)
        try:
            body = response.json()
        except ValueError:
            raise TelegramError("not JSON", status=response.status_code) from None
        if not isinstance(body, dict) or not body.get("ok"):
            description = str(body.get("description", "error")) if isinstance(body, dict) else ""
            parameters = body.get("parameters", {}) if isinstance(body, dict) else {}
            raise TelegramError(
                description,
                status=response.status_code,
                retry_after=parameters.get("retry_after") if isinstance(parameters, dict) else None,
            )
        return body.get("result")

    async def get_updates(self, offset: int | None) -> list[dict[str, Any]]:
        payload: dict[str, Any] = {"timeout": self.poll_timeout, "allowed_updates": ["message"]}
        if offset is not None:
            payload["offset"] = offset
        result = await self.call("getUpdates", payload)
        return [update for update in result or [] if isinstance(update, dict)]

    async def send_message(self, chat_id: int | str, text: str) -> None:
        for part in split_text(text):
            await self.call("sendMessage", {"chat_id": chat_id, "text": part})


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Telegram refuses messages over 4096 characters: split at line breaks when possible."""
    parts: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        parts.append(rest[:cut])
        rest = rest[cut:].lstrip("\n")
    if rest or not parts:
        parts.append(rest)
    return parts


def _language(message: dict[str, Any], settings: Settings) -> str:
    sender = message.get("from")
    code = str(sender.get("language_code") or "") if isinstance(sender, dict) else ""
    language = "zh" if code.lower().startswith("zh") else code.lower()[:2]
    return language if language in settings.languages else settings.default_language


def bot_id_of(settings: Settings) -> str:
    return settings.telegram_bot_token.partition(":")[0]


async def stored_offset(session: AsyncSession, bot_id: str) -> int | None:
    """The first update not yet handled, from the update ids stored with the conversations."""
    highest = await session.scalar(
        select(func.max(Conversation.state[UPDATE_KEY].as_integer())).where(
            Conversation.channel == Channel.TELEGRAM,
            Conversation.state[BOT_KEY].as_string() == bot_id,
        )
    )
    return int(highest) + 1 if highest is not None else None


async def conversation_for_chat(
    session: AsyncSession, bot_id: str, chat_id: int, language: str
) -> tuple[Conversation, bool]:
    """The chat's current conversation, or a new one (also after the last one was closed)."""
    conversation = await session.scalar(
        select(Conversation)
        .where(
            Conversation.channel == Channel.TELEGRAM,
            Conversation.state[BOT_KEY].as_string() == bot_id,
            Conversation.state[CHAT_KEY].as_string() == str(chat_id),
        )
        .order_by(Conversation.id.desc())
        .limit(1)
    )
    if conversation is not None and conversation.status != ConversationStatus.CLOSED:
        return conversation, False
    conversation = Conversation(
        channel=Channel.TELEGRAM,
        language=language,
        handoff={},
        state={BOT_KEY: bot_id, CHAT_KEY: str(chat_id)},
        # A linked chat stays linked in its next conversation.
        customer_id=conversation.customer_id if conversation is not None else None,
    )
    session.add(conversation)
    await session.flush()
    return conversation, True


async def relay_outgoing(
    session: AsyncSession, bot_id: str, conversation_id: int | None = None
) -> int:
    """Queue every public bot/agent message of Telegram conversations not yet queued."""
    query = (
        select(Message, Conversation)
        .join(Conversation, Conversation.id == Message.conversation_id)
        .where(
            Conversation.channel == Channel.TELEGRAM,
            Conversation.state[BOT_KEY].as_string() == bot_id,
            Message.sender_type != SenderType.CUSTOMER,
            Message.internal.is_(False),
            Message.created_at >= utcnow() - RELAY_WINDOW,
            Message.meta[SENT_KEY].as_integer().is_(None),
        )
        .order_by(Message.id)
    )
    if conversation_id is not None:
        query = query.where(Conversation.id == conversation_id)
    count = 0
    for message, conversation in (await session.execute(query)).all():
        chat_id = conversation.state.get(CHAT_KEY)
        if not chat_id:
            continue
        item = await enqueue(
            session,
            TELEGRAM_TOPIC,
            {"chat_id": chat_id, "text": message.body, "message_id": message.id},
        )
        message.meta = {**message.meta, SENT_KEY: item.id}
        count += 1
    if count:
        await session.flush()
    return count


async def handle_update(context: AppContext, update: dict[str, Any]) -> None:
    """One update, one transaction. Only private text chats are served."""
    update_id = update.get("update_id")
    message = update.get("message")
    if not isinstance(update_id, int) or not isinstance(message, dict):
        return
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return
    chat_id = chat.get("id")
    if not isinstance(chat_id, int):
        return
    bot_id = bot_id_of(context.settings)
    async with transaction(context.sessionmaker) as session:
        language = _language(message, context.settings)
        conversation, _created = await conversation_for_chat(session, bot_id, chat_id, language)
        previous = conversation.state.get(UPDATE_KEY)
        if isinstance(previous, int) and previous >= update_id:
            return
        conversation.state = {**conversation.state, UPDATE_KEY: update_id}
        text = message.get("text")
        if not isinstance(text, str) or not text.strip():
            await add_message(
                session, conversation, SenderType.BOT, TEXT_ONLY[_pick(conversation.language)]
            )
        elif (command := _command(text)) is not None:
            name, argument = command
            reply = await _run_command(session, context.settings, conversation, name, argument)
            await add_message(session, conversation, SenderType.BOT, reply)
        else:
            sender = message.get("from")
            sender_id = sender.get("id") if isinstance(sender, dict) else None
            customer = (
                await session.get(Customer, conversation.customer_id)
                if conversation.customer_id is not None
                else None
            )
            await answer_customer_message(
                session,
                context,
                conversation,
                customer,
                text,
                client_message_id=f"telegram:{update_id}",
                sender_id=f"telegram:{sender_id}" if sender_id is not None else None,
                meta={"telegram_message_id": message.get("message_id")},
            )
        await relay_outgoing(session, bot_id, conversation.id)
    context.outbox.wake()


_COMMANDS = frozenset({"/start", "/unlink"})


def _command(text: str) -> tuple[str, str] | None:
    """("/start", "CODE") for "/start CODE" or "/start@our_bot CODE"; None for other text."""
    head, _, argument = text.strip().partition(" ")
    name = head.split("@", 1)[0].lower()
    return (name, argument.strip()) if name in _COMMANDS else None


async def _run_command(
    session: AsyncSession,
    settings: Settings,
    conversation: Conversation,
    name: str,
    argument: str,
) -> str:
    language = _pick(conversation.language)
    if name == "/unlink":
        conversation.customer_id = None
        return UNLINKED[language]
    if not argument:
        return WELCOME[language]
    customer = await redeem(session, settings, argument)
    if customer is None:
        return LINK_FAILED[language]
    conversation.customer_id = customer.id
    await record_audit(
        session,
        Actor(type="customer", id=str(customer.id)),
        "customer.telegram_linked",
        object_type="conversation",
        object_id=conversation.public_id,
    )
    return LINKED[language]


def _pick(language: str) -> str:
    return "zh" if language.startswith("zh") else "en"


class TelegramPoller:
    def __init__(self, context: AppContext, api: TelegramApi | None = None) -> None:
        self.context = context
        self.api = api or TelegramApi(context.settings)
        self.offset: int | None = None
        self._loaded = False

    async def poll_once(self) -> int:
        """Fetch one batch of updates and handle them in order; returns how many."""
        if not self._loaded:
            async with self.context.sessionmaker() as session:
                self.offset = await stored_offset(session, bot_id_of(self.context.settings))
            self._loaded = True
        updates = await self.api.get_updates(self.offset)
        for update in sorted(updates, key=lambda item: int(item.get("update_id", 0))):
            await handle_update(self.context, update)
            self.offset = int(update["update_id"]) + 1
        await self.relay()
        return len(updates)

    async def relay(self) -> int:
        async with transaction(self.context.sessionmaker) as session:
            count = await relay_outgoing(session, bot_id_of(self.context.settings))
        if count:
            self.context.outbox.wake()
        return count

    async def run_forever(self, stop: asyncio.Event) -> None:
        delay = 1.0
        try:
            await warm_up_understanding()
            while not stop.is_set():
                try:
                    poll = asyncio.ensure_future(self.poll_once())
                    stopped = asyncio.ensure_future(stop.wait())
                    done, _pending = await asyncio.wait(
                        {poll, stopped}, return_when=asyncio.FIRST_COMPLETED
                    )
                    if poll not in done:
                        poll.cancel()
                        break
                    stopped.cancel()
                    poll.result()
                    delay = 1.0
                except TelegramError as error:
                    wait = error.retry_after or delay
                    log.warning("telegram: %s (status %s)", error, error.status)
                    await _sleep_or_stop(stop, float(wait))
                    delay = min(delay * 2, 60.0)
                except (httpx.HTTPError, OSError) as error:
                    log.warning("telegram unreachable: %s", error)
                    await _sleep_or_stop(stop, delay)
                    delay = min(delay * 2, 60.0)
                except Exception:
                    log.exception("telegram poll failed")
                    await _sleep_or_stop(stop, delay)
                    delay = min(delay * 2, 60.0)
        finally:
            await self.api.aclose()


async def _sleep_or_stop(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)


@outbox_handler(TELEGRAM_TOPIC)
async def send_telegram_message(context: OutboxContext, payload: dict[str, Any]) -> None:
    settings: Settings = (
        context.app.state.context.settings if context.app is not None else get_settings()
    )
    if not settings.telegram_bot_token:
        raise RuntimeError("no Telegram bot token configured")
    api = TelegramApi(settings)
    try:
        await api.send_message(payload["chat_id"], payload["text"])
    finally:
        await api.aclose()
