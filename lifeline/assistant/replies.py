"""What one turn of the assistant produces, and the vocabulary of suggested actions."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def say(lang: str, en: str, zh: str) -> str:
    """Pick the customer's language; Chinese of any script gets the Chinese text."""
    return zh if lang.startswith("zh") else en


@dataclass(frozen=True)
class Action:
    id: str
    en: str
    zh: str

    def label(self, lang: str) -> str:
        return say(lang, self.en, self.zh)


FREEZE_ACCOUNT = Action("freeze_account", "Freeze my account now", "立即冻结我的账户")
CONTACT_HUMAN = Action("contact_human", "Talk to an agent", "转人工客服")
CHECK_ANOTHER_DEPOSIT = Action("check_another_deposit", "Check another deposit", "查询其他充值")
SHOW_RECENT_DEPOSITS = Action("show_recent_deposits", "Show my recent deposits", "查看最近的充值")
SHOW_RECENT_WITHDRAWALS = Action(
    "show_recent_withdrawals", "Show my recent withdrawals", "查看最近的提现"
)
OPEN_TICKET = Action("open_ticket", "Open a ticket", "提交工单")
START_RECOVERY = Action("start_recovery", "Start a recovery request", "申请找回资产")
VERIFY_CHANNEL = Action("verify_channel", "Check a link or account", "验证链接或账号")
REPORT_SCAM = Action("report_scam", "Report a scam", "举报诈骗")
RESET_PASSWORD = Action("reset_password", "Reset my password", "重置密码")
RESET_2FA = Action("reset_2fa", "Reset my 2FA", "重置二次验证")
RESUBMIT_KYC = Action("resubmit_kyc", "Resubmit my documents", "重新提交认证资料")
SIGN_IN = Action("sign_in", "Sign in so I can check your account", "登录后我可以帮您查询账户")
RISK_TOOLS = Action("risk_tools", "Risk management tools", "风险管理工具")
RATE_CHAT = Action("rate_chat", "Rate this chat", "评价本次服务")
SHOW_RECENT_ORDERS = Action("show_recent_orders", "Show my recent orders", "查看最近的订单")
SHOW_POSITIONS = Action("show_positions", "Show my futures positions", "查看我的合约仓位")
SHOW_MY_TICKETS = Action("show_my_tickets", "Show my tickets", "查看我的工单")
UPLOAD_DOCUMENTS = Action("upload_documents", "Upload documents", "上传材料")
VERIFY_IDENTITY = Action("verify_identity", "Verify my identity", "验证身份")
RAISE_LIMITS = Action("raise_limits", "Raise my limits", "提高限额")
SERVICE_STATUS = Action("service_status", "Check service status", "查看服务状态")
CONTACT_ACCOUNT_MANAGER = Action(
    "contact_account_manager", "Contact my account manager", "联系我的客户经理"
)
FILE_COMPLAINT = Action("file_complaint", "File a complaint", "提交投诉")

ACTIONS: dict[str, Action] = {
    action.id: action
    for action in (
        FREEZE_ACCOUNT,
        CONTACT_HUMAN,
        CHECK_ANOTHER_DEPOSIT,
        SHOW_RECENT_DEPOSITS,
        SHOW_RECENT_WITHDRAWALS,
        OPEN_TICKET,
        START_RECOVERY,
        VERIFY_CHANNEL,
        REPORT_SCAM,
        RESET_PASSWORD,
        RESET_2FA,
        RESUBMIT_KYC,
        SIGN_IN,
        RISK_TOOLS,
        RATE_CHAT,
        SHOW_RECENT_ORDERS,
        SHOW_POSITIONS,
        SHOW_MY_TICKETS,
        UPLOAD_DOCUMENTS,
        VERIFY_IDENTITY,
        RAISE_LIMITS,
        SERVICE_STATUS,
        CONTACT_ACCOUNT_MANAGER,
        FILE_COMPLAINT,
    )
}


def intent_action(intent: str, en: str, zh: str) -> Action:
    """A button that answers a clarifying question with one of two intents."""
    return Action(f"intent:{intent}", en, zh)


@dataclass
class Handoff:
    state: str = "none"  # none, queued, ticket_created, assigned
    team: str | None = None
    ticket_number: str | None = None
    expected_response: str | None = None


@dataclass
class Reply:
    text: str
    intent: str | None = None
    confidence: float = 0.0
    articles: list[str] = field(default_factory=list)  # slugs, cited in this order
    actions: list[Action] = field(default_factory=list)
    handoff: Handoff = field(default_factory=Handoff)
    # What was looked up at the exchange this turn (for the agent's hand-off summary).
    checks: list[dict[str, Any]] = field(default_factory=list)
