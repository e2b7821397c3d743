"""Account access and verification: self-service first, then identity checks with a person.

Every step is something the customer does on the exchange's own pages; the assistant never
asks for a password, a code or a key (the outbound guard checks each reply as well).
"""

from __future__ import annotations

from lifeline.assistant.facts import reason_text
from lifeline.assistant.flows import flow
from lifeline.assistant.handoff import hand_off
from lifeline.assistant.replies import (
    CONTACT_HUMAN,
    FREEZE_ACCOUNT,
    RESET_2FA,
    RESET_PASSWORD,
    RESUBMIT_KYC,
    VERIFY_IDENTITY,
    Reply,
    say,
)
from lifeline.assistant.turn import Turn
from lifeline.exchange.schemas import AccountState, CustomerProfile, KycStatus

# Signs that the self-service path is closed to this customer.
SELF_SERVICE_FAILED = (
    "didn't work", "did not work", "doesn't work", "does not work", "not working",
    "no access", "lost access", "no longer have access", "can't receive", "cannot receive",
    "not receiving", "never arrives", "never arrived", "i tried", "already tried",
    "没用", "不行", "无法接收", "收不到", "没收到", "无法访问", "不能用", "试过", "已经试",
)  # fmt: skip


def self_service_failed(turn: Turn, intent: str) -> bool:
    """The customer says the steps do not work for them, or comes back with the same problem."""
    text = turn.text.lower()
    if not text.strip():
        return False  # a button press asks for the self-service steps themselves
    if any(cue in text for cue in SELF_SERVICE_FAILED):
        return True
    return bool(turn.state.get("last_intent") == intent and turn.state.get("said"))


async def _identity_hand_off(turn: Turn, reply: Reply, reason: str) -> Reply:
    reply.text += say(
        turn.lang,
        "\n\nSince the self-service steps do not work for you, a colleague will verify your "
        "identity (an ID document and a face check on our verification page) and help you "
        "from there. They will never ask for your password or codes.",
        "\n\n由于自助方式无法解决，人工同事将先核验您的身份（在官方认证页面上传证件并进行人脸识别），"
        "再协助您处理。他们绝不会向您索要密码或验证码。",
    )
    reply.actions = [VERIFY_IDENTITY, FREEZE_ACCOUNT]
    return await hand_off(turn, reply, reason)


def _status_note(lang: str, profile: CustomerProfile | None) -> str:
    if profile is None or profile.account_status == AccountState.ACTIVE:
        return ""
    why, fix = reason_text(lang, profile.account_status_reason)
    state = profile.account_status.value
    return say(
        lang,
        f"\nYour account is currently {state}" + (f": {why}. {fix}" if why else "."),
        f"\n您的账户目前处于{'锁定' if state == 'locked' else '冻结'}状态"
        + (f"：{why}。{fix}" if why else "。"),
    )


@flow("forgot_password")
async def forgot_password(turn: Turn) -> Reply:
    lang = turn.lang
    link = f"{turn.context.settings.public_base_url}/help/{lang}/articles/forgot-password"
    reply = Reply(
        text=say(
            lang,
            'You can reset your password yourself: on the sign-in page choose "Forgot '
            'password", follow the link we send to your registered email or phone, and choose '
            "a new password there. For your protection, withdrawals pause for 24 hours after a "
            f"reset. Step-by-step guide: {link}",
            "您可以自助重置密码：在登录页点击「忘记密码」，按发送到您注册邮箱或手机的指引操作，"
            f"在官方页面设置新密码。为保护您的资产，重置后提现会暂停 24 小时。详细步骤：{link}",
        )
        + _status_note(lang, await turn.profile()),
        intent="forgot_password",
        articles=["forgot-password", "never-share-secrets"],
        actions=[RESET_PASSWORD, CONTACT_HUMAN],
    )
    if self_service_failed(turn, "forgot_password"):
        return await _identity_hand_off(turn, reply, "password reset self-service failed")
    return reply


