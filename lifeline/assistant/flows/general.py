"""Small talk, hand-offs, and answering from the help center."""

from __future__ import annotations

from lifeline.assistant.flows import INTENT_ARTICLES, flow
from lifeline.assistant.replies import CONTACT_HUMAN, RISK_TOOLS, Reply, say
from lifeline.assistant.turn import Turn


async def answer_from_help_center(turn: Turn, intent: str | None) -> Reply:
    """The fallback for an intent without facts to look up: the article that answers it."""
    slugs = list(INTENT_ARTICLES.get(intent or "", []))
    if not slugs:
        slugs = [hit.slug for hit in turn.search(turn.text, limit=2)]
    reply = Reply(
        text=say(
            turn.lang,
            "Here is what our help center says about this. If it does not solve your problem, "
            "I can pass you to an agent.",
            "以下帮助中心文章可以解答这个问题。如果仍未解决，我可以为您转接人工客服。",
        ),
        intent=intent,
        articles=slugs[:2],
        actions=[CONTACT_HUMAN],
    )
    return reply


@flow("greeting")
async def greeting(turn: Turn) -> Reply:
    lowered = turn.text.lower()
    if any(word in lowered for word in ("thank", "thx", "bye", "谢", "再见", "拜拜")):
        text = say(
            turn.lang,
            "You're welcome! If anything else comes up, I'm here 24/7.",
            "不客气！如有其他问题，我 24 小时在线。",
        )
    else:
        text = say(
            turn.lang,
            "Hi! I'm the support assistant. Tell me what happened (a deposit, a withdrawal, "
            "an order, your account...) and I'll check it for you.",
            "您好！我是智能客服。请告诉我遇到了什么问题（充值、提现、订单、账户等），我来帮您查询。",
        )
    return Reply(text=text, intent="greeting")


@flow("out_of_scope")
async def out_of_scope(turn: Turn) -> Reply:
    return Reply(
        text=say(
            turn.lang,
            "I can only help with your account and our services: deposits, withdrawals, "
            "trading, security and verification. What can I check for you?",
            "我只能协助处理与您的账户和本平台服务相关的问题：充值、提现、交易、安全和身份认证。"
            "请问有什么可以帮您？",
        ),
        intent="out_of_scope",
    )


@flow("investment_advice")
async def investment_advice(turn: Turn) -> Reply:
    return Reply(
        text=say(
            turn.lang,
            "I'm sorry, support cannot give investment advice or price predictions. Crypto "
            "prices are volatile: only trade what you can afford to lose, and consider "
            "stop-loss orders and lower leverage to manage risk.",
            "抱歉，客服不提供投资建议或价格预测。加密资产价格波动很大，请只投入可承受损失的资金，"
            "并可使用止损单、降低杠杆等工具管理风险。",
        ),
        intent="investment_advice",
        articles=["investment-advice-policy", "stop-orders"],
        actions=[RISK_TOOLS],
    )
