"""Customer-facing wording, in English and Chinese, chosen by the ticket's language."""

from __future__ import annotations

from typing import Any

TEXTS: dict[str, dict[str, str]] = {
    "ticket_created": {
        "en": "We have received your request. Your ticket number is #{number}.",
        "zh": "我们已收到您的请求，工单号为 #{number}。",
    },
    "duplicate_notice": {
        "en": (
            "This looks like the same issue as your open ticket #{number}, so we added your "
            "message to it instead of opening a new one. You will hear from us there."
        ),
        "zh": (
            "此问题与您尚未关闭的工单 #{number} 相同，我们已将您的消息添加到该工单，"
            "不再重复创建。我们会在该工单中回复您。"
        ),
    },
    "complaint_next_steps": {
        "en": (
            "We have registered your complaint as ticket #{number}. A supervisor owns it and "
            "will reply within {first_response}. Next steps: (1) the supervisor reviews your case "
            "and the history of your tickets; (2) you receive a written answer with our decision "
            "and its reasons; (3) if you disagree, reply to this ticket and it goes to a second "
            "review by the head of support. If you are still not satisfied after our final "
            "answer, you may, as a last resort, contact the financial regulator or ombudsman "
            "responsible for {exchange} in your country."
        ),
        "zh": (
            "您的投诉已登记为工单 #{number}，由主管负责，将在{first_response}内回复。后续步骤："
            "（1）主管审阅您的情况及工单记录；（2）您将收到书面答复，说明我们的决定及理由；"
            "（3）如有异议，请回复此工单，将由客服负责人进行第二次复核。若对最终答复仍不满意，"
            "作为最后手段，您可以联系您所在地区负责监管 {exchange} 的金融监管机构或申诉专员。"
        ),
    },
    "supervisor_requested": {
        "en": "A supervisor has been asked to review ticket #{number}.",
        "zh": "已请主管审阅工单 #{number}。",
    },
    "csat_prompt": {
        "en": (
            "Ticket #{number} is resolved. How did we do? Rate us from 1 to 5 here "
            "(the link works once): {link}"
        ),
        "zh": "工单 #{number} 已解决。请为我们的服务评分（1-5 分，链接仅可使用一次）：{link}",
    },
    "agent_replied": {
        "en": "There is a new reply on your ticket #{number}.",
        "zh": "您的工单 #{number} 有新的回复。",
    },
}

_DURATIONS = {
    "en": ("{n} minutes", "{n} hours", "{n} days"),
    "zh": ("{n} 分钟", "{n} 小时", "{n} 天"),
}


def pick_language(language: str) -> str:
    return "zh" if language.lower().startswith("zh") else "en"


def render(key: str, language: str, **values: Any) -> str:
    return TEXTS[key][pick_language(language)].format(**values)


def describe_minutes(minutes: int, language: str) -> str:
    units = _DURATIONS[pick_language(language)]
    if minutes < 120:
        return units[0].format(n=minutes)
    if minutes < 48 * 60:
        return units[1].format(n=round(minutes / 60))
    return units[2].format(n=round(minutes / 1440))