@flow("two_factor_problem")
async def two_factor_problem(turn: Turn) -> Reply:
    lang = turn.lang
    reply = Reply(
        text=say(
            lang,
            'If you lost your authenticator or phone, use "Security verification '
            'unavailable?" on the sign-in or security page to start a 2FA reset. You will '
            "verify your identity there (ID document and face check); most requests are "
            "approved within 24 hours, manual reviews take 1-3 business days. Withdrawals "
            "pause for 24 hours after a reset. If the codes are rejected, set your phone's "
            "clock to automatic time first: authenticator codes depend on it.",
            "如果丢失了验证器或手机，请在登录页或安全设置页点击「安全验证不可用？」申请重置二次验证，"
            "并在该页面完成身份核验（证件和人脸识别）；多数申请 24 小时内通过，人工审核需 1-3 个工"
            "作日。"
            "重置后提现会暂停 24 小时。如果验证码总是错误，请先把手机时间设为自动同步，验证器依赖准"
            "确时间。",
        )
        + _status_note(lang, await turn.profile()),
        intent="two_factor_problem",
        articles=["reset-2fa", "enable-2fa"],
        actions=[RESET_2FA, CONTACT_HUMAN],
    )
    if self_service_failed(turn, "two_factor_problem"):
        return await _identity_hand_off(turn, reply, "2FA reset self-service failed")
    return reply


@flow("account_locked")
async def account_locked(turn: Turn) -> Reply:
    lang = turn.lang
    profile = await turn.profile()
    checks: list[dict[str, object]] = []
    if profile is None:
        text = say(
            lang,
            "Accounts are locked after too many failed sign-ins (this lifts by itself after "
            "the time shown), after a sign-in from an unusual place, or during a compliance "
            "review. Sign in here so I can check the reason on your account.",
            "账户可能因多次登录失败（到显示的时间后自动解除）、异常地点登录或合规审核而被锁定。"
            "登录后我可以为您查询具体原因。",
        )
    else:
        checks.append(
            {
                "type": "account_status",
                "status": profile.account_status.value,
                "reason": profile.account_status_reason,
            }
        )
        if profile.account_status == AccountState.ACTIVE:
            text = say(
                lang,
                "Your account is active and not locked on our side. If sign-in still fails, "
                "reset your password yourself, or check whether the app shows a temporary "
                "lock message with a time.",
                "您的账户状态正常，没有被锁定。如果仍无法登录，请自助重置密码，或查看 App 是否显示"
                "了带时间的临时锁定提示。",
            )
        else:
            why, fix = reason_text(lang, profile.account_status_reason)
            state = profile.account_status.value
            text = say(
                lang,
                f"Your account is {state}: {why}. {fix}",
                f"您的账户已被{'锁定' if state == 'locked' else '冻结'}：{why}。{fix}",
            )
            if profile.account_status == AccountState.FROZEN or (
                profile.account_status_reason not in {"too_many_failed_logins", None}
            ):
                reply = Reply(
                    text=text,
                    intent="account_locked",
                    articles=["account-locked"],
                    checks=checks,
                )
                return await _identity_hand_off(turn, reply, f"account {state}")
    reply = Reply(
        text=text,
        intent="account_locked",
        articles=["account-locked", "forgot-password"],
        actions=[RESET_PASSWORD, CONTACT_HUMAN],
        checks=checks,
    )
    if self_service_failed(turn, "account_locked"):
        return await _identity_hand_off(turn, reply, "account lock: self-service failed")
    return reply


