"""Every reply the flows can produce passes the outbound guard: the assistant never asks for
a password, a code, a seed phrase or a key, in any state of any demo customer."""

from __future__ import annotations

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from lifeline.accounts.service import upsert_customer
from lifeline.accounts.tokens import CustomerClaims
from lifeline.assistant.engine import ACTION_INTENTS
from lifeline.assistant.facts import REASONS
from lifeline.assistant.flows import FLOWS, load_flows
from lifeline.assistant.flows.funds import start_recovery
from lifeline.assistant.flows.security import freeze_now
from lifeline.assistant.replies import ACTIONS
from lifeline.assistant.turn import Turn
from lifeline.assistant.understanding import understand
from lifeline.context import AppContext
from lifeline.conversations.models import Conversation
from lifeline.db import utcnow
from lifeline.exchange import demo_data as d
from lifeline.security.guard import check_outbound

CUSTOMERS = [None, d.ALICE, d.WEI, d.BOB, d.GRACE, d.MING]
# Messages that push flows into their other branches (self-service failed, named records).
PROBES = {
    "en": [
        "help",
        "I tried that already and it did not work",
        f"txid {d.DEPOSIT_STUCK_TXID} withdrawal {d.WITHDRAWAL_SENT_ID} order {d.ORDER_FILLED_ID}",
    ],
    "zh": [
        "帮帮我",
        "我试过了，没用，还是收不到",
        f"TxID {d.DEPOSIT_MISSING_MEMO_TXID} 订单号 {d.ORDER_STOP_UNTRIGGERED_ID}",
    ],
}


def test_reason_explanations_pass_the_guard() -> None:
    for code, (en, zh, fix_en, fix_zh) in REASONS.items():
        for text in (en, zh, fix_en, fix_zh):
            assert check_outbound(text).allowed, (code, text)


def test_every_action_label_passes_the_guard_and_every_mapped_action_has_a_flow() -> None:
    load_flows()
    for action in ACTIONS.values():
        assert check_outbound(action.en).allowed and check_outbound(action.zh).allowed
    assert set(ACTION_INTENTS.values()) <= set(FLOWS)


@pytest.mark.usefixtures("demo_data", "articles", "desk")
async def test_every_flow_reply_passes_the_guard(
    context: AppContext, session: AsyncSession
) -> None:
    load_flows()
    checked = 0
    for user_id in CUSTOMERS:
        customer = await upsert_customer(session, CustomerClaims(sub=user_id)) if user_id else None
        for lang, probes in PROBES.items():
            for text in probes:
                conversation = Conversation(
                    customer_id=customer.id if customer else None,
                    language=lang,
                    handoff={},
                    state={},
                )
                session.add(conversation)
                await session.flush()
                now = utcnow()
                runs = [*FLOWS.items(), ("freeze", freeze_now), ("recovery", start_recovery)]
                for name, run in runs:
                    await session.commit()  # the demo exchange writes on its own connection
                    turn = Turn(
                        session, context, conversation, customer, lang, now, text,
                        understand(text, now),
                    )  # fmt: skip
                    reply = await run(turn)
                    verdict = check_outbound(reply.text)
                    assert verdict.allowed, (name, user_id, lang, verdict.reason_code, reply.text)
                    checked += 1
                    # Flows that hand off leave the chat with a person; start afresh.
                    conversation.state = {"last_intent": name, "said": [reply.text[:300]]}
    assert checked > 500
