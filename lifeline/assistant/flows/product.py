"""The exchange's products and their status: incidents, the app, the Web3 wallet."""

from __future__ import annotations

from lifeline.assistant.facts import when
from lifeline.assistant.flows import flow
from lifeline.assistant.flows.general import answer_from_help_center
from lifeline.assistant.replies import CONTACT_HUMAN, SERVICE_STATUS, Reply, say
from lifeline.assistant.turn import Turn
from lifeline.incidents.models import Incident
from lifeline.incidents.service import relevant_incidents


def incident_lines(lang: str, incidents: list[Incident]) -> list[str]:
    lines = []
    for incident in incidents:
        body = incident.body(lang)
        lines.append(
            say(
                lang,
                f"- {incident.title('en')} (since {when(incident.started_at)})"
                + (f": {body}" if body else ""),
                f"- {incident.title('zh')}（{when(incident.started_at)} 起）"
                + (f"：{body}" if body else ""),
            )
        )
    return lines


async def current_incidents(turn: Turn) -> list[Incident]:
    return await relevant_incidents(
        turn.session, assets=turn.remembered("asset"), networks=turn.remembered("network")
    )


def _checks(incidents: list[Incident]) -> list[dict[str, object]]:
    return [
        {
            "type": "incidents",
            "active": [i.public_id for i in incidents],
            "titles": [i.title_en for i in incidents],
        }
    ]


@flow("incident_status")
async def incident_status(turn: Turn) -> Reply:
    lang = turn.lang
    incidents = await current_incidents(turn)
    if incidents:
        text = say(
            lang,
            "Here is what is affected right now:\n"
            + "\n".join(incident_lines(lang, incidents))
            + "\nYour funds are safe; the service resumes as soon as the work is done, and "
            "pending requests are processed then.",
            "目前受影响的服务如下：\n"
            + "\n".join(incident_lines(lang, incidents))
            + "\n您的资产安全；相关工作完成后服务会立即恢复，届时会处理待处理的请求。",
        )
    else:
        text = say(
            lang,
            "There is no active incident or suspension right now: deposits, withdrawals and "
            "trading are running normally. If something still does not work for you, tell me "
            "what you see.",
            "目前没有正在进行的故障或暂停公告，充值、提现和交易均正常运行。如果您仍遇到问题，请告诉我具体情况。",
        )
    return Reply(
        text=text,
        intent="incident_status",
        articles=["withdrawal-suspended"],
        actions=[SERVICE_STATUS, CONTACT_HUMAN],
        checks=_checks(incidents),
    )


@flow("app_technical_issue")
async def app_technical_issue(turn: Turn) -> Reply:
    lang = turn.lang
    incidents = await current_incidents(turn)
    steps = say(
        lang,
        "Please try: refresh the page or restart the app, update it to the latest version, "
        "switch between Wi-Fi and mobile data, and clear the app's cache. Prices shown in the "
        "app come from the live order book; if one looks wrong, compare it with the web "
        "version.",
        "请尝试：刷新页面或重启 App、更新到最新版本、在 Wi-Fi 和移动网络之间切换、清除 App 缓存。"
        "App 中的价格来自实时盘口；如果价格看起来异常，请与网页版对比。",
    )
    if incidents:
        steps = (
            say(lang, "We have a known issue right now:\n", "目前有已知问题：\n")
            + "\n".join(incident_lines(lang, incidents))
            + "\n"
            + steps
        )
    return Reply(
        text=steps,
        intent="app_technical_issue",
        articles=["app-troubleshooting"],
        actions=[SERVICE_STATUS, CONTACT_HUMAN],
        checks=_checks(incidents),
    )


@flow("web3_wallet")
async def web3_wallet(turn: Turn) -> Reply:
    reply = await answer_from_help_center(turn, "web3_wallet")
    reply.text = say(
        turn.lang,
        "The Web3 wallet is self-custody: only you hold its recovery phrase, so nobody, "
        "including our support, can recover or move its funds. Keep the phrase offline and "
        "never share it. " + reply.text,
        "Web3 钱包是自托管钱包：只有您本人掌握助记词，包括客服在内的任何人都无法恢复或转移其中的资"
        "产。"
        "请离线保管助记词，切勿分享。" + reply.text,
    )
    reply.articles = ["web3-wallet", "never-share-secrets"]
    return reply
