"""Outbound guard: every ask for a secret is blocked, ordinary support replies go through."""

from __future__ import annotations

import pytest

from lifeline.security.guard import REASON_CODES, check_outbound

FORBIDDEN_ASKS: list[tuple[str, str]] = [
    # English
    ("Please send me your password so I can look into the account.", "ask_password"),
    ("Could you tell us your fund password?", "ask_password"),
    ("May I have your login password to check the settings?", "ask_password"),
    ("Don't worry, just give me your password and I will fix it.", "ask_password"),
    ("What is your 2FA code?", "ask_otp_code"),
    ("Please reply with the 6-digit code we just sent to your phone.", "ask_otp_code"),
    ("Kindly share the SMS verification code you received.", "ask_otp_code"),
    ("Type the Google Authenticator code here so I can approve the withdrawal.", "ask_otp_code"),
    ("We need your email code to proceed.", "ask_otp_code"),
    ("To verify the wallet, send us your 12-word recovery phrase.", "ask_seed_phrase"),
    ("Please enter your seed phrase on the verification page.", "ask_seed_phrase"),
    ("Can you paste your mnemonic in this chat?", "ask_seed_phrase"),
    ("I need your private key to recover the stuck funds.", "ask_private_key"),
    ("Please DM me the keystore file.", "ask_private_key"),
    ("Confirm your identity by sending your login credentials.", "ask_password"),
    ("Finish the check by typing the SMS code here.", "ask_otp_code"),
    ("Please send your API secret key so we can debug the signature.", "ask_api_secret"),
    ("Send us your API key and secret.", "ask_api_secret"),
    ("Please install AnyDesk so our engineer can help you.", "ask_remote_access"),
    ("Download TeamViewer and tell me the ID.", "ask_remote_access"),
    ("Please share your screen so I can see what is happening.", "ask_remote_access"),
    # Chinese (Simplified and Traditional)
    ("请提供您的登录密码，我们帮您核实。", "ask_password"),
    ("您的资金密码是多少？", "ask_password"),
    ("請提供您的資金密碼", "ask_password"),
    ("把验证码发给我，马上帮您处理。", "ask_otp_code"),
    ("请在这里输入短信验证码", "ask_otp_code"),
    ("請把驗證碼發給我", "ask_otp_code"),
    ("您的谷歌验证码是多少", "ask_otp_code"),
    ("请发送您的助记词，我们帮您恢复钱包。", "ask_seed_phrase"),
    ("为了核实身份，需要您的助记词。", "ask_seed_phrase"),
    ("请告诉我您的私钥", "ask_private_key"),
    ("麻烦把API密钥发一下", "ask_api_secret"),
    ("请下载向日葵，我们远程帮您操作", "ask_remote_access"),
    ("请安装AnyDesk并把识别码发给我", "ask_remote_access"),
    ("请共享一下您的屏幕", "ask_remote_access"),
]

ORDINARY_REPLIES: list[str] = [
    "Never share your password with anyone, including our staff.",
    "Please send the TxID of the deposit so we can trace it.",
    "Enter the code in the app yourself; we will never ask you for it.",
    "We have sent a verification code to your email; enter it in the app to continue.",
    "If anyone asks for your seed phrase, it is a scam.",
    "Scammers may ask you to send your private key. Do not do it.",
    "Support will never ask for your 2FA code or password.",
    "Do not install AnyDesk or TeamViewer at anyone's request.",
    "You can reset your password from the login page.",
    "Please send a screenshot of the error message.",
    "Please send the error code shown on the screen.",
    "Enter the 2FA code to confirm the withdrawal.",
    "Confirm the withdrawal by entering the 2FA code in the app.",
    "Your password must be 8 to 32 characters long.",
    "Please send us the order number and the deposit address.",
    "Keep your recovery phrase offline and never type it into any website.",
    "Your API key was disabled; please create a new API key in the API page.",
    "No one from our team will ever ask you to send your seed phrase.",
    "Share your referral code with friends to earn rewards.",
    "请勿向任何人透露您的密码和验证码。",
    "请在App中自行输入验证码。",
    "请提供交易哈希（TxID）和充值地址。",
    "客服绝不会索要您的助记词或私钥。",
    "如果有人向您索要验证码，请立即举报。",
    "验证码已发送到您的邮箱，请在App内输入。",
    "我们会把验证码发给您，请注意查收。",
    "不要下载任何远程控制软件。",
    "您可以在安全设置里修改密码。",
    "请不要把私钥发给任何人。",
    "重置密码请点击登录页的忘记密码。",
]


@pytest.mark.parametrize(("text", "reason_code"), FORBIDDEN_ASKS)
def test_every_forbidden_ask_is_blocked(text: str, reason_code: str) -> None:
    verdict = check_outbound(text)
    assert not verdict.allowed
    assert verdict.reason_code == reason_code


@pytest.mark.parametrize("text", ORDINARY_REPLIES)
def test_ordinary_replies_go_through(text: str) -> None:
    verdict = check_outbound(text)
    assert verdict.allowed, verdict.reason_code
    assert verdict.reason_code is None
    assert verdict.reason("en") is None


def test_every_reason_code_is_exercised_in_both_languages() -> None:
    english = {code for text, code in FORBIDDEN_ASKS if text.isascii()}
    chinese = {code for text, code in FORBIDDEN_ASKS if not text.isascii()}
    assert english == set(REASON_CODES)
    assert chinese == set(REASON_CODES)


@pytest.mark.parametrize("code", REASON_CODES)
def test_reasons_are_clear_in_chinese_and_english(code: str) -> None:
    text = next(text for text, reason in FORBIDDEN_ASKS if reason == code)
    verdict = check_outbound(text)
    english, chinese = verdict.reason("en"), verdict.reason("zh")
    assert english is not None and english.startswith("Blocked:")
    assert chinese is not None and chinese.startswith("已拦截")
    assert verdict.reason("zh-TW") == chinese


def test_one_forbidden_sentence_blocks_a_long_friendly_message() -> None:
    message = (
        "Thanks for waiting! Your deposit is confirmed on chain. "
        "To speed up the credit, please send me the SMS code you just got. Have a nice day."
    )
    assert check_outbound(message).reason_code == "ask_otp_code"


def test_negated_lists_of_secrets_are_advice_not_asks() -> None:
    # The enumeration comma joins list items; it does not end the negated clause.
    for advice in (
        "我们的工作人员永远不会索要您的密码、二次验证码、助记词或私钥。",
        "请不要通过它登录、付款或提供任何验证码。",
    ):
        assert check_outbound(advice).allowed, advice
    assert not check_outbound("请提供您的订单号、验证码。").allowed