@flow("kyc_verification")
async def kyc_verification(turn: Turn) -> Reply:
    lang = turn.lang
    profile = await turn.profile()
    articles = ["kyc-verification", "kyc-rejected"]
    if profile is None:
        return Reply(
            text=say(
                lang,
                "Identity verification needs a valid ID document, clear photos with all four "
                "corners visible, and for higher levels a proof of address no older than three "
                "months. Sign in and I'll check where your verification stands.",
                "身份认证需要有效证件、四角完整的清晰照片，更高等级还需三个月内的地址证明。"
                "登录后我可以为您查询认证进度。",
            ),
            intent="kyc_verification",
            articles=articles,
            actions=[CONTACT_HUMAN],
        )
    check: dict[str, object] = {
        "type": "kyc",
        "status": profile.kyc_status.value,
        "level": profile.kyc_level,
        "rejection_reason": profile.kyc_rejection_reason,
    }
    if profile.kyc_status == KycStatus.REJECTED:
        why, fix = reason_text(lang, profile.kyc_rejection_reason)
        text = say(
            lang,
            f"Your identity verification was rejected because {why}. {fix} Upload documents "
            "only on the official verification page; support never asks for them in a chat.",
            f"您的身份认证未通过，原因：{why}。{fix}请只在官方认证页面上传证件，客服不会在聊天中索要证件。",
        )
        actions = [RESUBMIT_KYC, CONTACT_HUMAN]
        if self_service_failed(turn, "kyc_verification"):
            reply = Reply(text=text, intent="kyc_verification", articles=articles, checks=[check])
            return await hand_off(turn, reply, "KYC rejected again after resubmission")
    elif profile.kyc_status == KycStatus.PENDING:
        text = say(
            lang,
            "Your verification is being reviewed. Automatic checks take minutes; manual "
            "reviews usually 1-3 business days. You'll get an email when it's done.",
            "您的认证正在审核中。自动审核通常几分钟完成，人工审核一般需 1-3 个工作日，完成后会邮件"
            "通知您。",
        )
        actions = [CONTACT_HUMAN]
    elif profile.kyc_status == KycStatus.APPROVED:
        text = say(
            lang,
            f"Your identity is verified (level {profile.kyc_level}). To reach a higher level, "
            "start it on the identity page; it may ask for a proof of address no older than "
            "three months.",
            f"您已通过身份认证（{profile.kyc_level} 级）。如需升级，请在身份认证页面申请，"
            "可能需要三个月内的地址证明。",
        )
        actions = [CONTACT_HUMAN]
        articles = ["kyc-verification"]
    else:
        text = say(
            lang,
            "You haven't started identity verification yet. Start it on the identity page: "
            "a valid ID document, clear photos, and a face check.",
            "您还没有开始身份认证。请在身份认证页面开始：准备有效证件、清晰照片，并完成人脸识别。",
        )
        actions = [RESUBMIT_KYC, CONTACT_HUMAN]
        articles = ["kyc-verification"]
    return Reply(
        text=text, intent="kyc_verification", articles=articles, actions=actions, checks=[check]
    )


@flow("api_key_issue")
async def api_key_issue(turn: Turn) -> Reply:
    lang = turn.lang
    reply = Reply(
        text=say(
            lang,
            "Most API problems are fixed in API Management: 1) check the key has the "
            "permission the call needs (reading, trading, withdrawals are separate); 2) add "
            "your server's IP to the key's whitelist; 3) for signature errors, sign the exact "
            "query string with your key's secret on your own server, and keep your server "
            "clock in sync (timestamp errors mean it drifted). Keep the secret on your server: "
            "support never needs it, and if it was exposed, delete the key and create a new one.",
            "大多数 API 问题可以在「API 管理」中解决：1）确认密钥具有该接口所需的权限（读取、交易、"
            "提现分别设置）；"
            "2）把服务器 IP 加入该密钥的白名单；3）签名错误时，请在您自己的服务器上用该密钥对完整的"
            "请求参数签名，"
            "并保持服务器时间同步（时间戳错误说明时间有偏差）。Secret 只保存在您的服务器上，客服永"
            "远不需要它；"
            "如已泄露，请删除该密钥并重新创建。",
        ),
        intent="api_key_issue",
        articles=["api-keys", "never-share-secrets"],
        actions=[CONTACT_HUMAN],
    )
    if self_service_failed(turn, "api_key_issue"):
        return await hand_off(turn, reply, "API problem not solved by the checklist")
    return reply
