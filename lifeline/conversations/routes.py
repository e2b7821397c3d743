"""HTTP API of conversations: customers talk to the assistant (and later to agents)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Response

from lifeline.accounts.deps import CurrentCustomer
from lifeline.assistant.engine import TurnResult
from lifeline.assistant.replies import Reply
from lifeline.context import AppContext
from lifeline.conversations import repository, service
from lifeline.conversations.answering import answer_customer_message
from lifeline.conversations.models import Conversation, Message
from lifeline.conversations.schemas import (
    ArticleLink,
    AssistantReply,
    ConversationCreate,
    ConversationDetail,
    ConversationRead,
    HandoffState,
    MessageCreate,
    MessageRead,
    PostMessageResponse,
    SuggestedAction,
)
from lifeline.deps import Context, Session
from lifeline.kb.render import fill, placeholder_values
from lifeline.kb.views import article_url
from lifeline.security.ratelimit import rate_limit

router = APIRouter(prefix="/api/v1/conversations", tags=["conversations"])


@router.post(
    "",
    response_model=ConversationRead,
    status_code=201,
    dependencies=[rate_limit("conversations", 20, 60)],
)
async def start(
    body: ConversationCreate, identity: CurrentCustomer, session: Session, context: Context
) -> ConversationRead:
    language = body.language or (
        identity.customer.preferred_language
        if identity.customer
        else identity.visitor.language
        if identity.visitor
        else context.settings.default_language
    )
    language = "zh" if language.startswith("zh") else language
    if language not in context.settings.languages:
        language = context.settings.default_language
    conversation = await service.start_conversation(
        session, identity, body.channel, language, body.timezone
    )
    return ConversationRead.model_validate(conversation)


@router.get("", response_model=list[ConversationRead])
async def mine(identity: CurrentCustomer, session: Session) -> list[ConversationRead]:
    conversations = await repository.conversations_of(
        session,
        identity.customer.id if identity.customer else None,
        identity.visitor.id if identity.visitor else None,
    )
    return [ConversationRead.model_validate(c) for c in conversations]


@router.get("/{conversation_id}", response_model=ConversationDetail)
async def read(
    conversation_id: str,
    identity: CurrentCustomer,
    session: Session,
    after_id: Annotated[int, Query(ge=0)] = 0,
) -> ConversationDetail:
    conversation = await service.access_conversation(session, identity, conversation_id)
    messages = await repository.messages(
        session, conversation.id, include_internal=False, after_id=after_id
    )
    return ConversationDetail(
        **ConversationRead.model_validate(conversation).model_dump(),
        messages=[MessageRead.model_validate(m) for m in messages],
    )


async def _shape_reply(
    session: Session, context: AppContext, reply: Reply, lang: str, entities: dict[str, Any]
) -> AssistantReply:
    from lifeline.kb import repository as kb_repository
    from lifeline.kb.service import translation_for

    articles: list[ArticleLink] = []
    values = placeholder_values(context.settings, lang)
    found = {a.slug: a for a in await kb_repository.articles_by_slugs(session, reply.articles)}
    for slug in reply.articles:
        article = found.get(slug)
        if article is None:
            continue
        translation = translation_for(article, lang, context.settings.default_language)
        articles.append(
            ArticleLink(
                slug=slug, title=fill(translation.title, values), url=article_url(lang, slug)
            )
        )
    return AssistantReply(
        text=reply.text,
        lang=lang,
        intent=reply.intent,
        confidence=round(reply.confidence, 4),
        entities=entities,
        articles=articles,
        actions=[SuggestedAction(id=a.id, label=a.label(lang)) for a in reply.actions],
        handoff=HandoffState(
            state=reply.handoff.state,
            team=reply.handoff.team,
            ticket_number=reply.handoff.ticket_number,
            expected_response=reply.handoff.expected_response,
        ),
    )


def _previous_result(
    conversation: Conversation, message: Message, reply_message: Message | None
) -> PostMessageResponse:
    reply = None
    if reply_message is not None and "reply" in reply_message.meta:
        reply = AssistantReply.model_validate(reply_message.meta["reply"])
    return PostMessageResponse(
        conversation_id=conversation.public_id,
        message=MessageRead.model_validate(message),
        reply=reply,
        reply_message=MessageRead.model_validate(reply_message) if reply_message else None,
    )


@router.post(
    "/{conversation_id}/messages",
    response_model=PostMessageResponse,
    dependencies=[rate_limit("messages", 30, 60)],
)
async def post_message(
    conversation_id: str,
    body: MessageCreate,
    identity: CurrentCustomer,
    session: Session,
    context: Context,
    response: Response,
) -> PostMessageResponse:
    conversation = await service.access_conversation(session, identity, conversation_id)
    shaped: AssistantReply | None = None

    async def shape(result: TurnResult) -> dict[str, Any]:
        nonlocal shaped
        shaped = await _shape_reply(
            session, context, result.reply, result.lang, result.understanding.entities
        )
        return {"reply": shaped.model_dump(mode="json")}

    answered = await answer_customer_message(
        session,
        context,
        conversation,
        identity.customer,
        body.text,
        client_message_id=body.client_message_id,
        sender_id=identity.actor.id,
        action=body.action,
        reply_meta=shape,
    )
    if not answered.created:
        response.status_code = 200
        return _previous_result(conversation, answered.message, answered.reply)
    response.status_code = 201
    return PostMessageResponse(
        conversation_id=conversation.public_id,
        message=MessageRead.model_validate(answered.message),
        reply=shaped,
        reply_message=MessageRead.model_validate(answered.reply) if answered.reply else None,
    )
