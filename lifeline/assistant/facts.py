"""Turning the exchange's facts into words: numbers as the exchange reported them, derived
numbers computed from them, and the exchange's reason codes explained with their fix.

Nothing here knows a customer's money by itself: every number comes from an adapter object.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from lifeline.assistant.replies import say


def num(value: Decimal) -> str:
    """An exchange number as the exchange reported it, without an exponent."""
    return format(value, "f")


def money(value: Decimal, places: int = 2) -> str:
    """A computed amount, rounded for reading, with thousands separators."""
    quantized = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{quantized:,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def percent(value: Decimal) -> str:
    return f"{(value * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def distance(price: Decimal, reference: Decimal) -> Decimal:
    """How far ``price`` is from ``reference``, as a fraction of the reference (unsigned)."""
    if reference == 0:
        return Decimal(0)
    return abs(price - reference) / reference


def when(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC") if moment else ""


def duration(lang: str, wait: timedelta) -> str:
    minutes = max(1, round(wait.total_seconds() / 60))
    if minutes >= 120:
        hours = round(minutes / 60)
        return say(lang, f"about {hours} hours", f"约 {hours} 小时")
    return say(lang, f"about {minutes} minutes", f"约 {minutes} 分钟")


# Reason code -> (explanation en, zh; what to do en, zh).
REASONS: dict[str, tuple[str, str, str, str]] = {
    "blurry_photo": (
        "the photo of your document was blurry or unreadable",
        "证件照片模糊或无法辨认",
        "Take a new photo in good light, with all four corners of the document visible and no "
        "glare, and resubmit on the verification page.",
        "请在光线充足处重新拍摄，确保证件四角完整、无反光，然后在认证页面重新提交。",
    ),
    "cropped_photo": (
        "part of your document was cut off in the photo",
        "证件照片不完整（被裁切）",
        "Photograph the whole document with all four corners visible and resubmit.",
        "请拍摄完整证件、四角可见，然后重新提交。",
    ),
    "expired_document": (
        "the identity document has expired",
        "证件已过期",
        "Resubmit with a valid, unexpired passport, ID card or driving licence.",
        "请使用在有效期内的护照、身份证或驾照重新提交。",
    ),
    "name_mismatch": (
        "the name on the document does not match the name on your account",
        "证件姓名与账户姓名不一致",
        "Make sure the account name is exactly as on your document, then resubmit.",
        "请确认账户姓名与证件完全一致后重新提交。",
    ),
    "invalid_address_proof": (
        "the proof of address was not accepted (it must show your name and address and be "
        "no older than three months)",
        "地址证明不符合要求（需显示您的姓名和地址，且不超过三个月）",
        "Upload a recent utility bill or bank statement from the last three months.",
        "请上传近三个月内的水电账单或银行对账单。",
    ),
    "face_check_failed": (
        "the face check did not match the document",
        "人脸识别与证件不匹配",
        "Retry the face check in good light, without glasses or a hat.",
        "请在光线充足处、不戴眼镜和帽子重新进行人脸识别。",
    ),
    "security_hold_after_password_change": (
        "withdrawals are paused for 24 hours after a password change, to protect you in case "
        "someone else made the change",
        "修改密码后提现会暂停 24 小时，以防他人修改了您的密码",
        "The hold ends automatically; the remaining time is shown on the withdrawal page. "
        "Support cannot shorten it. If you did not change your password, freeze your account.",
        "暂停期结束后会自动恢复，剩余时间显示在提现页面，客服无法提前解除。"
        "如果不是您本人修改的密码，请立即冻结账户。",
    ),
    "security_hold_after_2fa_change": (
        "withdrawals are paused for 24 hours after a 2FA change",
        "更改二次验证后提现会暂停 24 小时",
        "The hold ends automatically. If you did not make the change, freeze your account.",
        "暂停期结束后会自动恢复。如果不是您本人操作，请立即冻结账户。",
    ),
    "insufficient_balance": (
        "your available balance was not enough for the order (funds in open orders are not "
        "available)",
        "可用余额不足（挂单中冻结的资金不可用）",
        "Cancel open orders or transfer funds to your Spot account, or lower the quantity.",
        "请撤销挂单或向现货账户划转资金，或减少下单数量。",
    ),
    "insufficient_balance_for_fee": (
        "the balance did not cover the amount plus the network fee",
        "余额不足以支付提现金额加网络手续费",
        "Lower the amount so that amount plus fee fits in your balance.",
        "请降低提现金额，使金额加手续费不超过余额。",
    ),
    "insufficient_margin": (
        "the available margin in your futures account was not enough to open this position",
        "合约账户可用保证金不足，无法开仓",
        "Transfer more margin to the futures account or reduce the order size.",
        "请向合约账户划转保证金，或减少开仓数量。",
    ),
    "too_many_failed_logins": (
        "the account was locked after too many failed sign-in attempts",
        "多次登录失败，账户已被临时锁定",
        "The lock lifts automatically after the time shown at sign-in (usually a few hours). "
        "If you don't remember the password, reset it instead of guessing again.",
        "锁定会在登录页面显示的时间后自动解除（通常几小时）。如忘记密码，请直接重置，不要反复尝试。",
    ),
    "unusual_location": (
        "a sign-in from an unusual location was blocked",
        "检测到异常地点登录，已被拦截",
        "Confirm it was you through the email we sent, or freeze the account if it was not.",
        "请通过我们发送的邮件确认是否为本人操作；如果不是，请立即冻结账户。",
    ),
    "compliance_review": (
        "the account is under a compliance review",
        "账户正在接受合规审核",
        "Our compliance team will contact you by email if documents are needed.",
        "如需补充材料，合规团队会通过邮件联系您。",
    ),
    "invalid_address": (
        "the destination address is not valid for this network",
        "提现地址与该网络格式不符",
        "Copy the address again from the receiving platform and check the network matches.",
        "请从收款平台重新复制地址，并确认网络一致。",
    ),
    "network_suspended": (
        "withdrawals on this network are suspended for now",
        "该网络的提现目前暂停",
        "Funds are safe; try again when the network resumes (see our announcements).",
        "资金安全，待该网络恢复后再试（请关注公告）。",
    ),
    "daily_limit_exceeded": (
        "the amount exceeds your 24-hour withdrawal limit",
        "金额超过了 24 小时提现限额",
        "Withdraw a smaller amount, or raise your limit by completing a higher verification level.",
        "请减少金额，或完成更高等级的身份认证以提高限额。",
    ),
    "below_minimum": (
        "the amount is below the minimum for this asset and network",
        "金额低于该币种和网络的最小限额",
        "Increase the amount above the minimum shown on the page.",
        "请将金额提高到页面显示的最小值以上。",
    ),
    "min_order_size": (
        "the order is smaller than the minimum order size",
        "订单数量低于最小下单量",
        "Increase the quantity to at least the minimum shown on the order form.",
        "请把数量提高到下单页显示的最小值。",
    ),
    "price_out_of_range": (
        "the price was outside the allowed band around the market price",
        "委托价格超出允许的价格范围",
        "Place the order closer to the current market price.",
        "请以更接近市场价的价格下单。",
    ),
}


def reason_text(lang: str, code: str | None) -> tuple[str, str]:
    """The explanation of a reason code and what to do about it, in the customer's language."""
    if not code:
        return "", ""
    known = REASONS.get(code)
    if known is None:
        readable = re.sub(r"_+", " ", code)
        return (
            say(lang, f"the exchange reported: {readable}", f"系统返回原因：{readable}"),
            say(
                lang,
                "A colleague can look at the details with you.",
                "人工同事可以和您一起核查详情。",
            ),
        )
    en, zh, fix_en, fix_zh = known
    return say(lang, en, zh), say(lang, fix_en, fix_zh)
